package expenses_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

func seedDemo(t *testing.T, db *gorm.DB, seed uint64) *env {
	t.Helper()
	e := newEnv(t, db)
	if err := expenses.SeedDemo(e.ctx, db, rand.New(rand.NewPCG(seed, seed)), nil, testNow()); err != nil {
		t.Fatal(err)
	}
	return e
}

// fingerprint lists every generated expense and event in a comparable form.
func fingerprint(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var xs []models.Expense
	db.Preload("Employee.User").Order("id").Find(&xs)
	var evs []models.ExpenseEvent
	db.Order("id").Find(&evs)
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%s %s %d %s %q %s v%d %v", x.Employee.User.Email, x.SpentOn.Format(time.DateOnly),
			x.AmountMinor, x.Currency, x.Merchant, x.Status, x.Version, x.HasReceipt))
	}
	for _, ev := range evs {
		out = append(out, fmt.Sprintf("%d %d %s %s %s %q", ev.ExpenseID, ev.ActorID, ev.At.UTC().Format(time.RFC3339), ev.Action, ev.ToStatus, ev.Comment))
	}
	return out
}

func TestSeedDemoIsDeterministicForASeed(t *testing.T) {
	t.Parallel()
	a := fingerprint(t, seedDemo(t, expensestest.SQLite(t), 42).db)
	b := fingerprint(t, seedDemo(t, expensestest.SQLite(t), 42).db)
	c := fingerprint(t, seedDemo(t, expensestest.SQLite(t), 43).db)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different data")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same data")
	}
}

func TestSeedDemoGivesEveryClaimantWithAManagerEveryStatus(t *testing.T) {
	t.Parallel()
	e := seedDemo(t, expensestest.SQLite(t), 7)
	var total int64
	e.db.Model(&models.Expense{}).Count(&total)
	if total < 200 || total > 800 {
		t.Errorf("%d expenses, want a few hundred", total)
	}
	statusesOf := func(p *models.Employee) []models.Status {
		var ss []models.Status
		e.db.Model(&models.Expense{}).Where("employee_id = ?", p.UserID).Distinct().Order("status").Pluck("status", &ss)
		return ss
	}
	all := slices.Sorted(slices.Values(models.AllStatuses()))
	for _, p := range []*models.Employee{e.c.Owner, e.c.Peer, e.c.Finance, e.c.Finance2, e.c.Admin, e.c.Outsider} {
		if got := statusesOf(p); !slices.Equal(got, all) {
			t.Errorf("%s has expenses in %v, want every status", p.FullName, got)
		}
	}
	if got := statusesOf(e.c.Manager); !slices.Equal(got, []models.Status{models.StatusDraft}) {
		t.Errorf("the manager has nobody to approve their expenses, yet has %v", got)
	}
	var tel models.Category
	e.db.Where("name = ?", "Telephone").Take(&tel)
	var telephone int64
	e.db.Model(&models.Expense{}).Where("category_id = ?", tel.ID).Count(&telephone)
	if tel.Active || telephone == 0 {
		t.Errorf("Telephone should be retired (active=%v) and used by old expenses (%d)", tel.Active, telephone)
	}
}

// TestSeedDemoHistoriesFollowTheWorkflowRules checks every generated
// history: it starts with the owner creating a draft, each event continues
// from the status the previous one left, submissions and edits are the
// owner's, decisions the owner's manager's, reimbursements someone else's
// in finance, time only moves forward and never past now, and the expense's
// status, version and receipt agree with its history.
func TestSeedDemoHistoriesFollowTheWorkflowRules(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := seedDemo(t, db, 1)
		var people []models.Employee
		db.Preload("User.Roles").Find(&people)
		byID := map[uint]models.Employee{}
		for _, p := range people {
			byID[p.UserID] = p
		}
		var xs []models.Expense
		db.Preload("Employee").Find(&xs)
		var evs []models.ExpenseEvent
		db.Order("at, id").Find(&evs)
		history := map[uint][]models.ExpenseEvent{}
		for _, ev := range evs {
			history[ev.ExpenseID] = append(history[ev.ExpenseID], ev)
		}
		for _, x := range xs {
			h := history[x.ID]
			if len(h) == 0 || h[0].Action != models.EventCreated || h[0].ActorID != x.EmployeeID {
				t.Fatalf("expense %d does not start with its owner creating it: %+v", x.ID, h)
			}
			status := models.Status("")
			for i, ev := range h {
				actor := byID[ev.ActorID]
				ok := ev.FromStatus == status && !ev.At.After(testNow()) && (i == 0 || !ev.At.Before(h[i-1].At))
				switch ev.Action {
				case models.EventCreated, models.EventEdited, models.EventReceiptAttached, models.EventSubmitted:
					ok = ok && ev.ActorID == x.EmployeeID
				case models.EventApproved, models.EventRejected:
					ok = ok && x.Employee.ManagerID != nil && ev.ActorID == *x.Employee.ManagerID && actor.User.HasRole(models.RoleManager)
				case models.EventReimbursed:
					ok = ok && ev.ActorID != x.EmployeeID && actor.User.HasRole(models.RoleFinance)
				}
				if ev.Action == models.EventRejected && ev.Comment == "" {
					ok = false
				}
				if !ok {
					t.Fatalf("expense %d, event %d breaks the rules: %+v", x.ID, i, ev)
				}
				status = ev.ToStatus
			}
			if x.Status != status || x.Version != len(h) {
				t.Errorf("expense %d is %s v%d but its history ends %s after %d events", x.ID, x.Status, x.Version, status, len(h))
			}
			var r models.Receipt
			hasReceipt := db.Where("expense_id = ?", x.ID).Limit(1).Find(&r).RowsAffected == 1
			if hasReceipt != x.HasReceipt {
				t.Errorf("expense %d: HasReceipt %v, receipt row %v", x.ID, x.HasReceipt, hasReceipt)
			}
			if hasReceipt {
				if ct, err := expenses.CheckReceipt(r.FileName, r.Data); err != nil || ct != r.ContentType {
					t.Errorf("expense %d: demo receipt is refused: %v", x.ID, err)
				}
			}
		}
		// And the demo looks believable through the service too.
		if p, err := e.svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}); err != nil || p.Total < 100 {
			t.Errorf("finance sees %d expenses (%v)", p.Total, err)
		}
	})
}

func TestSeedBulkInsertsTheRequestedNumberOfExpenses(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if err := expenses.SeedBulk(e.ctx, db, 2500, rand.New(rand.NewPCG(3, 4)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		var xs, evs int64
		db.Model(&models.Expense{}).Count(&xs)
		db.Model(&models.ExpenseEvent{}).Count(&evs)
		if xs != 2500 || evs != 2500 {
			t.Errorf("%d expenses, %d events; want 2500 each", xs, evs)
		}
		var future int64
		db.Model(&models.Expense{}).Where("spent_on > ?", testNow()).Count(&future)
		if future != 0 {
			t.Errorf("%d expenses in the future", future)
		}
	})
}

// The demo is seeded at whatever time a visitor first runs the app, so its
// histories must make sense at any hour: nothing created before the day it
// was spent, nothing happening after "now".
func TestSeedDemoHistoriesMakeSenseWhateverTheTimeOfSeeding(t *testing.T) {
	t.Parallel()
	for _, now := range []time.Time{
		time.Date(2026, 3, 16, 0, 0, 30, 0, time.UTC),
		time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC),
	} {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			db := expensestest.SQLite(t)
			newEnv(t, db)
			if err := expenses.SeedDemo(t.Context(), db, rand.New(rand.NewPCG(7, 42)), nil, now); err != nil {
				t.Fatal(err)
			}
			var xs []models.Expense
			db.Find(&xs)
			if len(xs) == 0 {
				t.Fatal("no demo expenses")
			}
			for _, x := range xs {
				if x.CreatedAt.Before(x.SpentOn) {
					t.Errorf("expense %d spent %s but created %s", x.ID, x.SpentOn.Format(time.DateOnly), x.CreatedAt.UTC().Format(time.RFC3339))
				}
				if x.SpentOn.After(now) {
					t.Errorf("expense %d spent in the future: %s", x.ID, x.SpentOn.Format(time.DateOnly))
				}
			}
			var evs []models.ExpenseEvent
			db.Find(&evs)
			for _, ev := range evs {
				if ev.At.After(now) {
					t.Errorf("event %d of expense %d happens after now: %s", ev.ID, ev.ExpenseID, ev.At.UTC().Format(time.RFC3339))
				}
			}
		})
	}
}
