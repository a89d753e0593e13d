package expensestest

import (
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// GroupedDashboard adds up the expenses table in SQL the way the dashboard
// rollup must: per person (drafts included), per team (drafts excluded)
// and for the company; the chart cells, and their sums per month and
// currency, count claims only. Teams are taken
// from the rollup's copy of them (teams "dashboard_team_members", what the
// writes follow) or from the employees table ("employees", what a manager
// sees once their dashboard has compared the two). It is the
// reference the rollup's tests compare it with, and knows nothing of how the
// rollup is kept.
func GroupedDashboard(t testing.TB, db *gorm.DB, teams string) ([]models.DashboardStatusTotal, []models.DashboardMonthTotal, []models.DashboardCurrencyTotal) {
	t.Helper()
	month := "CAST(strftime('%Y%m', x.spent_on) AS INTEGER)"
	if db.Dialector.Name() == "postgres" {
		month = "CAST(EXTRACT(YEAR FROM x.spent_on AT TIME ZONE 'UTC') * 100 + EXTRACT(MONTH FROM x.spent_on AT TIME ZONE 'UTC') AS INTEGER)"
	}
	team := "JOIN dashboard_team_members m ON m.employee_id = x.employee_id"
	if teams == "employees" {
		team = "JOIN employees m ON m.user_id = x.employee_id AND m.manager_id IS NOT NULL AND m.manager_id <> m.user_id"
	}
	sums := "COUNT(*) AS count, SUM(x.amount_minor) AS sum_minor FROM expenses x "
	var status []models.DashboardStatusTotal
	err := db.Raw("SELECT 'person' AS scope, x.employee_id AS owner_id, x.status, x.currency, " + sums +
		"GROUP BY x.employee_id, x.status, x.currency" +
		" UNION ALL SELECT 'team', m.manager_id, x.status, x.currency, " + sums + team +
		" WHERE x.status <> 'draft' GROUP BY m.manager_id, x.status, x.currency" +
		" UNION ALL SELECT 'company', 0, x.status, x.currency, " + sums + "GROUP BY x.status, x.currency" +
		" ORDER BY scope, owner_id, status, currency").Scan(&status).Error
	if err != nil {
		t.Fatal(err)
	}
	claims := " WHERE x.status IN ('submitted', 'approved', 'reimbursed') "
	var months []models.DashboardMonthTotal
	err = db.Raw("SELECT 'person' AS scope, x.employee_id AS owner_id, " + month + " AS month, x.category_id, x.currency, " + sums + claims +
		"GROUP BY x.employee_id, " + month + ", x.category_id, x.currency" +
		" UNION ALL SELECT 'team', m.manager_id, " + month + ", x.category_id, x.currency, " + sums + team + claims +
		"GROUP BY m.manager_id, " + month + ", x.category_id, x.currency" +
		" UNION ALL SELECT 'company', 0, " + month + ", x.category_id, x.currency, " + sums + claims +
		"GROUP BY " + month + ", x.category_id, x.currency" +
		" ORDER BY scope, owner_id, month, category_id, currency").Scan(&months).Error
	if err != nil {
		t.Fatal(err)
	}
	var currencies []models.DashboardCurrencyTotal
	err = db.Raw("SELECT 'person' AS scope, x.employee_id AS owner_id, " + month + " AS month, x.currency, " + sums + claims +
		"GROUP BY x.employee_id, " + month + ", x.currency" +
		" UNION ALL SELECT 'team', m.manager_id, " + month + ", x.currency, " + sums + team + claims +
		"GROUP BY m.manager_id, " + month + ", x.currency" +
		" UNION ALL SELECT 'company', 0, " + month + ", x.currency, " + sums + claims +
		"GROUP BY " + month + ", x.currency" +
		" ORDER BY scope, owner_id, month, currency").Scan(&currencies).Error
	if err != nil {
		t.Fatal(err)
	}
	return status, months, currencies
}
