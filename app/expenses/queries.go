package expenses

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// Scope says whose expenses a list shows. Whatever the scope, a list never
// shows more than policy.VisibleExpenses allows.
type Scope string

// The scopes, as the list's tabs offer them.
const (
	// ScopeMine is the actor's own expenses, drafts included.
	ScopeMine Scope = "mine"
	// ScopeTeam is the non-draft expenses of the actor's direct reports.
	ScopeTeam Scope = "team"
	// ScopeAll is every expense the actor may view.
	ScopeAll Scope = "all"
)

// Sort names a column lists can be sorted by. Only these reach the SQL:
// a sort key from the URL is looked up here, never pasted into a query.
type Sort string

// The sort keys.
const (
	SortDate     Sort = "date"
	SortAmount   Sort = "amount"
	SortMerchant Sort = "merchant"
	SortStatus   Sort = "status"
)

// Page sizes.
const (
	DefaultPerPage = 25
	MaxPerPage     = 100
	// maxTextFilter keeps search strings to a sensible length.
	maxTextFilter = 100
)

// Filter is what a list shows: the filters, the sort order and the page. The
// zero Filter is the first page of the actor's own expenses, newest first.
type Filter struct {
	Scope      Scope
	Status     models.Status // "" for any
	CategoryID uint          // 0 for any
	// From and To are dates (midnight UTC), both inclusive; zero for open.
	From, To time.Time
	// Text is searched in merchant and description, ignoring case.
	Text string
	Sort Sort
	// Desc sorts descending. ParseFilter defaults it per sort key: newest
	// and largest first, merchants and statuses A→Z.
	Desc          bool
	Page, PerPage int

	// manyMatches says that a text search matches at least
	// SearchCountLimit expenses (List sets it from the count).
	manyMatches bool
	// counting says that the query counts a text search's matches (count
	// sets it), which SQLite's index may serve another way (searchText).
	counting bool
}

// ParseFilter reads a Filter from a list page's query string (scope, status,
// category, from, to, q, sort, dir, page, per_page). It is lenient: a value
// it does not understand is ignored, so a mangled bookmark still shows a
// list.
func ParseFilter(q url.Values) Filter {
	f := Filter{Scope: ScopeMine, Sort: SortDate, Desc: true}
	switch sc := Scope(q.Get("scope")); sc {
	case ScopeMine, ScopeTeam, ScopeAll:
		f.Scope = sc
	}
	if st := models.Status(q.Get("status")); st.Valid() {
		f.Status = st
	}
	if id, err := strconv.ParseUint(q.Get("category"), 10, 32); err == nil {
		f.CategoryID = uint(id)
	}
	if d, err := time.ParseInLocation(DateLayout, q.Get("from"), time.UTC); err == nil {
		f.From = d
	}
	if d, err := time.ParseInLocation(DateLayout, q.Get("to"), time.UTC); err == nil {
		f.To = d
	}
	f.Text = q.Get("q")
	switch so := Sort(q.Get("sort")); so {
	case SortDate, SortAmount, SortMerchant, SortStatus:
		f.Sort = so
		f.Desc = so == SortDate || so == SortAmount
	}
	switch q.Get("dir") {
	case "asc":
		f.Desc = false
	case "desc":
		f.Desc = true
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f.normalized()
}

// Values writes f as a query string that ParseFilter reads back, for links
// to other pages, other sort orders and the CSV export of the same list.
func (f Filter) Values() url.Values {
	f = f.normalized()
	v := url.Values{}
	v.Set("scope", string(f.Scope))
	if f.Status != "" {
		v.Set("status", string(f.Status))
	}
	if f.CategoryID != 0 {
		v.Set("category", strconv.FormatUint(uint64(f.CategoryID), 10))
	}
	if !f.From.IsZero() {
		v.Set("from", f.From.Format(DateLayout))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.Format(DateLayout))
	}
	if f.Text != "" {
		v.Set("q", f.Text)
	}
	v.Set("sort", string(f.Sort))
	if f.Desc {
		v.Set("dir", "desc")
	} else {
		v.Set("dir", "asc")
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	if f.PerPage != DefaultPerPage {
		v.Set("per_page", strconv.Itoa(f.PerPage))
	}
	return v
}

// Query is Values().Encode(), byte for byte, written straight into one
// string. A list page links to itself about fifteen times (tabs, sort
// headers, pages, the export), and building a url.Values map for each was
// a tenth of its rendering. Keys come in Encode's order (sorted).
func (f Filter) Query() string {
	f = f.normalized()
	var b strings.Builder
	b.Grow(64 + len(f.Text))
	sep := func(key string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(key)
		b.WriteByte('=')
	}
	if f.CategoryID != 0 {
		sep("category")
		b.WriteString(strconv.FormatUint(uint64(f.CategoryID), 10))
	}
	sep("dir")
	if f.Desc {
		b.WriteString("desc")
	} else {
		b.WriteString("asc")
	}
	if !f.From.IsZero() {
		sep("from")
		b.WriteString(f.From.Format(DateLayout))
	}
	if f.Page > 1 {
		sep("page")
		b.WriteString(strconv.Itoa(f.Page))
	}
	if f.PerPage != DefaultPerPage {
		sep("per_page")
		b.WriteString(strconv.Itoa(f.PerPage))
	}
	if f.Text != "" {
		sep("q")
		b.WriteString(url.QueryEscape(f.Text))
	}
	sep("scope")
	b.WriteString(url.QueryEscape(string(f.Scope)))
	sep("sort")
	b.WriteString(url.QueryEscape(string(f.Sort)))
	if f.Status != "" {
		sep("status")
		b.WriteString(url.QueryEscape(string(f.Status)))
	}
	if !f.To.IsZero() {
		sep("to")
		b.WriteString(f.To.Format(DateLayout))
	}
	return b.String()
}

// WithPage returns f showing page n.
func (f Filter) WithPage(n int) Filter {
	f.Page = n
	return f.normalized()
}

// SortedBy returns f sorted by key: the same key again flips the
// direction, a new key starts in its natural direction. For column headers.
func (f Filter) SortedBy(key Sort) Filter {
	f = f.normalized()
	if f.Sort == key {
		f.Desc = !f.Desc
	} else {
		f.Sort, f.Desc = key, key == SortDate || key == SortAmount
	}
	f.Page = 1
	return f
}

func (f Filter) normalized() Filter {
	switch f.Scope {
	case ScopeMine, ScopeTeam, ScopeAll:
	default:
		f.Scope = ScopeMine
	}
	if f.Status != "" && !f.Status.Valid() {
		f.Status = ""
	}
	switch f.Sort {
	case SortDate, SortAmount, SortMerchant, SortStatus:
	default:
		f.Sort, f.Desc = SortDate, true
	}
	f.Text = strings.TrimSpace(f.Text)
	if r := []rune(f.Text); len(r) > maxTextFilter {
		f.Text = string(r[:maxTextFilter])
	}
	f.From, f.To = dateOnly(f.From), dateOnly(f.To)
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 {
		f.PerPage = DefaultPerPage
	}
	if f.PerPage > MaxPerPage {
		f.PerPage = MaxPerPage
	}
	return f
}

func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Page is one page of a list.
type Page struct {
	// Items hold every column of the expenses but CreatedAt and
	// UpdatedAt, with what lists show of their Employee and Category and
	// what policy.Can decides each row's buttons by: the Employee's
	// UserID, FullName and ManagerID, the Category's ID and Name
	// (withPeopleAndCategories).
	Items []models.Expense
	// Total is the number of expenses the filter matches, or, when
	// TotalIsLowerBound is set, the number it is known to match at least:
	// show "10,000+ expenses" then.
	Total int64
	// TotalIsLowerBound says that the matches were counted only up to a
	// limit (CountLimit, or further on pages beyond it) and there are more.
	TotalIsLowerBound bool
	Page              int
	PerPage           int
	// TotalPages is the number of pages of Total expenses: the last page,
	// or, with TotalIsLowerBound, the last page known to exist.
	TotalPages int
	// Filter is the normalized filter that produced the page, for links.
	Filter Filter
}

// HasPrev reports whether there is a page before this one.
func (p Page) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether there is a page after this one.
func (p Page) HasNext() bool { return p.Page < p.TotalPages || p.TotalIsLowerBound }

// CountLimit is how many matches List counts at most when it has to count
// expenses one by one (see List); beyond it the total is a lower bound.
const CountLimit = 10_000

// List returns one page of the expenses the actor may view that match f.
//
// The total comes from the rollup (totals.go) whenever the filter can be
// answered from it, which is exact and costs the same at any size: no text
// search, and dates, if any, that start on the first of a month and end on
// the last day of one. Otherwise List counts matching expenses, but stops
// at CountLimit (or just past the current page, for pages beyond it) and
// sets Page.TotalIsLowerBound, so that a broad search does not count
// 100,000 rows to print a number. A text search starts from the trigram
// index (search.go) and counts at most SearchCountLimit matches; a string
// too short for a trigram (one or two characters) still reads every row
// when it matches fewer than a page.
//
// The page itself is read in index order (see the indexes of
// models.Expense): a page reads its own rows and the rows before it
// (LIMIT/OFFSET), so page n costs O(n); deep pages are rare, and a keyset
// ("after this row") pagination could make them O(1) if they ever matter.
// Lists sorted by amount, merchant or status without a status filter are
// merged from one run per status (inRuns).
func (s *Service) List(ctx context.Context, actor *models.Employee, f Filter) (Page, error) {
	f = f.normalized()
	db := s.db.WithContext(ctx)
	p := Page{Page: f.Page, PerPage: f.PerPage, Filter: f}
	var err error
	if p.Total, p.TotalIsLowerBound, err = s.count(db, actor, f); err != nil {
		return p, fmt.Errorf("count expenses: %w", err)
	}
	// The count tells how a text search finds its page (searchText).
	f.manyMatches = f.Text != "" && p.TotalIsLowerBound
	p.TotalPages = max(1, int((p.Total+int64(f.PerPage)-1)/int64(f.PerPage)))
	if f.Text != "" && !p.TotalIsLowerBound && p.Total <= int64((f.Page-1)*f.PerPage) {
		// The count is exact and leaves nothing for this page (a search
		// matching nothing, a page past the last): reading the page would
		// only repeat the count's search: half of the cost of a search
		// matching nothing, and for a string too short for PostgreSQL's
		// trigram index (textCondition) a walk through the whole date
		// index, 90–100 ms at 100,000 expenses, to find the page empty.
		return p, nil
	}
	if f.Sort != SortDate && f.Status == "" {
		p.Items, err = s.inRuns(db, actor, f)
	} else {
		p.Items, err = withPeopleAndCategories(s.filtered(db, actor, f).Order(orderBy(f)).
			Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage))
	}
	if err != nil {
		return p, fmt.Errorf("list expenses: %w", err)
	}
	return p, nil
}

// count returns the number of expenses List would show over all pages,
// exact from the rollup when the filter allows it, otherwise counted up to
// a limit (see List).
func (s *Service) count(db *gorm.DB, actor *models.Employee, f Filter) (n int64, lowerBound bool, err error) {
	if from, to, ok := wholeMonths(f); ok && f.Text == "" {
		if n, ok, err := statusTileCount(db, actor, f, from, to); ok || err != nil {
			return n, false, err
		}
		if f.Scope == ScopeAll && policy.Can(actor, policy.ViewAllExpenses, nil) {
			return companyCount(db, actor, f, from, to)
		}
		q := visibleTotals(db, actor, f.Scope).Select("COALESCE(SUM(expenses.count), 0)")
		if f.Status != "" {
			q = q.Where("expenses.status = ?", f.Status)
		}
		if f.CategoryID != 0 {
			q = q.Where("expenses.category_id = ?", f.CategoryID)
		}
		if from != 0 {
			q = q.Where("expenses.month >= ?", from)
		}
		if to != 0 {
			q = q.Where("expenses.month <= ?", to)
		}
		err = q.Scan(&n).Error
		return n, false, err
	}
	countLimit := s.countLimit
	if f.Text != "" {
		countLimit = min(countLimit, SearchCountLimit)
		f.counting = true
	}
	limit := int64(max(countLimit, f.Page*f.PerPage)) + 1
	capped := s.filtered(db, actor, f).Select("1").Limit(int(limit))
	if err := db.Raw("SELECT COUNT(*) FROM (?) AS capped", capped).Scan(&n).Error; err != nil {
		return 0, false, err
	}
	if n == limit {
		return limit - 1, true, nil
	}
	return n, false, nil
}

// statusTileCount is count's answer for the lists people open most: their
// own expenses or, for finance and administrators, everyone's, in every
// category and month, of one status or all. Those are the figures of the
// dashboards' status tiles, so it adds up a few rows of
// dashboard_status_totals (dashboardtotals.go: a row per scope, owner,
// status and currency) instead of the per-month rollups, which at 100,000
// expenses hold about 1,100 rows for the company (a fifth of the list
// page's CPU went to summing them). ok is false when f filters by category
// or month, or the scope is a team, whose rows depend on syncTeam: count
// then reads the per-month rollups. The scopes and the draft status are
// constants of the code, written into the SQL; only the actor and the
// status filter are bound.
// TestListTotalsEqualTheExpensesShown compares it with the expenses.
func statusTileCount(db *gorm.DB, actor *models.Employee, f Filter, from, to int) (n int64, ok bool, err error) {
	if f.CategoryID != 0 || from != 0 || to != 0 || actor == nil || !actor.User.Active {
		return 0, false, nil
	}
	var counts tileCount
	switch {
	case f.Scope == ScopeAll && policy.Can(actor, policy.ViewAllExpenses, nil):
		counts = tileCounts.everyone
	case f.Scope == ScopeMine:
		counts = tileCounts.own
	default:
		return 0, false, nil
	}
	q, args := counts.all, []any{actor.UserID}
	if f.Status != "" {
		q = counts.withStatus
		for range counts.statuses {
			args = append(args, string(f.Status))
		}
	}
	err = q.Scan(db, args, &n)
	return n, err == nil, err
}

// tileCounts are statusTileCount's statements. everyone is the company's
// statuses but drafts plus the actor's own drafts (policy.VisibleExpenses
// for finance and administrators); own is the actor's. withStatus reads
// one status of them, bound after the actor once per sum (statuses).
var tileCounts = struct{ everyone, own tileCount }{
	everyone: newTileCount(func(status string) string {
		return "SELECT (SELECT COALESCE(SUM(count), 0) FROM dashboard_status_totals WHERE scope = '" + string(models.DashboardPerson) +
			"' AND owner_id = ? AND status = '" + string(models.StatusDraft) + "'" + status + ")" +
			" + (SELECT COALESCE(SUM(count), 0) FROM dashboard_status_totals WHERE scope = '" + string(models.DashboardCompany) +
			"' AND owner_id = 0 AND status <> '" + string(models.StatusDraft) + "'" + status + ")"
	}, 2),
	own: newTileCount(func(status string) string {
		return "SELECT COALESCE(SUM(count), 0) FROM dashboard_status_totals WHERE scope = '" + string(models.DashboardPerson) +
			"' AND owner_id = ?" + status
	}, 1),
}

type tileCount struct {
	all, withStatus database.HotQuery
	statuses        int
}

func newTileCount(sql func(status string) string, statuses int) tileCount {
	return tileCount{all: database.NewHotQuery(sql("")), withStatus: database.NewHotQuery(sql(" AND status = ?")), statuses: statuses}
}

// companyCount is count's answer for everyone's expenses, as finance and
// administrators see them: the company's rollup without drafts, plus the
// actor's own drafts. It is what visibleTotals selects for ScopeAll, added
// up as two sums rather than summed over their UNION ALL, which SQLite
// first copied row by row into a temporary result (at 100,000 expenses,
// in the sqlite3 shell: 0.74–0.94 ms against 0.14–0.23 ms now).
func companyCount(db *gorm.DB, actor *models.Employee, f Filter, from, to int) (int64, bool, error) {
	where, args := "", []any{}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	if f.CategoryID != 0 {
		where += " AND category_id = ?"
		args = append(args, f.CategoryID)
	}
	if from != 0 {
		where += " AND month >= ?"
		args = append(args, from)
	}
	if to != 0 {
		where += " AND month <= ?"
		args = append(args, to)
	}
	all := append(append([]any{models.StatusDraft}, args...), actor.UserID, models.StatusDraft)
	var n int64
	err := db.Raw("SELECT (SELECT COALESCE(SUM(count), 0) FROM company_expense_totals WHERE status <> ?"+where+")"+
		" + (SELECT COALESCE(SUM(count), 0) FROM expense_totals WHERE employee_id = ? AND status = ?"+where+")",
		append(all, args...)...).Row().Scan(&n)
	return n, false, err
}

// wholeMonths returns the months (MonthNumber, 0 for open) that f's dates
// cover when they are whole months, and false when they are not.
func wholeMonths(f Filter) (from, to int, ok bool) {
	if !f.From.IsZero() {
		if f.From.Day() != 1 {
			return 0, 0, false
		}
		from = MonthNumber(f.From)
	}
	if !f.To.IsZero() {
		if f.To.AddDate(0, 0, 1).Day() != 1 {
			return 0, 0, false
		}
		to = MonthNumber(f.To)
	}
	return from, to, true
}

// inRuns reads a page of a list sorted by amount, merchant or status when
// no status is chosen. The indexes for these sorts begin with the status
// (see models.Expense), so that a list of one status, the common filter,
// reads only its page; a list of every status is then the merge of five
// runs, one per status, each read in index order and no longer than the
// page reaches. So a page costs five short index reads and a sort of at
// most five times its end (page n: O(n)), never a sort of every expense.
// Sorting by status also needs no other index: statuses come in workflow
// order, which is not alphabetical, and each status newest first.
//
// The runs yield ids; the expenses are loaded with their Employee and
// Category afterwards.
func (s *Service) inRuns(db *gorm.DB, actor *models.Employee, f Filter) ([]models.Expense, error) {
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	key, merge := "expenses.spent_on", "r, k DESC, id DESC"
	switch f.Sort {
	case SortAmount:
		key, merge = "expenses.amount_minor", "k"+dir+", id"+dir
	case SortMerchant:
		key, merge = "LOWER(expenses.merchant)", "k"+dir+", id"+dir
	}
	order := slices.Clone(models.AllStatuses())
	if f.Desc {
		slices.Reverse(order)
	}
	offset := (f.Page - 1) * f.PerPage
	var runs []string
	var args []any
	for i, st := range order {
		one := f
		one.Status = st
		run := s.filtered(db, actor, one)
		if st == models.StatusDraft {
			if f.Scope == ScopeTeam || actor == nil {
				continue // a team's drafts are not shown
			}
			// Drafts are private to their owner (policy.VisibleExpenses).
			// Saying so outright lets the database look up the actor's
			// few drafts rather than filter everyone's.
			run = run.Where("expenses.employee_id = ?", actor.UserID)
		}
		run = run.Select("expenses.id AS id, " + key + " AS k").Order(orderBy(one)).Limit(offset + f.PerPage)
		runs = append(runs, fmt.Sprintf("SELECT id, k, %d AS r FROM (?) AS run%d", i, i))
		args = append(args, run)
	}
	var ids []uint
	err := db.Raw("SELECT id FROM ("+strings.Join(runs, " UNION ALL ")+") AS runs ORDER BY "+merge+" LIMIT ? OFFSET ?",
		append(args, f.PerPage, offset)...).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	items, err := withPeopleAndCategories(db.Model(&models.Expense{}).Where("expenses.id IN ?", ids))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(a, b models.Expense) int {
		return cmp.Compare(slices.Index(ids, a.ID), slices.Index(ids, b.ID))
	})
	return items, nil
}

// withPeopleAndCategories runs q, a query of expenses, and returns them
// with what lists show of their Employee and Category and what policy
// decides each row's buttons by, joined in one statement and read with a
// hand-written Scan. gorm's Joins("Employee").Joins("Category") with Find
// loaded everything, but its reflection over three structs per row was a
// quarter of the list page's CPU; and reading the columns no list shows
// (the timestamps, which the driver parses, and the employee's profile)
// was a third of what remained. Items therefore hold every expense column
// but CreatedAt and UpdatedAt, the Employee's UserID, FullName and
// ManagerID, and the Category's ID and Name (see Page.Items); load an
// expense with Get for the rest.
//
// A column added to one of the three models must be added to listColumns
// and listFields or to notListed in
// TestListLoadsWhatListsShowOfExpensesEmployeesAndCategories, which fails
// until it is.
func withPeopleAndCategories(q *gorm.DB) ([]models.Expense, error) {
	items, err := scanRows(q.Select(listColumns).Joins(listJoins), listFields)
	return withJoinKeys(items), err
}

// withJoinKeys fills in the keys of each item's Employee and Category,
// which the join makes equal to the expense's and lists do not read twice.
func withJoinKeys(items []models.Expense) []models.Expense {
	for i := range items {
		items[i].Employee.UserID = items[i].EmployeeID
		items[i].Category.ID = items[i].CategoryID
	}
	return items
}

// listJoins joins an expense's employee and category; listSelect is the
// whole statement for hand-written queries, to which they add their WHERE.
const (
	listJoins  = "JOIN employees ON employees.user_id = expenses.employee_id JOIN categories ON categories.id = expenses.category_id"
	listSelect = "SELECT " + listColumns + " FROM expenses " + listJoins
)

// listColumns and listFields are the columns withPeopleAndCategories reads
// and where they go, in the same order.
const listColumns = "expenses.id, expenses.employee_id, expenses.category_id, expenses.spent_on, " +
	"expenses.amount_minor, expenses.currency, expenses.merchant, expenses.description, expenses.status, " +
	"expenses.has_receipt, expenses.version, employees.full_name, employees.manager_id, categories.name"

func listFields(e *models.Expense) []any {
	return []any{&e.ID, &e.EmployeeID, &e.CategoryID, &e.SpentOn,
		&e.AmountMinor, &e.Currency, &e.Merchant, &e.Description, &e.Status,
		&e.HasReceipt, &e.Version, &e.Employee.FullName, &e.Employee.ManagerID, &e.Category.Name}
}

// filtered selects the expenses matching f that actor may view.
func (s *Service) filtered(db *gorm.DB, actor *models.Employee, f Filter) *gorm.DB {
	q := db.Model(&models.Expense{}).Scopes(policy.VisibleExpenses(actor), inScope(actor, f.Scope))
	if f.Status != "" {
		q = q.Where("expenses.status = ?", f.Status)
	}
	if f.CategoryID != 0 {
		q = q.Where("expenses.category_id = ?", f.CategoryID)
	}
	if !f.From.IsZero() {
		q = q.Where("expenses.spent_on >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("expenses.spent_on < ?", f.To.AddDate(0, 0, 1))
	}
	if f.Text != "" {
		// The trigram index (search.go) narrows the rows first; the
		// condition decides.
		q = searchText(db, q, f)
		cond, args := textCondition(db.Dialector.Name(), f.Text)
		q = q.Where(cond, args...)
	}
	return q
}

// inScope narrows a query to a Scope.
func inScope(actor *models.Employee, sc Scope) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if actor == nil {
			return db.Where("1 = 0")
		}
		switch sc {
		case ScopeAll:
			return db
		case ScopeTeam:
			return db.Where("expenses.status <> ? AND expenses.employee_id IN (?)",
				models.StatusDraft, policy.ReportsOf(db, actor.UserID))
		}
		return db.Where("expenses.employee_id = ?", actor.UserID)
	}
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy is the ORDER BY clause for f, built only from fixed strings. The
// id comes last so that rows with equal keys keep their order from page to
// page.
func orderBy(f Filter) string {
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	switch f.Sort {
	case SortAmount:
		return "expenses.amount_minor" + dir + ", expenses.id" + dir
	case SortMerchant:
		return "LOWER(expenses.merchant)" + dir + ", expenses.id" + dir
	case SortStatus:
		if f.Status != "" {
			// One status: the same order, and one the indexes can serve.
			return "expenses.spent_on DESC, expenses.id DESC"
		}
		return statusOrder + dir + ", expenses.spent_on DESC, expenses.id DESC"
	}
	return "expenses.spent_on" + dir + ", expenses.id" + dir
}

// statusOrder sorts statuses in workflow order rather than alphabetically.
const statusOrder = "CASE expenses.status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'approved' THEN 3 WHEN 'rejected' THEN 4 WHEN 'reimbursed' THEN 5 ELSE 6 END"
