package pages_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// TestManagerDashboardComparesTheTeamWithTheEmployeesTableOncePerRequest:
// the approvals badge and the chart both read the manager's team, whose
// copy in the dashboard rollup is compared with the employees table before
// it is read (someone may have moved). One request compares it once, and
// the next request compares it again.
func TestManagerDashboardComparesTheTeamWithTheEmployeesTableOncePerRequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, manager)
	var compared atomic.Int64
	err := w.DB.Callback().Row().After("gorm:row").Register("test:count_team_comparisons", func(db *gorm.DB) {
		if strings.Contains(db.Statement.SQL.String(), "NOT EXISTS (SELECT 1 FROM dashboard_team_members m") {
			compared.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		compared.Store(0)
		res := b.Get("/")
		if res.StatusCode != 200 {
			t.Fatalf("GET /: status %d", res.StatusCode)
		}
		if res.Doc(t).Find(`[data-testid="pending-approvals"]`).Length() != 1 || res.Doc(t).Find(`[data-testid="monthly-chart"]`).Length() != 1 {
			t.Fatal("the manager's dashboard has no approvals panel or no chart")
		}
		if n := compared.Load(); n != 1 {
			t.Errorf("request %d compared the team %d times, want once", i+1, n)
		}
	}
}
