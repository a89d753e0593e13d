package pages_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// TestEveryRolesDashboardShowsTheSameFiguresFromTheRollupAsFromAFullAggregation
// renders each role's dashboard twice: from the dashboard rollup as the
// app's writes left it (after a person moved to another manager behind the
// demo's back, as the template's people pages move them), and from a
// rollup replaced by a GROUP BY over the expenses table. The pages must be
// the same: every tile, amount, bar and table cell of the chart.
func TestEveryRolesDashboardShowsTheSameFiguresFromTheRollupAsFromAFullAggregation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := expenses.SeedBulk(w.ctx, w.DB, 3000, rand.New(rand.NewPCG(3, 9)), nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	// Liam moves from Marcus's team to Helen's; nobody tells the demo.
	helenID, liamID := w.person(t, helen).UserID, w.person(t, liam).UserID
	if err := w.DB.Model(&models.Employee{}).Where("user_id = ?", liamID).Update("manager_id", helenID).Error; err != nil {
		t.Fatal(err)
	}

	roles := []string{employee, manager, finance, admin, helen}
	fromRollup := map[string]string{}
	for _, who := range roles {
		fromRollup[who] = dashboardMain(t, w, who)
	}

	replaceDashboardRollupWithAGroupBy(t, w.DB)
	for _, who := range roles {
		if got := dashboardMain(t, w, who); got != fromRollup[who] {
			t.Errorf("%s's dashboard from the rollup differs from the one from a GROUP BY over the expenses:\nrollup:   %s\ngroup by: %s", who, fromRollup[who], got)
		}
	}
}

// dashboardMain is the main part of who's dashboard, where every figure is.
func dashboardMain(t *testing.T, w *world, who string) string {
	t.Helper()
	res := w.browser(t, who).Get("/")
	if res.StatusCode != 200 {
		t.Fatalf("%s: GET /: status %d", who, res.StatusCode)
	}
	html, err := res.Doc(t).Find("main").Html()
	if err != nil || html == "" {
		t.Fatalf("%s: no main element (%v)", who, err)
	}
	return html
}

// replaceDashboardRollupWithAGroupBy empties the dashboard rollup and fills
// it from expensestest.GroupedDashboard, with the teams of the employees
// table.
func replaceDashboardRollupWithAGroupBy(t *testing.T, db *gorm.DB) {
	t.Helper()
	status, months, currencies := expensestest.GroupedDashboard(t, db, "employees")
	var members []models.DashboardTeamMember
	err := db.Raw("SELECT user_id AS employee_id, manager_id FROM employees WHERE manager_id IS NOT NULL AND manager_id <> user_id").
		Scan(&members).Error
	if err != nil {
		t.Fatal(err)
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		for _, table := range []string{"dashboard_status_totals", "dashboard_month_totals", "dashboard_currency_totals", "dashboard_team_members"} {
			if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
				return err
			}
		}
		if err := tx.CreateInBatches(status, 500).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(months, 500).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(currencies, 500).Error; err != nil {
			return err
		}
		return tx.Create(&members).Error
	})
	if err != nil {
		t.Fatal(err)
	}
}
