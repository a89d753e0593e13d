package policy_test

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// TestVisibleExpensesScopeAgreesWithCanView generates an expense in every
// status for every person of a small company, then checks, for every person
// as the actor, that the SQL scope and its plain SQL form select exactly the
// expenses for which Can(ViewExpense) says yes, and TeamExpensesSQL those
// of them that are the actor's reports' other than drafts.
func TestVisibleExpensesScopeAgreesWithCanView(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		c := expensestest.NewCompany(t, db)
		// Someone holding every role, reporting to the manager, and a manager
		// who is (wrongly) recorded as their own manager.
		everything := expensestest.Employee(t, db, "all@example.com", "Al Roles", &c.Manager.UserID, models.BaseRoles().With(models.ExpenseRoles()...).All()...)
		selfManaged := expensestest.Employee(t, db, "self@example.com", "Sam Self", nil, models.RoleEmployee, models.RoleManager)
		if err := db.Model(&models.Employee{}).Where("user_id = ?", selfManaged.UserID).Update("manager_id", selfManaged.UserID).Error; err != nil {
			t.Fatal(err)
		}
		selfManaged.ManagerID = &selfManaged.UserID
		// A report of someone who is not a manager: their manager sees
		// nothing of theirs.
		report := expensestest.Employee(t, db, "report@example.com", "Rita Report", &c.Owner.UserID, models.RoleEmployee)
		people := []*models.Employee{c.Owner, c.Manager, c.OtherManager, c.Outsider, c.Peer, c.Finance, c.Finance2, c.Admin, c.Inactive, everything, selfManaged, report}

		day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, p := range people {
			for _, s := range models.AllStatuses() {
				e := models.Expense{EmployeeID: p.UserID, CategoryID: c.Travel.ID, SpentOn: day, AmountMinor: 100,
					Currency: "EUR", Merchant: "M", Status: s, Version: 1}
				if err := db.Omit("Employee", "Category").Create(&e).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		var all []models.Expense
		if err := db.Preload("Employee").Order("id").Find(&all).Error; err != nil {
			t.Fatal(err)
		}
		for _, actor := range people {
			var want []uint
			for i := range all {
				if policy.Can(actor, policy.ViewExpense, &all[i]) {
					want = append(want, all[i].ID)
				}
			}
			var got []uint
			if err := db.Model(&models.Expense{}).Scopes(policy.VisibleExpenses(actor)).Order("id").Pluck("id", &got).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: the scope selects %v, Can(ViewExpense) allows %v", actor.FullName, got, want)
			}
			cond, args := policy.VisibleExpensesSQL(actor)
			var plain []uint
			if err := db.Model(&models.Expense{}).Where(cond, args...).Order("id").Pluck("id", &plain).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plain, want) {
				t.Errorf("%s: VisibleExpensesSQL selects %v, Can(ViewExpense) allows %v", actor.FullName, plain, want)
			}
			// The team's: what the actor may view of their direct reports'
			// expenses other than drafts.
			var wantTeam []uint
			for i := range all {
				x := &all[i]
				m := x.Employee.ManagerID
				if x.Status != models.StatusDraft && m != nil && *m == actor.UserID && x.EmployeeID != actor.UserID && slices.Contains(want, x.ID) {
					wantTeam = append(wantTeam, x.ID)
				}
			}
			cond, args = policy.TeamExpensesSQL(actor)
			var team []uint
			if err := db.Model(&models.Expense{}).Where(cond, args...).Order("id").Pluck("id", &team).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(team, wantTeam) {
				t.Errorf("%s: TeamExpensesSQL selects %v, want %v", actor.FullName, team, wantTeam)
			}
		}
		var none []uint
		if err := db.Model(&models.Expense{}).Scopes(policy.VisibleExpenses(nil)).Pluck("id", &none).Error; err != nil || len(none) != 0 {
			t.Errorf("nil actor sees %v (%v)", none, err)
		}
	})
}
