package expenses_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

func TestMonthlyByCategorySumsClaimsPerMonthCategoryAndCurrency(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		o, tr, me := e.c.Owner, e.c.Travel, e.c.Meals
		e.insert(o, tr, day(2026, 1, 1), 1000, "EUR", "first day of the window", models.StatusApproved)
		e.insert(o, tr, day(2026, 1, 31), 500, "EUR", "last day of January", models.StatusSubmitted)
		e.insert(o, me, day(2026, 2, 28), 700, "EUR", "end of February", models.StatusReimbursed)
		e.insert(o, me, day(2026, 2, 15), 300, "GBP", "other currency", models.StatusApproved)
		e.insert(o, tr, day(2026, 3, 1), 200, "EUR", "draft: not a claim", models.StatusDraft)
		e.insert(o, tr, day(2026, 3, 2), 400, "EUR", "rejected: not a claim", models.StatusRejected)
		e.insert(o, tr, day(2026, 3, 14), 900, "EUR", "this month", models.StatusSubmitted)
		e.insert(o, tr, day(2025, 12, 31), 999, "EUR", "before the window", models.StatusApproved)
		e.insert(e.c.Peer, me, day(2026, 3, 10), 100, "EUR", "a colleague's", models.StatusSubmitted)

		mine := []expenses.MonthlyTotal{
			{Month: "2026-01", CategoryID: tr.ID, Category: "Travel", Currency: "EUR", Count: 2, SumMinor: 1500},
			{Month: "2026-02", CategoryID: me.ID, Category: "Meals", Currency: "EUR", Count: 1, SumMinor: 700},
			{Month: "2026-02", CategoryID: me.ID, Category: "Meals", Currency: "GBP", Count: 1, SumMinor: 300},
			{Month: "2026-03", CategoryID: tr.ID, Category: "Travel", Currency: "EUR", Count: 1, SumMinor: 900},
		}
		got, err := e.svc.MonthlyByCategory(e.ctx, o, expenses.ScopeMine, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, mine) {
			t.Errorf("owner:\n got %+v\nwant %+v", got, mine)
		}
		all := slices.Insert(slices.Clone(mine), 3, expenses.MonthlyTotal{Month: "2026-03", CategoryID: me.ID, Category: "Meals", Currency: "EUR", Count: 1, SumMinor: 100})
		got, err = e.svc.MonthlyByCategory(e.ctx, e.c.Finance, expenses.ScopeAll, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, all) {
			t.Errorf("finance:\n got %+v\nwant %+v", got, all)
		}
		if labels := e.svc.MonthLabels(3); !slices.Equal(labels, []string{"2026-01", "2026-02", "2026-03"}) {
			t.Errorf("labels %v", labels)
		}
		if labels := e.svc.MonthLabels(12); labels[0] != "2025-04" || labels[11] != "2026-03" || len(labels) != 12 {
			t.Errorf("12 labels across the new year: %v", labels)
		}
		year, err := e.svc.MonthlyByCategory(e.ctx, o, expenses.ScopeMine, 12)
		if err != nil || len(year) != 5 || year[0].Month != "2025-12" {
			t.Errorf("12 months: %+v, %v", year, err)
		}
	})
}

func TestTotalsByStatusSumPerStatusAndCurrencyInWorkflowOrder(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		o := e.c.Owner
		e.insert(o, e.c.Travel, day(2026, 3, 1), 100, "EUR", "m", models.StatusReimbursed)
		e.insert(o, e.c.Travel, day(2026, 3, 1), 200, "EUR", "m", models.StatusReimbursed)
		e.insert(o, e.c.Travel, day(2026, 3, 1), 50, "USD", "m", models.StatusDraft)
		e.insert(o, e.c.Travel, day(2026, 3, 1), 70, "EUR", "m", models.StatusSubmitted)
		e.insert(e.c.Peer, e.c.Travel, day(2026, 3, 1), 1, "EUR", "m", models.StatusDraft)
		got, err := e.svc.TotalsByStatus(e.ctx, o, expenses.ScopeMine)
		if err != nil {
			t.Fatal(err)
		}
		want := []expenses.StatusTotal{
			{Status: models.StatusDraft, Currency: "USD", Count: 1, SumMinor: 50},
			{Status: models.StatusSubmitted, Currency: "EUR", Count: 1, SumMinor: 70},
			{Status: models.StatusReimbursed, Currency: "EUR", Count: 2, SumMinor: 300},
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		team, _ := e.svc.TotalsByStatus(e.ctx, e.c.Manager, expenses.ScopeTeam)
		if len(team) != 2 { // the drafts stay private
			t.Errorf("team totals %+v", team)
		}
	})
}

func TestNavigationCountsAreWhatEachPersonCanActOn(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		c := e.c
		for _, p := range []*models.Employee{c.Owner, c.Owner, c.Peer, c.Outsider} {
			e.insert(p, c.Travel, day(2026, 3, 1), 100, "EUR", "m", models.StatusSubmitted)
		}
		e.insert(c.Owner, c.Travel, day(2026, 3, 1), 100, "EUR", "m", models.StatusApproved)
		e.insert(c.Finance, c.Travel, day(2026, 3, 1), 250, "EUR", "m", models.StatusApproved)
		cases := []struct {
			who                       *models.Employee
			approvals, reimbursements int64
		}{
			{c.Manager, 3, 0}, {c.OtherManager, 1, 0}, {c.Finance, 0, 1}, {c.Finance2, 0, 2}, {c.Owner, 0, 0}, {c.Admin, 0, 0},
		}
		for _, tc := range cases {
			a, r, err := e.svc.Counts(e.ctx, tc.who)
			if err != nil || a != tc.approvals || r != tc.reimbursements {
				t.Errorf("%s: %d approvals, %d reimbursements (%v); want %d, %d", tc.who.FullName, a, r, err, tc.approvals, tc.reimbursements)
			}
		}
		owed, err := e.svc.AwaitingReimbursement(e.ctx, c.Finance)
		if err != nil || !slices.Equal(owed, []expenses.CurrencyTotal{{Currency: "EUR", Count: 2, SumMinor: 350}}) {
			t.Errorf("awaiting reimbursement %+v, %v", owed, err)
		}
		var na *expenses.NotAllowedError
		if _, err := e.svc.AwaitingReimbursement(e.ctx, c.Owner); !errors.As(err, &na) {
			t.Errorf("an employee sees what finance owes: %v", err)
		}
	})
}

func TestRecentActivityShowsOnlyEventsOfVisibleExpenses(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		mine := e.expenseOf(e.c.Owner, models.StatusApproved)
		peerDraft := e.expenseOf(e.c.Peer, models.StatusDraft)
		outsider := e.expenseOf(e.c.Outsider, models.StatusDraft)
		check := func(who *models.Employee, want ...uint) {
			t.Helper()
			evs, err := e.svc.RecentActivity(e.ctx, who, 50)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint
			for _, ev := range evs {
				if !slices.Contains(got, ev.ExpenseID) {
					got = append(got, ev.ExpenseID)
				}
				if ev.Actor.UserID == 0 || ev.Expense.Employee.UserID == 0 {
					t.Errorf("event %d lacks its Actor or Expense.Employee", ev.ID)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s sees activity on %v, want %v", who.FullName, got, want)
			}
		}
		check(e.c.Owner, mine.ID)
		check(e.c.Peer, peerDraft.ID)
		check(e.c.Manager, mine.ID)
		check(e.c.Finance, mine.ID)
		check(e.c.Outsider, outsider.ID)
		evs, _ := e.svc.RecentActivity(e.ctx, e.c.Owner, 2)
		if len(evs) != 2 || evs[0].Action != models.EventApproved {
			t.Errorf("newest first, limited: %+v", evs)
		}
	})
}

// TestTeamWhoseMemberWasDeletedIsSyncedOnceNotAtEveryRead: a report whose
// employee row goes (SCIM's hard delete) leaves the dashboard's copy of the
// team at the next read, so later reads find nothing moved and open no
// write transaction.
func TestTeamWhoseMemberWasDeletedIsSyncedOnceNotAtEveryRead(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		leaver := expensestest.Employee(t, db, "leaver@example.com", "Lee Leaver", &e.c.Manager.UserID, models.RoleEmployee)
		if _, err := e.svc.PendingApprovalsCount(e.ctx, e.c.Manager); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM employees WHERE user_id = ?", leaver.UserID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PendingApprovalsCount(e.ctx, e.c.Manager); err != nil {
			t.Fatal(err)
		}
		moved, err := expenses.TeamMoved(db, e.c.Manager.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if moved {
			t.Error("after a read, the team copy still differs from the employees table: every read would sync again")
		}
	})
}
