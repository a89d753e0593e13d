package expenses_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// testNow is "now" in every test: a Sunday in March 2026, 10:00 UTC.
func testNow() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }

// env is one test's world: a fresh database, the company and the service.
type env struct {
	t   testing.TB
	db  *gorm.DB
	svc *expenses.Service
	c   *expensestest.Company
	ctx context.Context
}

func newEnv(t testing.TB, db *gorm.DB) *env {
	t.Helper()
	return &env{
		t: t, db: db, ctx: context.Background(),
		svc: expenses.NewService(db).WithClock(testNow),
		c:   expensestest.NewCompany(t, db),
	}
}

func sqliteEnv(t testing.TB) *env { return newEnv(t, expensestest.SQLite(t)) }

// draft is a valid draft: a train ticket.
func (e *env) draft() expenses.Draft {
	return expenses.Draft{
		SpentOn: "2026-03-10", CategoryID: itoa(e.c.Travel.ID), Amount: "12.50", Currency: "EUR",
		Merchant: "Deutsche Bahn", Description: "Train to the client workshop",
	}
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

// expenseOf creates an expense of owner and walks it through the workflow
// until it reaches status, with the company's manager deciding and finance
// paying.
func (e *env) expenseOf(owner *models.Employee, status models.Status) *models.Expense {
	e.t.Helper()
	x, err := e.svc.Create(e.ctx, owner, e.draft(), status != models.StatusDraft)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	switch status {
	case models.StatusApproved, models.StatusReimbursed:
		if x, err = e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, ""); err != nil {
			e.t.Fatalf("approve: %v", err)
		}
	case models.StatusRejected:
		if x, err = e.svc.Reject(e.ctx, e.c.Manager, x.ID, x.Version, "Please attach the receipt."); err != nil {
			e.t.Fatalf("reject: %v", err)
		}
	}
	if status == models.StatusReimbursed {
		payer := e.c.Finance
		if owner.UserID == payer.UserID {
			payer = e.c.Finance2
		}
		if x, err = e.svc.Reimburse(e.ctx, payer, x.ID, x.Version); err != nil {
			e.t.Fatalf("reimburse: %v", err)
		}
	}
	if x.Status != status {
		e.t.Fatalf("expense is %s, want %s", x.Status, status)
	}
	return x
}

// events returns the history of an expense straight from the table.
func (e *env) events(id uint) []models.ExpenseEvent {
	e.t.Helper()
	var evs []models.ExpenseEvent
	if err := e.db.Where("expense_id = ?", id).Order("id").Find(&evs).Error; err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// reload reads an expense straight from the table.
func (e *env) reload(id uint) *models.Expense {
	e.t.Helper()
	var x models.Expense
	if err := e.db.Where("id = ?", id).Take(&x).Error; err != nil {
		e.t.Fatal(err)
	}
	return &x
}

// insert writes an expense directly, bypassing validation and workflow,
// for query and aggregate tests that need exact dates and statuses. Like
// any write behind the service's back, it must bring the rollup up to date
// with RebuildTotals.
func (e *env) insert(owner *models.Employee, cat models.Category, spentOn time.Time, minor int64, currency, merchant string, status models.Status) models.Expense {
	e.t.Helper()
	x := models.Expense{EmployeeID: owner.UserID, CategoryID: cat.ID, SpentOn: spentOn, AmountMinor: minor,
		Currency: currency, Merchant: merchant, Status: status, Version: 1}
	if err := e.db.Omit("Employee", "Category").Create(&x).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := expenses.RebuildTotals(e.ctx, e.db); err != nil {
		e.t.Fatal(err)
	}
	return x
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
