// Package expenses is the expenses domain of Company Expenses: drafts and
// their validation, the approval workflow, the queries behind lists,
// dashboards and CSV exports, receipts, categories and demo data. It knows
// nothing of HTTP or HTML, so every rule can be tested without a browser.
//
// Every operation takes the acting person and asks app/policy before it
// acts, so handlers cannot forget a check. Every change runs in one
// transaction together with its history entry and its update of the
// rollup behind the dashboards (totals.go), and guards against
// concurrent changes with the expense's Version: the UPDATE names the
// version and status the actor saw, and when another change got there
// first the operation fails with a ConflictError describing it.
//
// Errors a user can cause are FieldErrors, *NotAllowedError,
// *ConflictError and ErrNotFound; UserMessage turns them into text.
package expenses

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// Service runs the expenses domain on a database.
type Service struct {
	db  *gorm.DB
	now func() time.Time
	// beforeWrite, when set by a test, runs just before the guarded UPDATE,
	// so that the concurrency tests can line up two actors who both read
	// the same version.
	beforeWrite func()
	// countLimit is CountLimit, lowered by tests.
	countLimit int
	// notify, when set, is told of every change in its transaction (the
	// notification mails, app/expenses/notify).
	notify Notifier
}

// Notifier is told of a change to an expense inside the change's
// transaction, after it is written: a mail written through tx goes out
// exactly when the change commits. An error rolls the change back.
type Notifier func(ctx context.Context, tx *gorm.DB, e *models.Expense, ev models.ExpenseEvent) error

// WithNotifier returns a copy of s that tells n of every change.
func (s *Service) WithNotifier(n Notifier) *Service {
	c := *s
	c.notify = n
	return &c
}

// NewService returns a service on db, reading the time from the system
// clock in UTC.
func NewService(db *gorm.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }, countLimit: CountLimit}
}

// WithClock returns a copy of s that reads the time from now, so that tests
// can pin "today" (dates in the future, two-year limits, monthly charts).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = func() time.Time { return now().UTC() }
	return &c
}

// Get returns the expense with its Employee and Category, or ErrNotFound
// when it does not exist or the actor may not view it.
func (s *Service) Get(ctx context.Context, actor *models.Employee, id uint) (*models.Expense, error) {
	e, err := loadExpense(s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	if !policy.Can(actor, policy.ViewExpense, e) {
		return nil, ErrNotFound
	}
	return e, nil
}

// History returns the expense's history, oldest first, each event with its
// Actor; ErrNotFound when the actor may not view the expense.
func (s *Service) History(ctx context.Context, actor *models.Employee, id uint) ([]models.ExpenseEvent, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	var events []models.ExpenseEvent
	err := s.db.WithContext(ctx).Preload("Actor").Where("expense_id = ?", id).
		Order("at, id").Find(&events).Error
	if err != nil {
		return nil, fmt.Errorf("load history of expense %d: %w", id, err)
	}
	return events, nil
}

// loadExpense reads an expense with what the policy and the pages need.
func loadExpense(db *gorm.DB, id uint) (*models.Expense, error) {
	var e models.Expense
	err := db.Preload("Employee").Preload("Category").Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load expense %d: %w", id, err)
	}
	return &e, nil
}

// loadForAction reads the expense inside tx and authorizes the action.
func (s *Service) loadForAction(tx *gorm.DB, actor *models.Employee, id uint, version int, action policy.Action) (*models.Expense, error) {
	e, err := loadExpense(tx, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(tx, actor, e, version, action); err != nil {
		return nil, err
	}
	return e, nil
}

// authorize decides whether actor may perform action on the version of e
// they saw. Someone who may not even view it gets ErrNotFound, a stale
// version a ConflictError, a refusal a NotAllowedError.
func authorize(tx *gorm.DB, actor *models.Employee, e *models.Expense, version int, action policy.Action) error {
	if !policy.Can(actor, policy.ViewExpense, e) {
		return ErrNotFound
	}
	if e.Version != version {
		return conflict(tx, e.ID)
	}
	if d := policy.Decide(actor, action, e); !d.Allowed {
		return notAllowed(action, d.Reason)
	}
	return nil
}

// change applies changes to e and records ev, guarded by the version and
// status the actor saw: when the UPDATE finds no such row, someone else
// changed the expense first (on PostgreSQL the loser's UPDATE waits for the
// winner's commit and then matches nothing), and change reports the
// conflict. It moves the expense in the rollup (t) as the changes demand.
func (s *Service) change(tx *gorm.DB, t totals, actor *models.Employee, e *models.Expense, changes map[string]any, ev models.ExpenseEvent) error {
	before := *e
	after := *e
	if err := applyChanges(&after, changes); err != nil {
		return err
	}
	if s.beforeWrite != nil {
		s.beforeWrite()
	}
	now := s.now()
	changes["version"] = gorm.Expr("version + 1")
	changes["updated_at"] = now
	res := tx.Model(&models.Expense{}).
		Where("id = ? AND version = ? AND status = ?", e.ID, e.Version, e.Status).
		Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("update expense %d: %w", e.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return conflict(tx, e.ID)
	}
	if ev.ToStatus == "" {
		ev.ToStatus = e.Status
	}
	ev.ExpenseID, ev.ActorID, ev.At, ev.FromStatus = e.ID, actor.UserID, now, e.Status
	if err := tx.Omit(clause.Associations).Create(&ev).Error; err != nil {
		return fmt.Errorf("record %s of expense %d: %w", ev.Action, e.ID, err)
	}
	t.add(&before, -1)
	t.add(&after, 1)
	e.Version++
	e.Status = ev.ToStatus
	e.UpdatedAt = now
	if s.notify != nil {
		return s.notify(tx.Statement.Context, tx, e, ev)
	}
	return nil
}

// applyChanges sets the fields of e that the rollup depends on from a map
// of column changes, as the UPDATE will. An unexpected value fails the
// change rather than leave the rollup wrong.
func applyChanges(e *models.Expense, changes map[string]any) error {
	for column, v := range changes {
		ok := true
		switch column {
		case "status":
			switch v := v.(type) {
			case models.Status:
				e.Status = v
			case string:
				e.Status = models.Status(v)
			default:
				ok = false
			}
		case "spent_on":
			e.SpentOn, ok = v.(time.Time)
		case "category_id":
			e.CategoryID, ok = v.(uint)
		case "amount_minor":
			e.AmountMinor, ok = v.(int64)
		case "currency":
			e.Currency, ok = v.(string)
		case "employee_id":
			e.EmployeeID, ok = v.(uint)
		}
		if !ok {
			return fmt.Errorf("change %s of expense %d: unexpected value %T", column, e.ID, v)
		}
	}
	return nil
}

// conflict describes the latest change to the expense, for the person whose
// action lost the race.
func conflict(tx *gorm.DB, id uint) error {
	var e models.Expense
	err := tx.Select("id", "status").Where("id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("reload expense %d: %w", id, err)
	}
	var ev models.ExpenseEvent
	err = tx.Preload("Actor").Where("expense_id = ?", id).Order("id DESC").Take(&ev).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("load latest event of expense %d: %w", id, err)
	}
	return &ConflictError{Action: ev.Action, Status: e.Status, By: ev.Actor.DisplayName(), At: ev.At}
}
