package expenses

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// The dashboards and the menu's badges read the dashboard rollup
// (dashboardtotals.go) rather than the expenses: each figure below is one
// query over at most a few rows per status tile or chart cell of the
// person, their team or the company (dashboardParts), however many
// expenses and people there are. Amounts are summed per currency, because
// euros and yen do not add up.

// visibleTotals selects the per-employee rollup rows behind the expenses in
// scope that actor may view, as a table called "expenses" with the columns
// month, category_id, status, currency, count and sum_minor, for the lists'
// totals, which filter by month and category (queries.go).
//
// The per-employee rollup has the employee_id and status columns of the
// expenses table, so under the name "expenses" the very same scopes that
// lists use (policy.VisibleExpenses and inScope) select its rows: the
// dashboards cannot show more than the lists, or less. Finance and
// administrators looking at everyone's expenses get the same rows from the
// company rollup, which does not grow with the headcount: their
// VisibleExpenses rule (ViewAllExpenses is its very test: active, finance
// or admin) is "everyone's expenses but other people's drafts", and that is
// the company's non-drafts plus their own drafts.
// TestDashboardFiguresEqualTheExpensesTheyStandFor checks every figure for
// every kind of person against the expenses policy.Can lets them view.
func visibleTotals(db *gorm.DB, actor *models.Employee, sc Scope) *gorm.DB {
	if sc == ScopeAll && policy.Can(actor, policy.ViewAllExpenses, nil) {
		return db.Table("(SELECT month, category_id, status, currency, count, sum_minor FROM company_expense_totals WHERE status <> ?"+
			" UNION ALL SELECT month, category_id, status, currency, count, sum_minor FROM expense_totals WHERE employee_id = ? AND status = ?) AS expenses",
			models.StatusDraft, actor.UserID, models.StatusDraft)
	}
	return db.Table("expense_totals AS expenses").Scopes(policy.VisibleExpenses(actor), inScope(actor, sc))
}

// StatusTotal is the number and sum of expenses in one status and currency.
type StatusTotal struct {
	Status   models.Status
	Currency string
	Count    int64
	SumMinor int64
}

// TotalsByStatus sums the expenses in scope that the actor may view, per
// status and currency, in workflow order.
func (s *Service) TotalsByStatus(ctx context.Context, actor *models.Employee, sc Scope) ([]StatusTotal, error) {
	parts, err := s.dashboardParts(ctx, actor, sc)
	if err != nil || len(parts) == 0 {
		return nil, err
	}
	where, args := parts.where()
	// The parts' tiles are added up here rather than by a GROUP BY, which
	// sorted them first: a person's rows are at most one per status and
	// currency, and so are a team's.
	tiles, err := scanRows(s.db.WithContext(ctx).Raw("SELECT status, currency, count, sum_minor FROM dashboard_status_totals WHERE "+where, args...),
		func(r *StatusTotal) []any { return []any{&r.Status, &r.Currency, &r.Count, &r.SumMinor} })
	if err != nil {
		return nil, fmt.Errorf("total expenses by status: %w", err)
	}
	rows := tiles[:0]
	for _, t := range tiles {
		if i := slices.IndexFunc(rows, func(r StatusTotal) bool { return r.Status == t.Status && r.Currency == t.Currency }); i >= 0 {
			rows[i].Count += t.Count
			rows[i].SumMinor += t.SumMinor
			continue
		}
		rows = append(rows, t)
	}
	rank := func(st models.Status) int { return slices.Index(models.AllStatuses(), st) }
	slices.SortFunc(rows, func(a, b StatusTotal) int {
		return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), strings.Compare(a.Currency, b.Currency))
	})
	return rows, nil
}

// dashboardPart is one scope's share of what an actor sees, in the
// dashboard rollup (dashboardtotals.go), with the statuses it adds.
type dashboardPart struct {
	scope    models.DashboardScope
	owner    uint
	statuses partStatuses
}

type partStatuses int

const (
	allStatuses partStatuses = iota
	noDrafts
	draftsOnly
)

type dashboardParts []dashboardPart

// dashboardParts says which rows of the dashboard rollup add up to the
// expenses in scope that actor may view. It follows policy.VisibleExpenses
// (a draft is private to its owner, a manager sees their team's other
// expenses, finance and administrators everyone's) intersected with the
// scope, as visibleTotals does for the lists;
// TestDashboardFiguresEqualTheExpensesTheyStandFor checks the two agree
// for every kind of person and scope. A team's figures are brought up to
// date with the employees table first (syncTeam).
func (s *Service) dashboardParts(ctx context.Context, actor *models.Employee, sc Scope) (dashboardParts, error) {
	if actor == nil || actor.UserID == 0 || !actor.User.Active {
		return nil, nil
	}
	u, me := &actor.User, actor.UserID
	everyone := u.HasRole(models.RoleFinance) || u.HasRole(models.RoleAdmin)
	var parts dashboardParts
	switch {
	case sc == ScopeMine:
		parts = dashboardParts{{models.DashboardPerson, me, allStatuses}}
	case sc == ScopeTeam && (everyone || u.HasRole(models.RoleManager)):
		parts = dashboardParts{{models.DashboardTeam, me, allStatuses}}
	case sc == ScopeTeam:
		return nil, nil // only their own expenses, and they are in no team of their own
	case everyone:
		parts = dashboardParts{{models.DashboardCompany, 0, noDrafts}, {models.DashboardPerson, me, draftsOnly}}
	case u.HasRole(models.RoleManager):
		parts = dashboardParts{{models.DashboardPerson, me, allStatuses}, {models.DashboardTeam, me, allStatuses}}
	default:
		parts = dashboardParts{{models.DashboardPerson, me, allStatuses}}
	}
	if slices.ContainsFunc(parts, func(p dashboardPart) bool { return p.scope == models.DashboardTeam }) {
		if err := s.syncTeam(ctx, me); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// where is the WHERE condition selecting parts' rows of
// dashboard_status_totals, with its arguments.
func (parts dashboardParts) where() (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 3*len(parts))
	for _, p := range parts {
		if b.Len() > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(scope = ? AND owner_id = ?")
		args = append(args, p.scope, p.owner)
		switch p.statuses {
		case noDrafts:
			b.WriteString(" AND status <> ?")
			args = append(args, models.StatusDraft)
		case draftsOnly:
			b.WriteString(" AND status = ?")
			args = append(args, models.StatusDraft)
		}
		b.WriteString(")")
	}
	return b.String(), args
}

// CurrencyTotal is a number of expenses and their sum in one currency.
type CurrencyTotal struct {
	Currency string
	Count    int64
	SumMinor int64
}

// AwaitingReimbursement sums the approved expenses of the whole company per
// currency: what finance still has to pay. Only finance may see it.
func (s *Service) AwaitingReimbursement(ctx context.Context, actor *models.Employee) ([]CurrencyTotal, error) {
	if d := policy.Decide(actor, policy.ViewReimbursements, nil); !d.Allowed {
		return nil, notAllowed(policy.ViewReimbursements, d.Reason)
	}
	rows, err := scanRows(s.db.WithContext(ctx).Raw("SELECT currency, count, sum_minor FROM dashboard_status_totals"+
		" WHERE scope = ? AND owner_id = 0 AND status = ? ORDER BY currency", models.DashboardCompany, models.StatusApproved),
		func(r *CurrencyTotal) []any { return []any{&r.Currency, &r.Count, &r.SumMinor} })
	if err != nil {
		return nil, fmt.Errorf("total approved expenses: %w", err)
	}
	return rows, nil
}

// PendingApprovalsCount is the number of submitted expenses waiting for the
// actor's decision: those of their direct reports, if they are a manager.
// It is one row of the dashboard rollup (the team's submitted expenses).
func (s *Service) PendingApprovalsCount(ctx context.Context, actor *models.Employee) (int64, error) {
	if !policy.Can(actor, policy.ViewApprovals, nil) {
		return 0, nil
	}
	if err := s.syncTeam(ctx, actor.UserID); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.WithContext(ctx).Raw("SELECT COALESCE(SUM(count), 0) FROM dashboard_status_totals WHERE scope = ? AND owner_id = ? AND status = ?",
		models.DashboardTeam, actor.UserID, models.StatusSubmitted).Row().Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending approvals: %w", err)
	}
	return n, nil
}

// Counts returns the numbers for the navigation badges: submitted expenses
// waiting for the actor's approval, and approved expenses the actor may
// reimburse (everyone's but their own). Each is zero when the actor lacks
// the role. Each is read from one or two rows of the dashboard rollup.
func (s *Service) Counts(ctx context.Context, actor *models.Employee) (approvals, reimbursements int64, err error) {
	if approvals, err = s.PendingApprovalsCount(ctx, actor); err != nil {
		return 0, 0, err
	}
	if policy.Can(actor, policy.ViewReimbursements, nil) {
		err = s.db.WithContext(ctx).Raw("SELECT COALESCE(SUM(CASE scope WHEN ? THEN count ELSE -count END), 0) FROM dashboard_status_totals"+
			" WHERE status = ? AND ((scope = ? AND owner_id = 0) OR (scope = ? AND owner_id = ?))",
			models.DashboardCompany, models.StatusApproved, models.DashboardCompany, models.DashboardPerson, actor.UserID).
			Row().Scan(&reimbursements)
		if err != nil {
			return 0, 0, fmt.Errorf("count expenses to reimburse: %w", err)
		}
	}
	return approvals, reimbursements, nil
}

// OldestAwaitingApproval returns the n submitted expenses that have waited
// longest for the actor's decision, oldest first, with their Employee's id
// and name and their Category's id and name: the first rows of the
// approvals queue (List with ScopeTeam and StatusSubmitted, by date),
// without counting the rest, which the menu's badge (Counts) has done
// already.
//
// One statement in plain SQL (listSelect) read with Scan: built through gorm and the
// list's scopes it cost as much as the rest of a manager's dashboard's
// queries. TestDashboardFiguresEqualTheExpensesTheyStandFor compares it
// with the queue for every kind of person.
func (s *Service) OldestAwaitingApproval(ctx context.Context, actor *models.Employee, n int) ([]models.Expense, error) {
	team, args := policy.TeamExpensesSQL(actor)
	n = Filter{PerPage: n}.normalized().PerPage
	items, err := scanRows(s.db.WithContext(ctx).Raw(listSelect+
		" WHERE expenses.status = ? AND "+team+" ORDER BY "+orderBy(Filter{Sort: SortDate})+" LIMIT ?",
		append(append([]any{models.StatusSubmitted}, args...), n)...), listFields)
	if err != nil {
		return nil, fmt.Errorf("list oldest expenses awaiting approval: %w", err)
	}
	return withJoinKeys(items), nil
}

// CategoryUses returns how many expenses each category has, drafts
// included, for the administrators' category page ("used by 1,234
// expenses"). Categories without expenses are missing from the map.
func (s *Service) CategoryUses(ctx context.Context, actor *models.Employee) (map[uint]int64, error) {
	if d := policy.Decide(actor, policy.ManageCategories, nil); !d.Allowed {
		return nil, notAllowed(policy.ManageCategories, d.Reason)
	}
	var rows []struct {
		CategoryID uint
		Count      int64
	}
	err := s.db.WithContext(ctx).Model(&models.CompanyExpenseTotal{}).
		Select("category_id, SUM(count) AS count").Group("category_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count expenses per category: %w", err)
	}
	uses := make(map[uint]int64, len(rows))
	for _, r := range rows {
		uses[r.CategoryID] = r.Count
	}
	return uses, nil
}

// MonthlyTotal is the sum of one category's expenses in one month and
// currency.
type MonthlyTotal struct {
	Month      string // "2026-03"
	CategoryID uint
	Category   string
	Currency   string
	Count      int64
	SumMinor   int64
}

// claimed are the statuses the monthly chart counts: drafts are not claims
// yet, rejected ones were refused.
var claimed = []models.Status{models.StatusSubmitted, models.StatusApproved, models.StatusReimbursed}

// MonthlyByCategory sums the claimed expenses (submitted, approved or
// reimbursed: drafts are not claims yet, rejected ones were refused) in
// scope that the actor may view, per month, category and currency, for the
// given number of months ending with the current one. Months with nothing
// claimed have no rows; MonthLabels lists all the months for a chart's axis.
// Months are those of the date of the expense, in UTC.
func (s *Service) MonthlyByCategory(ctx context.Context, actor *models.Employee, sc Scope, months int) ([]MonthlyTotal, error) {
	parts, err := s.dashboardParts(ctx, actor, sc)
	if err != nil || len(parts) == 0 {
		return nil, err
	}
	return s.monthly(ctx, parts, months, "")
}

// MonthlyChart is what a dashboard's chart shows: the claims in one
// currency, per month and category, and the currencies it could show
// instead. Euros and yen do not stack.
type MonthlyChart struct {
	// Currency is the one asked for if there are claims in it, else the
	// one with the most claims (DefaultCurrency when there are none).
	Currency string
	// Currencies are those with claims in the months, most claims first.
	Currencies []CurrencyTotal
	// Totals are MonthlyByCategory's rows in Currency.
	Totals []MonthlyTotal
}

// MonthlyChart returns the chart of the claims in scope that actor may
// view over the given number of months (as MonthlyByCategory), in the
// currency asked for (see MonthlyChart.Currency). It reads one currency's
// chart cells and a count per currency, rather than every currency's cells.
func (s *Service) MonthlyChart(ctx context.Context, actor *models.Employee, sc Scope, months int, currency string) (MonthlyChart, error) {
	chart := MonthlyChart{Currency: DefaultCurrency}
	parts, err := s.dashboardParts(ctx, actor, sc)
	if err != nil || len(parts) == 0 {
		return chart, err
	}
	months = min(max(months, 1), 36)
	_, bounds := monthRanges(s.now(), months)
	first, last := MonthNumber(bounds[0]), MonthNumber(bounds[months-1])
	// From the totals per month and currency rather than the cells: the
	// database adds up 12 rows per currency instead of 12 per category and
	// currency. Each part is grouped on its own (see chartUnion) and the
	// parts are added up here.
	q, args := parts.chartUnion("currency, SUM(count), SUM(sum_minor)", "dashboard_currency_totals", first, last, "", " GROUP BY currency")
	if q == "" {
		return chart, nil
	}
	sums, err := scanRows(s.db.WithContext(ctx).Raw(q, args...),
		func(r *CurrencyTotal) []any { return []any{&r.Currency, &r.Count, &r.SumMinor} })
	if err != nil {
		return chart, fmt.Errorf("count claims per currency: %w", err)
	}
	for _, r := range sums {
		if i := slices.IndexFunc(chart.Currencies, func(c CurrencyTotal) bool { return c.Currency == r.Currency }); i >= 0 {
			chart.Currencies[i].Count += r.Count
			chart.Currencies[i].SumMinor += r.SumMinor
			continue
		}
		chart.Currencies = append(chart.Currencies, r)
	}
	// A currency without claims is not offered, nor one whose totals an
	// older instance left behind during a rolling upgrade (it keeps the
	// cells but not these totals; the next start-up's check rebuilds them).
	chart.Currencies = slices.DeleteFunc(chart.Currencies, func(c CurrencyTotal) bool { return c.Count <= 0 })
	slices.SortFunc(chart.Currencies, func(a, b CurrencyTotal) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Currency, b.Currency))
	})
	if len(chart.Currencies) == 0 {
		return chart, nil
	}
	chart.Currency = chart.Currencies[0].Currency
	if slices.ContainsFunc(chart.Currencies, func(c CurrencyTotal) bool { return c.Currency == currency }) {
		chart.Currency = currency
	}
	chart.Totals, err = s.monthly(ctx, parts, months, chart.Currency)
	return chart, err
}

// chartUnion is a query over the rows of parts in table (the chart's cells,
// dashboard_month_totals, or their sums per currency,
// dashboard_currency_totals) from month first to last, in currency unless
// it is "": a SELECT of columns (and tail) per part, joined by UNION ALL,
// with its arguments. One SELECT per part rather than their OR, because
// only a single part is a range of an index
// (idx_dashboard_month_totals_currency for one currency's cells); an OR of
// them read the table's rows. The chart's tables hold claims only: a part
// of drafts only adds nothing.
func (parts dashboardParts) chartUnion(columns, table string, first, last int, currency, tail string) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 5*len(parts))
	for _, p := range parts {
		if p.statuses == draftsOnly {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT " + columns + " FROM " + table + " WHERE scope = ? AND owner_id = ?")
		args = append(args, p.scope, p.owner)
		if currency != "" {
			b.WriteString(" AND currency = ?")
			args = append(args, currency)
		}
		b.WriteString(" AND month >= ? AND month <= ?" + tail)
		args = append(args, first, last)
	}
	return b.String(), args
}

// monthly is MonthlyByCategory for the rows of parts, in one currency
// unless currency is "".
func (s *Service) monthly(ctx context.Context, parts dashboardParts, months int, currency string) ([]MonthlyTotal, error) {
	months = min(max(months, 1), 36)
	_, bounds := monthRanges(s.now(), months)
	db := s.db.WithContext(ctx)
	type sum struct {
		Month           int
		CategoryID      uint
		Currency        string
		Count, SumMinor int64
	}
	// In one currency the currency is not read: every value read is an
	// allocation of the driver's, and a chart reads a hundred cells.
	key, fields := "month, category_id, currency",
		func(r *sum) []any { return []any{&r.Month, &r.CategoryID, &r.Currency, &r.Count, &r.SumMinor} }
	if currency != "" {
		key, fields = "month, category_id", func(r *sum) []any { return []any{&r.Month, &r.CategoryID, &r.Count, &r.SumMinor} }
	}
	q, args := parts.chartUnion(key+", count, sum_minor", "dashboard_month_totals", MonthNumber(bounds[0]), MonthNumber(bounds[months-1]), currency, "")
	if q == "" {
		return nil, nil
	}
	if len(parts) > 1 {
		// A manager's own cells and their team's add up.
		q = "SELECT " + key + ", SUM(count), SUM(sum_minor) FROM (" + q + ") AS cells GROUP BY " + key
	}
	// Read with Rows and Scan rather than gorm's Scan: gorm's reflection per
	// row cost as much as the query (BenchmarkDashboard).
	sums, err := scanRows(db.Raw(q, args...), fields)
	if err != nil {
		return nil, fmt.Errorf("total expenses by month and category: %w", err)
	}
	if currency != "" {
		for i := range sums {
			sums[i].Currency = currency
		}
	}
	// Names come from the (small) categories table rather than a JOIN.
	cats, err := scanRows(db.Raw("SELECT id, name FROM categories"),
		func(c *models.Category) []any { return []any{&c.ID, &c.Name} })
	if err != nil {
		return nil, fmt.Errorf("load category names: %w", err)
	}
	names := make(map[uint]string, len(cats))
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	labels := map[int]string{}
	rows := make([]MonthlyTotal, len(sums))
	for i, r := range sums {
		label, ok := labels[r.Month]
		if !ok {
			label = monthLabel(r.Month)
			labels[r.Month] = label
		}
		rows[i] = MonthlyTotal{Month: label, CategoryID: r.CategoryID, Category: names[r.CategoryID],
			Currency: r.Currency, Count: r.Count, SumMinor: r.SumMinor}
	}
	slices.SortFunc(rows, func(a, b MonthlyTotal) int {
		return cmp.Or(strings.Compare(a.Month, b.Month), strings.Compare(a.Category, b.Category), strings.Compare(a.Currency, b.Currency))
	})
	return rows, nil
}

// MonthLabels returns the months MonthlyByCategory covers, oldest first
// ("2025-04" … "2026-03"), for a chart's axis.
func (s *Service) MonthLabels(months int) []string {
	labels, _ := monthRanges(s.now(), min(max(months, 1), 36))
	return labels
}

// monthRanges returns the labels of the n months ending with now's month,
// and the n+1 boundaries between them (first day of each month, and of the
// month after the last), in UTC.
func monthRanges(now time.Time, n int) ([]string, []time.Time) {
	now = now.UTC()
	first := time.Date(now.Year(), now.Month()-time.Month(n-1), 1, 0, 0, 0, 0, time.UTC)
	labels := make([]string, n)
	bounds := make([]time.Time, n+1)
	for i := range n + 1 {
		bounds[i] = first.AddDate(0, i, 0)
		if i < n {
			labels[i] = bounds[i].Format("2006-01")
		}
	}
	return labels, bounds
}

// RecentActivity returns the latest n history events on expenses the actor
// may view, newest first, each with its Actor's and its Expense's
// Employee's ids and names, and its Expense's columns other than the
// texts of the description (what the dashboard's feed shows).
//
// Most people see a good share of what happens, so the latest events they
// may view are among the company's latest few thousand: the first query
// looks only there, newest first, and stops at the n-th visible one. Should
// it find fewer than n, the actor sees little of the company's activity (a
// newcomer, a small team), and the second query starts from their few
// expenses instead. Either way the answer is the same as one query over the
// whole history, which at 100,000 expenses reads either far too many events
// or far too many expenses, depending on who asks. What the events refer to
// is joined to the n events found, in the same statement.
func (s *Service) RecentActivity(ctx context.Context, actor *models.Employee, n int) ([]models.ExpenseEvent, error) {
	n = min(max(n, 1), 100)
	db := s.db.WithContext(ctx)
	// Plain SQL: through gorm, building these statements (the visibility
	// scope's subquery, Pluck) cost more than running them.
	visible, args := policy.VisibleExpensesSQL(actor)
	const newestFirst = " ORDER BY expense_events.id DESC LIMIT ?"
	// The latest events are those with the highest ids, so the window is
	// an id range: whatever the gaps (events go with deleted expenses), n
	// visible events found in it are the latest n of all. CROSS JOIN makes
	// SQLite read the window's events newest first and stop at the n-th
	// visible one; left to choose, it started from all of an employee's
	// expenses and sorted their events (4 ms at 100,000 expenses).
	// PostgreSQL plans a CROSS JOIN as any other join.
	events, err := s.eventsOf(db, "SELECT expense_events.id FROM expense_events CROSS JOIN expenses WHERE expenses.id = expense_events.expense_id"+
		" AND expense_events.id > (SELECT COALESCE(MAX(id), 0) FROM expense_events) - ? AND "+visible+newestFirst,
		append(append([]any{recentWindow}, args...), n))
	if err == nil && len(events) < n {
		events, err = s.eventsOf(db, "SELECT expense_events.id FROM expense_events JOIN expenses ON expenses.id = expense_events.expense_id WHERE "+
			visible+newestFirst, append(args, n))
	}
	if err != nil {
		return nil, fmt.Errorf("load recent activity: %w", err)
	}
	for i := range events {
		ev := &events[i]
		ev.Actor.UserID, ev.Expense.ID, ev.Expense.Employee.UserID = ev.ActorID, ev.ExpenseID, ev.Expense.EmployeeID
	}
	return events, nil
}

// eventsOf loads the events whose ids the query latest selects, newest
// first, with what RecentActivity returns of them: one JOIN read with
// Scan, in the same statement as the ids, rather than three preloads
// through gorm's reflection (a seventh of a manager's dashboard).
func (s *Service) eventsOf(db *gorm.DB, latest string, args []any) ([]models.ExpenseEvent, error) {
	return scanRows(db.Raw("SELECT ev.id, ev.expense_id, ev.actor_id, ev.at, ev.action, ev.from_status, ev.to_status, ev.comment,"+
		" a.full_name, x.employee_id, x.category_id, x.spent_on, x.amount_minor, x.currency, x.merchant, x.status, x.version, o.full_name"+
		" FROM ("+latest+") AS latest CROSS JOIN expense_events ev CROSS JOIN expenses x CROSS JOIN employees a CROSS JOIN employees o"+
		" WHERE ev.id = latest.id AND x.id = ev.expense_id AND a.user_id = ev.actor_id AND o.user_id = x.employee_id ORDER BY ev.id DESC", args...),
		func(ev *models.ExpenseEvent) []any {
			x := &ev.Expense
			return []any{&ev.ID, &ev.ExpenseID, &ev.ActorID, &ev.At, &ev.Action, &ev.FromStatus, &ev.ToStatus, &ev.Comment,
				&ev.Actor.FullName, &x.EmployeeID, &x.CategoryID, &x.SpentOn, &x.AmountMinor, &x.Currency, &x.Merchant, &x.Status,
				&x.Version, &x.Employee.FullName}
		})
}

// recentWindow is how many of the latest events (by id) RecentActivity
// looks at first.
const recentWindow = 2000

// scanRows runs q and reads each row into a T through the pointers fields
// returns, in the order of q's columns: database/sql's Scan, without the
// reflection gorm's Scan spends on every row.
func scanRows[T any](q *gorm.DB, fields func(*T) []any) ([]T, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// One row to scan into, and one list of its fields' pointers, for all
	// rows: a list per row was an allocation per row (a chart reads a
	// hundred). A page's rows are known in number: room for them at once,
	// rather than growing the slice (and copying the rows) five times over.
	var (
		out  []T
		r    T
		zero T
	)
	if l, ok := q.Statement.Clauses["LIMIT"].Expression.(clause.Limit); ok && l.Limit != nil && *l.Limit > 0 {
		out = make([]T, 0, min(*l.Limit, 1000))
	}
	dest := fields(&r)
	for rows.Next() {
		r = zero
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
