package expenses

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/policy"
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
	// Items have their Employee and Category loaded, which is what
	// policy.Can needs to decide about each row's buttons.
	Items      []models.Expense
	Total      int64
	Page       int
	PerPage    int
	TotalPages int
	// Filter is the normalized filter that produced the page, for links.
	Filter Filter
}

// HasPrev reports whether there is a page before this one.
func (p Page) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether there is a page after this one.
func (p Page) HasNext() bool { return p.Page < p.TotalPages }

// List returns one page of the expenses the actor may view that match f.
// It runs two indexed queries, a COUNT and a LIMIT/OFFSET page, plus one
// query each to load the page's employees and categories.
func (s *Service) List(ctx context.Context, actor *models.Employee, f Filter) (Page, error) {
	f = f.normalized()
	q := s.filtered(s.db.WithContext(ctx), actor, f).Session(&gorm.Session{})
	p := Page{Page: f.Page, PerPage: f.PerPage, Filter: f}
	if err := q.Count(&p.Total).Error; err != nil {
		return p, fmt.Errorf("count expenses: %w", err)
	}
	p.TotalPages = max(1, int((p.Total+int64(f.PerPage)-1)/int64(f.PerPage)))
	err := q.Preload("Employee").Preload("Category").Order(orderBy(f)).
		Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&p.Items).Error
	if err != nil {
		return p, fmt.Errorf("list expenses: %w", err)
	}
	return p, nil
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
		// LOWER on both sides folds case the same way on SQLite and
		// PostgreSQL; the pattern's own % and _ are escaped.
		pattern := "%" + escapeLike(f.Text) + "%"
		q = q.Where(`(LOWER(expenses.merchant) LIKE LOWER(?) ESCAPE '\' OR LOWER(expenses.description) LIKE LOWER(?) ESCAPE '\')`, pattern, pattern)
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
		return statusOrder + dir + ", expenses.spent_on DESC, expenses.id DESC"
	}
	return "expenses.spent_on" + dir + ", expenses.id" + dir
}

// statusOrder sorts statuses in workflow order rather than alphabetically.
const statusOrder = "CASE expenses.status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'approved' THEN 3 WHEN 'rejected' THEN 4 WHEN 'reimbursed' THEN 5 ELSE 6 END"
