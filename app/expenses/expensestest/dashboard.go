package expensestest

import (
	"strings"
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
	// grouped adds up the expenses matching where (all: "") by keys, SQL
	// expressions named names, per person, per team (drafts excluded) and
	// for the company.
	grouped := func(keys, names []string, where string) string {
		sel, group := "", ""
		for i, k := range keys {
			sel += k + " AS " + names[i] + ", "
			group += ", " + k
		}
		teamWhere := where
		if where == "" {
			teamWhere = " WHERE x.status <> 'draft' "
		}
		return "SELECT 'person' AS scope, x.employee_id AS owner_id, " + sel + sums + where + "GROUP BY x.employee_id" + group +
			" UNION ALL SELECT 'team', m.manager_id, " + sel + sums + team + teamWhere + "GROUP BY m.manager_id" + group +
			" UNION ALL SELECT 'company', 0, " + sel + sums + where + "GROUP BY " + strings.TrimPrefix(group, ", ") +
			" ORDER BY scope, owner_id, " + strings.Join(names, ", ")
	}
	var status []models.DashboardStatusTotal
	if err := db.Raw(grouped([]string{"x.status", "x.currency"}, []string{"status", "currency"}, "")).Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	claims := " WHERE x.status IN ('submitted', 'approved', 'reimbursed') "
	var months []models.DashboardMonthTotal
	err := db.Raw(grouped([]string{month, "x.category_id", "x.currency"}, []string{"month", "category_id", "currency"}, claims)).Scan(&months).Error
	if err != nil {
		t.Fatal(err)
	}
	var currencies []models.DashboardCurrencyTotal
	if err := db.Raw(grouped([]string{month, "x.currency"}, []string{"month", "currency"}, claims)).Scan(&currencies).Error; err != nil {
		t.Fatal(err)
	}
	return status, months, currencies
}
