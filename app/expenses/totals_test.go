package expenses_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// groupedExpenses adds up the expenses table in SQL, with each database's
// own date functions: an implementation of "month" independent of the one
// the rollup uses (expenses.MonthNumber).
func groupedExpenses(t *testing.T, db *gorm.DB) ([]models.ExpenseTotal, []models.CompanyExpenseTotal) {
	t.Helper()
	month := "CAST(strftime('%Y%m', spent_on) AS INTEGER)"
	if db.Dialector.Name() == "postgres" {
		month = "CAST(EXTRACT(YEAR FROM spent_on AT TIME ZONE 'UTC') * 100 + EXTRACT(MONTH FROM spent_on AT TIME ZONE 'UTC') AS INTEGER)"
	}
	var people []models.ExpenseTotal
	err := db.Model(&models.Expense{}).
		Select("employee_id, " + month + " AS month, category_id, status, currency, COUNT(*) AS count, SUM(amount_minor) AS sum_minor").
		Group("employee_id, " + month + ", category_id, status, currency").
		Order("employee_id, month, category_id, status, currency").Scan(&people).Error
	if err != nil {
		t.Fatal(err)
	}
	var company []models.CompanyExpenseTotal
	err = db.Model(&models.Expense{}).
		Select(month + " AS month, category_id, status, currency, COUNT(*) AS count, SUM(amount_minor) AS sum_minor").
		Group(month + ", category_id, status, currency").
		Order("month, category_id, status, currency").Scan(&company).Error
	if err != nil {
		t.Fatal(err)
	}
	return people, company
}

// checkDashboardRollup fails the test unless the dashboard rollup holds
// exactly what groupedDashboard says, with the teams of teams.
func checkDashboardRollup(t *testing.T, db *gorm.DB, teams, when string) {
	t.Helper()
	wantStatus, wantMonths, wantCurrencies := expensestest.GroupedDashboard(t, db, teams)
	var status []models.DashboardStatusTotal
	db.Order("scope, owner_id, status, currency").Find(&status)
	var months []models.DashboardMonthTotal
	db.Order("scope, owner_id, month, category_id, currency").Find(&months)
	var currencies []models.DashboardCurrencyTotal
	db.Order("scope, owner_id, month, currency").Find(&currencies)
	if !slices.Equal(currencies, wantCurrencies) {
		t.Fatalf("%s: dashboard_currency_totals (teams from %s)\n got %+v\nwant %+v", when, teams, currencies, wantCurrencies)
	}
	if !slices.Equal(status, wantStatus) {
		t.Fatalf("%s: dashboard_status_totals (teams from %s)\n got %+v\nwant %+v", when, teams, status, wantStatus)
	}
	if !slices.Equal(months, wantMonths) {
		t.Fatalf("%s: dashboard_month_totals (teams from %s)\n got %+v\nwant %+v", when, teams, months, wantMonths)
	}
}

// checkRollup fails the test unless every rollup table holds exactly what
// a GROUP BY over the expenses table says, and CheckTotals agrees.
func checkRollup(t *testing.T, db *gorm.DB, when string) {
	t.Helper()
	checkDashboardRollup(t, db, "dashboard_team_members", when)
	wantPeople, wantCompany := groupedExpenses(t, db)
	var people []models.ExpenseTotal
	db.Order("employee_id, month, category_id, status, currency").Find(&people)
	var company []models.CompanyExpenseTotal
	db.Order("month, category_id, status, currency").Find(&company)
	if !slices.Equal(people, wantPeople) {
		t.Fatalf("%s: expense_totals\n got %+v\nwant %+v", when, people, wantPeople)
	}
	if !slices.Equal(company, wantCompany) {
		t.Fatalf("%s: company_expense_totals\n got %+v\nwant %+v", when, company, wantCompany)
	}
	diffs, err := expenses.CheckTotals(context.Background(), db)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("%s: CheckTotals: %v %v", when, diffs, err)
	}
}

// TestRollupEqualsAGroupByOverExpensesAfterEveryKindOfWrite runs a random
// sequence of every write the service offers (create, create and submit,
// edits of amount, currency, category and date, with and without
// submitting, receipts, deletes, every transition, batch reimbursements
// with refusals among them), and of people moved to another manager the
// way the template moves them (an UPDATE of employees.manager_id the demo
// hears nothing of), and checks after each that every rollup, the
// dashboard's included, is exactly the GROUP BY over expenses, and that
// once both managers have read their team's figures the team rows follow
// the employees table.
func TestRollupEqualsAGroupByOverExpensesAfterEveryKindOfWrite(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		c := e.c
		rng := rand.New(rand.NewPCG(5, 8))
		claimants := []*models.Employee{c.Owner, c.Peer, c.Finance, c.Finance2, c.Admin, c.Outsider}
		byID := map[uint]*models.Employee{}
		for _, p := range append(slices.Clone(claimants), c.Manager, c.OtherManager) {
			byID[p.UserID] = p
		}
		managers := []*models.Employee{c.Manager, c.OtherManager}
		deciderOf := func(x *models.Expense) *models.Employee {
			if m := byID[x.EmployeeID].ManagerID; m != nil && *m == c.OtherManager.UserID {
				return c.OtherManager
			}
			return c.Manager
		}
		payerOf := func(x *models.Expense) *models.Employee {
			if x.EmployeeID == c.Finance.UserID {
				return c.Finance2
			}
			return c.Finance
		}
		randomDraft := func() expenses.Draft {
			d := e.draft()
			d.SpentOn = testNow().AddDate(0, 0, -rng.IntN(420)).Format(expenses.DateLayout)
			d.CategoryID = itoa([]models.Category{c.Travel, c.Meals}[rng.IntN(2)].ID)
			d.Currency = []string{"EUR", "EUR", "GBP", "JPY"}[rng.IntN(4)]
			d.Amount = fmt.Sprint(1 + rng.IntN(900))
			return d
		}
		pick := func(statuses ...models.Status) *models.Expense {
			var xs []models.Expense
			db.Where("status IN ?", statuses).Order("id").Find(&xs)
			if len(xs) == 0 {
				return nil
			}
			return &xs[rng.IntN(len(xs))]
		}
		ownersHands := []models.Status{models.StatusDraft, models.StatusRejected}
		for step := range 160 {
			var op string
			var err error
			switch r := rng.IntN(100); {
			case r < 25:
				op = "create"
				_, err = e.svc.Create(e.ctx, claimants[rng.IntN(len(claimants))], randomDraft(), rng.IntN(2) == 0)
			case r < 37:
				op = "update"
				if x := pick(ownersHands...); x != nil {
					d := expenses.DraftOf(x)
					switch rng.IntN(4) {
					case 0:
						d.Amount = fmt.Sprint(1 + rng.IntN(900))
					case 1:
						nd := randomDraft()
						d.Currency, d.Amount = nd.Currency, nd.Amount
					case 2:
						d.CategoryID = randomDraft().CategoryID
					default:
						d.SpentOn = randomDraft().SpentOn
					}
					_, err = e.svc.Update(e.ctx, byID[x.EmployeeID], x.ID, x.Version, d, rng.IntN(2) == 0)
				}
			case r < 43:
				op = "delete"
				if x := pick(ownersHands...); x != nil {
					err = e.svc.Delete(e.ctx, byID[x.EmployeeID], x.ID, x.Version)
				}
			case r < 48:
				op = "attach receipt"
				if x := pick(ownersHands...); x != nil {
					_, err = e.svc.AttachReceipt(e.ctx, byID[x.EmployeeID], x.ID, x.Version, expenses.Upload{Name: "r.png", Data: pngBytes()})
				}
			case r < 60:
				op = "submit"
				if x := pick(ownersHands...); x != nil {
					_, err = e.svc.Submit(e.ctx, byID[x.EmployeeID], x.ID, x.Version)
				}
			case r < 72:
				op = "approve"
				if x := pick(models.StatusSubmitted); x != nil {
					_, err = e.svc.Approve(e.ctx, deciderOf(x), x.ID, x.Version, "")
				}
			case r < 78:
				op = "reject"
				if x := pick(models.StatusSubmitted); x != nil {
					_, err = e.svc.Reject(e.ctx, deciderOf(x), x.ID, x.Version, "Receipt missing.")
				}
			case r < 82:
				op = "move to another manager"
				p := []*models.Employee{c.Owner, c.Peer, c.Outsider, c.Finance, c.Admin}[rng.IntN(5)]
				m := managers[rng.IntN(2)].UserID
				err = db.Model(&models.Employee{}).Where("user_id = ?", p.UserID).Update("manager_id", m).Error
				p.ManagerID = &m
			case r < 86:
				op = "reimburse"
				if x := pick(models.StatusApproved); x != nil {
					_, err = e.svc.Reimburse(e.ctx, payerOf(x), x.ID, x.Version)
				}
			default:
				op = "reimburse many"
				// Some approved, some not: the refusals must leave no trace.
				var ids []uint
				db.Model(&models.Expense{}).Where("status IN ?", []models.Status{models.StatusApproved, models.StatusSubmitted, models.StatusReimbursed}).
					Order("id").Pluck("id", &ids)
				rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				_, err = e.svc.ReimburseMany(e.ctx, c.Finance, ids[:min(len(ids), 1+rng.IntN(6))])
			}
			if err != nil {
				t.Fatalf("step %d, %s: %v", step, op, err)
			}
			when := fmt.Sprintf("step %d, after %s", step, op)
			checkRollup(t, db, when)
			if rng.IntN(3) == 0 { // let moves pile up between looks
				for _, m := range managers {
					if _, err := e.svc.TotalsByStatus(e.ctx, m, expenses.ScopeTeam); err != nil {
						t.Fatal(err)
					}
				}
				checkDashboardRollup(t, db, "employees", when+", once the managers looked")
				checkRollup(t, db, when+", once the managers looked")
			}
		}
		var n int64
		db.Model(&models.ExpenseTotal{}).Count(&n)
		if n == 0 {
			t.Fatal("the random operations left no expenses: the test proves nothing")
		}
	})
}

func TestSeedingFillsTheRollup(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if err := expenses.SeedDemo(e.ctx, db, rand.New(rand.NewPCG(1, 2)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		checkRollup(t, db, "after SeedDemo")
		if err := expenses.SeedBulk(e.ctx, db, 1500, rand.New(rand.NewPCG(3, 4)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		checkRollup(t, db, "after SeedBulk")
	})
}

// TestMigrateFillsTheRollupOfAnOlderDatabaseAndRepairsDrift plays a
// database created before the rollup existed (expenses, empty rollup, an
// index since replaced), and one written behind the service's back:
// Migrate must fix both. On
// PostgreSQL three instances start at once, and the advisory lock must keep
// them from filling the rollup twice.
func TestMigrateFillsTheRollupOfAnOlderDatabaseAndRepairsDrift(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if err := expenses.SeedBulk(e.ctx, db, 700, rand.New(rand.NewPCG(9, 9)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		for _, m := range models.ExpenseRollups() {
			if err := db.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error; err != nil {
				t.Fatal(err)
			}
		}
		if diffs, _ := expenses.CheckTotals(e.ctx, db); len(diffs) == 0 {
			t.Fatal("CheckTotals finds nothing wrong with an empty rollup")
		}
		instances := 1
		if db.Dialector.Name() == "postgres" {
			instances = 3
		}
		var wg sync.WaitGroup
		errs := make([]error, instances)
		for i := range instances {
			wg.Go(func() { errs[i] = database.Migrate(e.ctx, db, expenses.Migrations()) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		checkRollup(t, db, "after filling at start-up")

		// Behind the service's back: an approval and a deletion.
		if err := db.Exec("UPDATE expenses SET status = ? WHERE id = (SELECT MIN(id) FROM expenses WHERE status = ?)",
			models.StatusApproved, models.StatusSubmitted).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM expenses WHERE id = (SELECT MAX(id) FROM expenses WHERE status = ?)", models.StatusDraft).Error; err != nil {
			t.Fatal(err)
		}
		if err := database.Migrate(e.ctx, db, expenses.Migrations()); err != nil {
			t.Fatal(err)
		}
		checkRollup(t, db, "after repairing at start-up")
	})
}

// TestConcurrentBatchesInOppositeRollupOrderNeitherDeadlockNorDrift has two
// members of finance each reimburse a batch at the same moment, the first
// batch touching rollup rows in the order Travel, Meals and the second in
// the order Meals, Travel. Rollup rows updated as each expense changes
// would lock them in opposite orders, which PostgreSQL aborts as a
// deadlock; applied at the end, in key order, they cannot.
func TestConcurrentBatchesInOppositeRollupOrderNeitherDeadlockNorDrift(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		approved := func(cat models.Category) uint {
			d := e.draft()
			d.CategoryID = itoa(cat.ID)
			x, err := e.svc.Create(e.ctx, e.c.Owner, d, true)
			if err != nil {
				t.Fatal(err)
			}
			if x, err = e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, ""); err != nil {
				t.Fatal(err)
			}
			return x.ID
		}
		for round := range 10 {
			a1, a2 := approved(e.c.Travel), approved(e.c.Meals)
			b1, b2 := approved(e.c.Meals), approved(e.c.Travel)
			lineUp(e.svc)
			var resA, resB []expenses.Result
			errA, errB := race(
				func() (err error) { resA, err = e.svc.ReimburseMany(e.ctx, e.c.Finance, []uint{a1, a2}); return err },
				func() (err error) { resB, err = e.svc.ReimburseMany(e.ctx, e.c.Finance2, []uint{b1, b2}); return err },
			)
			expenses.SetBeforeWrite(e.svc, nil)
			if errA != nil || errB != nil {
				t.Fatalf("round %d: %v / %v", round, errA, errB)
			}
			for _, r := range append(resA, resB...) {
				if r.Err != nil {
					t.Fatalf("round %d: expense %d: %v", round, r.ID, r.Err)
				}
			}
			checkRollup(t, db, fmt.Sprintf("round %d", round))
		}
	})
}

// visibleTo is the reference for the dashboard and count tests: the
// expenses a person may view in a scope, decided row by row in Go by
// policy.Can, as the detail page decides.
func visibleTo(actor *models.Employee, sc expenses.Scope, all []models.Expense) []models.Expense {
	var out []models.Expense
	for i := range all {
		x := &all[i]
		if !policy.Can(actor, policy.ViewExpense, x) {
			continue
		}
		switch sc {
		case expenses.ScopeMine:
			if x.EmployeeID != actor.UserID {
				continue
			}
		case expenses.ScopeTeam:
			m := x.Employee.ManagerID
			if x.Status == models.StatusDraft || m == nil || *m != actor.UserID || x.EmployeeID == actor.UserID {
				continue
			}
		}
		out = append(out, *x)
	}
	return out
}

// dashboardWorld is the test company, someone holding every role, a
// manager recorded as their own manager, and a few hundred expenses of
// everyone in every status over two years.
func dashboardWorld(t *testing.T, db *gorm.DB) (*env, []*models.Employee, []models.Expense) {
	t.Helper()
	e := newEnv(t, db)
	c := e.c
	everything := expensestest.Employee(t, db, "all@example.com", "Al Roles", &c.Manager.UserID, models.BaseRoles().With(models.ExpenseRoles()...).All()...)
	selfManaged := expensestest.Employee(t, db, "self@example.com", "Sam Self", nil, models.RoleEmployee, models.RoleManager)
	if err := db.Model(&models.Employee{}).Where("user_id = ?", selfManaged.UserID).Update("manager_id", selfManaged.UserID).Error; err != nil {
		t.Fatal(err)
	}
	selfManaged.ManagerID = &selfManaged.UserID
	// A report of someone who is not a manager: their manager sees nothing
	// of theirs, and has no approvals.
	report := expensestest.Employee(t, db, "report@example.com", "Rita Report", &c.Owner.UserID, models.RoleEmployee)
	if err := expenses.SeedBulk(e.ctx, db, 900, rand.New(rand.NewPCG(11, 12)), nil, testNow()); err != nil {
		t.Fatal(err)
	}
	// A second year, for charts longer than twelve months.
	if err := expenses.SeedBulk(e.ctx, db, 300, rand.New(rand.NewPCG(13, 14)), nil, testNow().AddDate(-1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	var all []models.Expense
	if err := db.Preload("Employee").Order("id").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	people := []*models.Employee{c.Owner, c.Manager, c.OtherManager, c.Outsider, c.Peer, c.Finance, c.Finance2, c.Admin, c.Inactive, everything, selfManaged, report, nil}
	return e, people, all
}

func nameOf(p *models.Employee) string {
	if p == nil {
		return "nobody"
	}
	return p.FullName
}

// TestDashboardFiguresEqualTheExpensesTheyStandFor checks every figure the
// rollup answers (totals by status, the monthly chart, the badges, what
// finance owes, category uses) for every kind of person and scope against
// the expenses that person may view, decided one by one by policy.Can.
func TestDashboardFiguresEqualTheExpensesTheyStandFor(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e, people, all := dashboardWorld(t, db)
		labels := e.svc.MonthLabels(18)
		for _, actor := range people {
			for _, sc := range []expenses.Scope{expenses.ScopeMine, expenses.ScopeTeam, expenses.ScopeAll} {
				who := fmt.Sprintf("%s, %s", nameOf(actor), sc)
				seen := visibleTo(actor, sc, all)

				var wantTotals []expenses.StatusTotal
				for _, x := range seen {
					i := slices.IndexFunc(wantTotals, func(s expenses.StatusTotal) bool { return s.Status == x.Status && s.Currency == x.Currency })
					if i < 0 {
						wantTotals = append(wantTotals, expenses.StatusTotal{Status: x.Status, Currency: x.Currency})
						i = len(wantTotals) - 1
					}
					wantTotals[i].Count++
					wantTotals[i].SumMinor += x.AmountMinor
				}
				rank := func(s models.Status) int { return slices.Index(models.AllStatuses(), s) }
				slices.SortFunc(wantTotals, func(a, b expenses.StatusTotal) int {
					return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), strings.Compare(a.Currency, b.Currency))
				})
				gotTotals, err := e.svc.TotalsByStatus(e.ctx, actor, sc)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(gotTotals, wantTotals) {
					t.Errorf("%s: totals\n got %+v\nwant %+v", who, gotTotals, wantTotals)
				}

				var wantMonthly []expenses.MonthlyTotal
				for _, x := range seen {
					m := x.SpentOn.UTC().Format("2006-01")
					if !slices.Contains(labels, m) || x.Status == models.StatusDraft || x.Status == models.StatusRejected {
						continue
					}
					i := slices.IndexFunc(wantMonthly, func(t expenses.MonthlyTotal) bool {
						return t.Month == m && t.CategoryID == x.CategoryID && t.Currency == x.Currency
					})
					if i < 0 {
						wantMonthly = append(wantMonthly, expenses.MonthlyTotal{Month: m, CategoryID: x.CategoryID, Currency: x.Currency})
						i = len(wantMonthly) - 1
					}
					wantMonthly[i].Count++
					wantMonthly[i].SumMinor += x.AmountMinor
				}
				gotMonthly, err := e.svc.MonthlyByCategory(e.ctx, actor, sc, 18)
				if err != nil {
					t.Fatal(err)
				}
				for i := range gotMonthly {
					if gotMonthly[i].Category == "" {
						t.Errorf("%s: month %s has no category name", who, gotMonthly[i].Month)
					}
					gotMonthly[i].Category = ""
				}
				slices.SortFunc(gotMonthly, compareMonthly)
				slices.SortFunc(wantMonthly, compareMonthly)
				if !slices.Equal(gotMonthly, wantMonthly) {
					t.Errorf("%s: monthly\n got %+v\nwant %+v", who, gotMonthly, wantMonthly)
				}

				// The dashboard's chart: one currency's rows of the same.
				var wantCurrencies []expenses.CurrencyTotal
				for _, m := range wantMonthly {
					i := slices.IndexFunc(wantCurrencies, func(c expenses.CurrencyTotal) bool { return c.Currency == m.Currency })
					if i < 0 {
						wantCurrencies = append(wantCurrencies, expenses.CurrencyTotal{Currency: m.Currency})
						i = len(wantCurrencies) - 1
					}
					wantCurrencies[i].Count += m.Count
					wantCurrencies[i].SumMinor += m.SumMinor
				}
				slices.SortFunc(wantCurrencies, func(a, b expenses.CurrencyTotal) int {
					return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Currency, b.Currency))
				})
				for _, ask := range []string{"", "GBP", "XXX"} {
					chart, err := e.svc.MonthlyChart(e.ctx, actor, sc, 18, ask)
					if err != nil {
						t.Fatal(err)
					}
					wantCurrency := expenses.DefaultCurrency
					if len(wantCurrencies) > 0 {
						wantCurrency = wantCurrencies[0].Currency
					}
					if slices.ContainsFunc(wantCurrencies, func(c expenses.CurrencyTotal) bool { return c.Currency == ask }) {
						wantCurrency = ask
					}
					var wantTotals []expenses.MonthlyTotal
					for _, m := range wantMonthly {
						if m.Currency == wantCurrency {
							wantTotals = append(wantTotals, m)
						}
					}
					for i := range chart.Totals {
						chart.Totals[i].Category = ""
					}
					slices.SortFunc(chart.Totals, compareMonthly)
					if chart.Currency != wantCurrency || !slices.Equal(chart.Currencies, wantCurrencies) || !slices.Equal(chart.Totals, wantTotals) {
						t.Errorf("%s: chart asking for %q\n got %s %+v %+v\nwant %s %+v %+v", who, ask,
							chart.Currency, chart.Currencies, chart.Totals, wantCurrency, wantCurrencies, wantTotals)
					}
				}
			}

			var wantApprovals, wantReimbursements int64
			for _, x := range all {
				m := x.Employee.ManagerID
				if actor != nil && x.Status == models.StatusSubmitted && m != nil && *m == actor.UserID && x.EmployeeID != actor.UserID {
					wantApprovals++
				}
				if actor != nil && x.Status == models.StatusApproved && x.EmployeeID != actor.UserID {
					wantReimbursements++
				}
			}
			if !policy.Can(actor, policy.ViewApprovals, nil) {
				wantApprovals = 0
			}
			if !policy.Can(actor, policy.ViewReimbursements, nil) {
				wantReimbursements = 0
			}
			queue, err := e.svc.List(e.ctx, actor, expenses.Filter{Scope: expenses.ScopeTeam, Status: models.StatusSubmitted, Sort: expenses.SortDate, PerPage: 5})
			if err != nil {
				t.Fatal(err)
			}
			// The oldest awaiting approval are the queue's first, with what
			// the dashboard shows of them.
			shown := func(xs []models.Expense) []string {
				var out []string
				for _, x := range xs {
					out = append(out, fmt.Sprintf("%d v%d %s %s %s %s %d %s %s %v %d/%d", x.ID, x.Version, x.SpentOn.UTC().Format(time.DateOnly),
						x.Employee.FullName, x.Category.Name, x.Merchant, x.AmountMinor, x.Currency, x.Status, x.HasReceipt,
						x.Employee.UserID, x.Category.ID))
				}
				return out
			}
			if oldest, err := e.svc.OldestAwaitingApproval(e.ctx, actor, 5); err != nil || !slices.Equal(shown(oldest), shown(queue.Items)) {
				t.Errorf("%s: oldest awaiting approval %v (%v), want the queue's first %v", nameOf(actor), shown(oldest), err, shown(queue.Items))
			}

			a, r, err := e.svc.Counts(e.ctx, actor)
			if err != nil || a != wantApprovals || r != wantReimbursements {
				t.Errorf("%s: counts %d, %d (%v); want %d, %d", nameOf(actor), a, r, err, wantApprovals, wantReimbursements)
			}
		}

		var owed []expenses.CurrencyTotal
		uses := map[uint]int64{}
		for _, x := range all {
			uses[x.CategoryID]++
			if x.Status != models.StatusApproved {
				continue
			}
			i := slices.IndexFunc(owed, func(c expenses.CurrencyTotal) bool { return c.Currency == x.Currency })
			if i < 0 {
				owed = append(owed, expenses.CurrencyTotal{Currency: x.Currency})
				i = len(owed) - 1
			}
			owed[i].Count++
			owed[i].SumMinor += x.AmountMinor
		}
		slices.SortFunc(owed, func(a, b expenses.CurrencyTotal) int { return strings.Compare(a.Currency, b.Currency) })
		if got, err := e.svc.AwaitingReimbursement(e.ctx, e.c.Finance); err != nil || !slices.Equal(got, owed) {
			t.Errorf("awaiting reimbursement\n got %+v (%v)\nwant %+v", got, err, owed)
		}
		if got, err := e.svc.CategoryUses(e.ctx, e.c.Admin); err != nil || fmt.Sprint(got) != fmt.Sprint(uses) {
			t.Errorf("category uses %v (%v), want %v", got, err, uses)
		}
		if _, err := e.svc.CategoryUses(e.ctx, e.c.Finance); err == nil {
			t.Error("finance may read the category uses of the admin page")
		}
	})
}

func compareMonthly(a, b expenses.MonthlyTotal) int {
	return cmp.Or(strings.Compare(a.Month, b.Month), cmp.Compare(a.CategoryID, b.CategoryID), strings.Compare(a.Currency, b.Currency))
}

// TestListTotalsEqualTheExpensesShown checks List's total, from the rollup
// or counted, for every kind of person, scope and filter against the
// expenses the person may view, and that the pages hold exactly them.
func TestListTotalsEqualTheExpensesShown(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e, people, all := dashboardWorld(t, db)
		filters := []struct {
			name  string
			f     expenses.Filter
			match func(x models.Expense) bool
		}{
			{"everything", expenses.Filter{}, func(models.Expense) bool { return true }},
			{"approved", expenses.Filter{Status: models.StatusApproved}, func(x models.Expense) bool { return x.Status == models.StatusApproved }},
			{"drafts", expenses.Filter{Status: models.StatusDraft}, func(x models.Expense) bool { return x.Status == models.StatusDraft }},
			{"meals", expenses.Filter{CategoryID: e.c.Meals.ID}, func(x models.Expense) bool { return x.CategoryID == e.c.Meals.ID }},
			{"whole months", expenses.Filter{From: day(2025, 11, 1), To: day(2026, 1, 31)},
				func(x models.Expense) bool {
					return !x.SpentOn.Before(day(2025, 11, 1)) && x.SpentOn.Before(day(2026, 2, 1))
				}},
			{"from a month on", expenses.Filter{From: day(2026, 2, 1), Status: models.StatusSubmitted},
				func(x models.Expense) bool {
					return !x.SpentOn.Before(day(2026, 2, 1)) && x.Status == models.StatusSubmitted
				}},
			{"starting within a month", expenses.Filter{From: day(2025, 11, 3), To: day(2026, 1, 31)},
				func(x models.Expense) bool {
					return !x.SpentOn.Before(day(2025, 11, 3)) && x.SpentOn.Before(day(2026, 2, 1))
				}},
			{"ending within a month", expenses.Filter{From: day(2025, 11, 1), To: day(2026, 1, 15)},
				func(x models.Expense) bool {
					return !x.SpentOn.Before(day(2025, 11, 1)) && x.SpentOn.Before(day(2026, 1, 16))
				}},
			{"text", expenses.Filter{Text: "HOTEL"}, func(x models.Expense) bool {
				return strings.Contains(strings.ToLower(x.Merchant+"\x00"+x.Description), "hotel")
			}},
		}
		for _, actor := range people {
			for _, sc := range []expenses.Scope{expenses.ScopeMine, expenses.ScopeTeam, expenses.ScopeAll} {
				seen := visibleTo(actor, sc, all)
				for _, fc := range filters {
					var want []uint
					for _, x := range seen {
						if fc.match(x) {
							want = append(want, x.ID)
						}
					}
					f := fc.f
					f.Scope, f.PerPage = sc, expenses.MaxPerPage
					var got []uint
					for page := 1; ; page++ {
						p, err := e.svc.List(e.ctx, actor, f.WithPage(page))
						if err != nil {
							t.Fatal(err)
						}
						if p.Total != int64(len(want)) || p.TotalIsLowerBound {
							t.Errorf("%s, %s, %s: total %d (lower bound %v), want %d", nameOf(actor), sc, fc.name, p.Total, p.TotalIsLowerBound, len(want))
						}
						got = append(got, ids(p.Items...)...)
						if !p.HasNext() {
							break
						}
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("%s, %s, %s: pages hold %d expenses, want %d", nameOf(actor), sc, fc.name, len(got), len(want))
					}
				}
			}
		}
	})
}

// TestListCountsUpToTheLimitThenGivesALowerBound lowers the count limit to
// 30 and walks a text search (which the rollup cannot answer) page by page:
// the total says "30+" until the pages go past it, the pager always knows
// whether there is a next page, and the pages hold every match once.
func TestListCountsUpToTheLimitThenGivesALowerBound(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for i := range 47 {
			e.insert(e.c.Owner, e.c.Travel, day(2026, 1, 1+i%28), int64(100+i), "EUR", fmt.Sprintf("Taxi %02d", i), models.StatusSubmitted)
		}
		e.insert(e.c.Owner, e.c.Travel, day(2026, 1, 1), 5, "EUR", "Bakery", models.StatusSubmitted)
		expenses.SetCountLimit(e.svc, 30)
		f := expenses.Filter{Scope: expenses.ScopeAll, Text: "taxi", PerPage: 10}
		wantTotals := []struct {
			total      int64
			lowerBound bool
		}{{30, true}, {30, true}, {30, true}, {40, true}, {47, false}}
		var seen []uint
		for page := 1; page <= 5; page++ {
			p, err := e.svc.List(e.ctx, e.c.Finance, f.WithPage(page))
			if err != nil {
				t.Fatal(err)
			}
			w := wantTotals[page-1]
			if p.Total != w.total || p.TotalIsLowerBound != w.lowerBound || p.HasNext() != (page < 5) {
				t.Errorf("page %d: total %d, lower bound %v, next %v; want %d, %v, %v",
					page, p.Total, p.TotalIsLowerBound, p.HasNext(), w.total, w.lowerBound, page < 5)
			}
			seen = append(seen, ids(p.Items...)...)
		}
		if len(seen) != 47 || len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 47 {
			t.Errorf("the pages hold %d expenses (%d distinct), want the 47 taxis", len(seen), len(slices.Compact(slices.Sorted(slices.Values(seen)))))
		}
		// Whole months are answered exactly from the rollup, whatever the limit.
		p, err := e.svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, From: day(2026, 1, 1), To: day(2026, 1, 31)})
		if err != nil || p.Total != 48 || p.TotalIsLowerBound {
			t.Errorf("January: %d (lower bound %v, %v), want exactly 48", p.Total, p.TotalIsLowerBound, err)
		}
	})
}

// TestListSortedPagesFollowTheSortOrder walks every page of lists sorted
// by status, amount and merchant, both ways, for several people and
// filters, on data with many equal dates and amounts. Without a status
// filter these pages are merged from one run per status; the reference is
// one plain ORDER BY over the expenses the person may view.
func TestListSortedPagesFollowTheSortOrder(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e, _, all := dashboardWorld(t, db)
		orders := map[expenses.Sort]func(dir string) string{
			expenses.SortStatus: func(dir string) string {
				return "CASE status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'approved' THEN 3 WHEN 'rejected' THEN 4 WHEN 'reimbursed' THEN 5 END" +
					dir + ", spent_on DESC, id DESC"
			},
			expenses.SortAmount:   func(dir string) string { return "amount_minor" + dir + ", id" + dir },
			expenses.SortMerchant: func(dir string) string { return "LOWER(merchant)" + dir + ", id" + dir },
		}
		cases := []struct {
			actor *models.Employee
			f     expenses.Filter
		}{
			{e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}},
			{e.c.Manager, expenses.Filter{Scope: expenses.ScopeTeam}},
			{e.c.Owner, expenses.Filter{}},
			{e.c.Admin, expenses.Filter{Scope: expenses.ScopeAll, CategoryID: e.c.Travel.ID, Text: "a"}},
			{e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Status: models.StatusRejected}},
		}
		for _, tc := range cases {
			var visible []uint
			for _, x := range visibleTo(tc.actor, tc.f.Scope, all) {
				f := tc.f
				if (f.CategoryID == 0 || x.CategoryID == f.CategoryID) && (f.Status == "" || x.Status == f.Status) &&
					strings.Contains(strings.ToLower(x.Merchant+"\x00"+x.Description), f.Text) {
					visible = append(visible, x.ID)
				}
			}
			for _, sort := range []expenses.Sort{expenses.SortStatus, expenses.SortAmount, expenses.SortMerchant} {
				for _, desc := range []bool{false, true} {
					dir := " ASC"
					if desc {
						dir = " DESC"
					}
					var want []uint
					if err := db.Model(&models.Expense{}).Where("id IN ?", visible).Order(orders[sort](dir)).Pluck("id", &want).Error; err != nil {
						t.Fatal(err)
					}
					f := tc.f
					f.Sort, f.Desc, f.PerPage = sort, desc, 37
					var got []uint
					for page := 1; ; page++ {
						p, err := e.svc.List(e.ctx, tc.actor, f.WithPage(page))
						if err != nil {
							t.Fatal(err)
						}
						for _, x := range p.Items {
							if x.Employee.UserID != x.EmployeeID || x.Category.ID != x.CategoryID {
								t.Fatalf("expense %d lacks its Employee or Category", x.ID)
							}
						}
						got = append(got, ids(p.Items...)...)
						if !p.HasNext() {
							break
						}
					}
					if len(want) == 0 || !slices.Equal(got, want) {
						t.Errorf("%s, %+v, by %s, desc=%v: got %d expenses, want %d in the reference order", tc.actor.FullName, tc.f, sort, desc, len(got), len(want))
					}
				}
			}
		}
	})
}

// TestRebuildTotalsRepairsAWriteBehindTheServicesBack is the recipe for
// imports and hand-written SQL.
func TestRebuildTotalsRepairsAWriteBehindTheServicesBack(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusSubmitted)
	e.db.Model(&models.Expense{}).Where("id = ?", x.ID).Updates(map[string]any{"category_id": e.c.Meals.ID, "spent_on": day(2025, 7, 4)})
	diffs, err := expenses.CheckTotals(e.ctx, e.db)
	// The old and the new row in expense_totals, company_expense_totals,
	// and the chart cells and the chart's month totals per currency of the
	// person and of the company; the status tiles keep their sums.
	if err != nil || len(diffs) != 12 {
		t.Fatalf("CheckTotals: %q %v; want twelve differences (old and new row, in six tables' scopes)", diffs, err)
	}
	if err := expenses.RebuildTotals(e.ctx, e.db); err != nil {
		t.Fatal(err)
	}
	checkRollup(t, e.db, "after RebuildTotals")
}

func TestMonthNumberIsTheUTCMonth(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		t    time.Time
		want int
	}{
		{day(2026, 3, 1), 202603},
		{day(2025, 12, 31), 202512},
		{time.Date(2026, 1, 1, 0, 30, 0, 0, paris), 202512},
	} {
		if got := expenses.MonthNumber(tc.t); got != tc.want {
			t.Errorf("MonthNumber(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}
