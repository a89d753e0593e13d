package expenses

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/models"
)

// The dashboards aggregate in SQL: whatever the number of expenses, each
// figure below is one query returning a handful of rows. Amounts are summed
// per currency, because euros and yen do not add up.

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
	var rows []StatusTotal
	err := s.db.WithContext(ctx).Model(&models.Expense{}).
		Scopes(policy.VisibleExpenses(actor), inScope(actor, sc)).
		Select("expenses.status AS status, expenses.currency AS currency, COUNT(*) AS count, SUM(expenses.amount_minor) AS sum_minor").
		Group("expenses.status, expenses.currency").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("total expenses by status: %w", err)
	}
	rank := func(st models.Status) int { return slices.Index(models.AllStatuses, st) }
	slices.SortFunc(rows, func(a, b StatusTotal) int {
		return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), strings.Compare(a.Currency, b.Currency))
	})
	return rows, nil
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
	var rows []CurrencyTotal
	err := s.db.WithContext(ctx).Model(&models.Expense{}).
		Select("currency, COUNT(*) AS count, SUM(amount_minor) AS sum_minor").
		Where("status = ?", models.StatusApproved).
		Group("currency").Order("currency").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("total approved expenses: %w", err)
	}
	return rows, nil
}

// PendingApprovalsCount is the number of submitted expenses waiting for the
// actor's decision: those of their direct reports, if they are a manager.
func (s *Service) PendingApprovalsCount(ctx context.Context, actor *models.Employee) (int64, error) {
	if !policy.Can(actor, policy.ViewApprovals, nil) {
		return 0, nil
	}
	var n int64
	err := s.pendingApprovals(s.db.WithContext(ctx), actor).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count pending approvals: %w", err)
	}
	return n, nil
}

func (s *Service) pendingApprovals(db *gorm.DB, actor *models.Employee) *gorm.DB {
	return db.Model(&models.Expense{}).Where("status = ? AND employee_id IN (?)",
		models.StatusSubmitted, policy.ReportsOf(db, actor.UserID))
}

// Counts returns the numbers for the navigation badges: submitted expenses
// waiting for the actor's approval, and approved expenses the actor may
// reimburse (everyone's but their own). Each is zero when the actor lacks
// the role.
func (s *Service) Counts(ctx context.Context, actor *models.Employee) (approvals, reimbursements int64, err error) {
	if approvals, err = s.PendingApprovalsCount(ctx, actor); err != nil {
		return 0, 0, err
	}
	if policy.Can(actor, policy.ViewReimbursements, nil) {
		err = s.db.WithContext(ctx).Model(&models.Expense{}).
			Where("status = ? AND employee_id <> ?", models.StatusApproved, actor.UserID).
			Count(&reimbursements).Error
		if err != nil {
			return 0, 0, fmt.Errorf("count expenses to reimburse: %w", err)
		}
	}
	return approvals, reimbursements, nil
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

// MonthlyByCategory sums the claimed expenses (submitted, approved or
// reimbursed: drafts are not claims yet, rejected ones were refused) in
// scope that the actor may view, per month, category and currency, for the
// given number of months ending with the current one. Months with nothing
// claimed have no rows; MonthLabels lists all the months for a chart's axis.
//
// Dates are grouped into months without date functions: SQLite has
// strftime, PostgreSQL to_char, and neither has the other's. Instead the
// month boundaries are computed here and the SQL groups by a CASE over
// ranges of spent_on, which reads the same on both databases and lets the
// range condition use the spent_on indexes.
func (s *Service) MonthlyByCategory(ctx context.Context, actor *models.Employee, sc Scope, months int) ([]MonthlyTotal, error) {
	months = min(max(months, 1), 36)
	labels, bounds := monthRanges(s.now(), months)
	var cases strings.Builder
	args := make([]any, 0, 2*months+2)
	cases.WriteString("CASE")
	for i, l := range labels {
		cases.WriteString(" WHEN expenses.spent_on < ? THEN '" + l + "'")
		args = append(args, bounds[i+1])
	}
	cases.WriteString(" END")

	db := s.db.WithContext(ctx)
	var rows []MonthlyTotal
	err := db.Model(&models.Expense{}).
		Scopes(policy.VisibleExpenses(actor), inScope(actor, sc)).
		Select(cases.String()+" AS month, expenses.category_id AS category_id, "+
			"expenses.currency AS currency, COUNT(*) AS count, SUM(expenses.amount_minor) AS sum_minor", args...).
		Where("expenses.spent_on >= ? AND expenses.spent_on < ?", bounds[0], bounds[months]).
		Where("expenses.status IN ?", []models.Status{models.StatusSubmitted, models.StatusApproved, models.StatusReimbursed}).
		Group("1, 2, 3").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("total expenses by month and category: %w", err)
	}
	// Names come from the (small) categories table rather than a JOIN, so
	// that the aggregate reads nothing but the covering index.
	var cats []models.Category
	if err := db.Select("id", "name").Find(&cats).Error; err != nil {
		return nil, fmt.Errorf("load category names: %w", err)
	}
	names := make(map[uint]string, len(cats))
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	for i := range rows {
		rows[i].Category = names[rows[i].CategoryID]
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
// may view, newest first, each with its Actor and its Expense (with the
// Expense's Employee).
func (s *Service) RecentActivity(ctx context.Context, actor *models.Employee, n int) ([]models.ExpenseEvent, error) {
	n = min(max(n, 1), 100)
	var events []models.ExpenseEvent
	err := s.db.WithContext(ctx).Model(&models.ExpenseEvent{}).
		Joins("JOIN expenses ON expenses.id = expense_events.expense_id").
		Scopes(policy.VisibleExpenses(actor)).
		Preload("Actor").Preload("Expense").Preload("Expense.Employee").
		Order("expense_events.id DESC").Limit(n).
		Find(&events).Error
	if err != nil {
		return nil, fmt.Errorf("load recent activity: %w", err)
	}
	return events, nil
}
