package expenses_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// benchSizes are the numbers of expenses the benchmarks run against: a
// small company's year, and the 100,000 that lists and dashboards must
// stay fast at.
func benchSizes() []int { return []int{1_000, 100_000} }

// benchEnv is a SQLite database holding the test company and n bulk
// expenses spread over the company's nine people.
func benchEnv(b *testing.B, n int) *env {
	b.Helper()
	e := newEnv(b, expensestest.SQLite(b))
	start := time.Now()
	if err := expenses.SeedBulk(e.ctx, e.db, n, rand.New(rand.NewPCG(1, 1)), nil, testNow()); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d expenses in %v", n, time.Since(start).Round(time.Millisecond))
	if err := e.db.Exec("ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
	return e
}

func BenchmarkList(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("expenses=%d", n), func(b *testing.B) {
			e := benchEnv(b, n)
			cases := []struct {
				name  string
				actor *models.Employee
				f     expenses.Filter
			}{
				{"finance-all-newest", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}},
				{"finance-all-by-amount-page-40", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Sort: expenses.SortAmount, Desc: true, Page: 40}},
				{"finance-approved", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Status: models.StatusApproved}},
				{"finance-text-search", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: "hotel"}},
				// A search matching nothing: what a scan pays most for.
				{"finance-text-search-nothing", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: "no such merchant"}},
				{"finance-text-search-rare", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: "tokyo"}},
				{"employee-mine", e.c.Owner, expenses.Filter{}},
				{"manager-team", e.c.Manager, expenses.Filter{Scope: expenses.ScopeTeam}},
				{"finance-all-by-merchant", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Sort: expenses.SortMerchant}},
				{"finance-all-by-status", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Sort: expenses.SortStatus}},
				{"finance-approved-by-amount", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Status: models.StatusApproved, Sort: expenses.SortAmount, Desc: true}},
				{"finance-part-of-two-months", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, From: day(2026, 1, 5), To: day(2026, 2, 10)}},
				{"employee-mine-by-amount", e.c.Owner, expenses.Filter{Sort: expenses.SortAmount, Desc: true}},
				{"manager-approval-queue", e.c.Manager, expenses.Filter{Scope: expenses.ScopeTeam, Status: models.StatusSubmitted, Sort: expenses.SortDate}},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := e.svc.List(e.ctx, tc.actor, tc.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkDashboard measures everything one dashboard shows: totals by
// status, the twelve-month chart, the badges and the recent activity (and,
// for finance, what is owed).
func BenchmarkDashboard(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("expenses=%d", n), func(b *testing.B) {
			e := benchEnv(b, n)
			benchDashboards(b, e, []dashboardCase{
				{"finance", e.c.Finance, expenses.ScopeAll},
				{"manager", e.c.Manager, expenses.ScopeTeam},
				{"employee", e.c.Owner, expenses.ScopeMine},
			})
		})
	}
}

type dashboardCase struct {
	name  string
	actor *models.Employee
	scope expenses.Scope
}

func benchDashboards(b *testing.B, e *env, cases []dashboardCase) {
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.svc.TotalsByStatus(e.ctx, tc.actor, tc.scope); err != nil {
					b.Fatal(err)
				}
				if _, err := e.svc.MonthlyByCategory(e.ctx, tc.actor, tc.scope, 12); err != nil {
					b.Fatal(err)
				}
				if _, _, err := e.svc.Counts(e.ctx, tc.actor); err != nil {
					b.Fatal(err)
				}
				if _, err := e.svc.RecentActivity(e.ctx, tc.actor, 10); err != nil {
					b.Fatal(err)
				}
				if tc.scope == expenses.ScopeAll {
					if _, err := e.svc.AwaitingReimbursement(e.ctx, tc.actor); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkLargeCompany spreads 100,000 expenses over 400 people in 40
// teams of ten rather than over the nine people of the test company: each
// person then has a few hundred expenses a year, as in real life, and
// finance's "everyone" is much more than anyone's own.
func BenchmarkLargeCompany(b *testing.B) {
	e := newEnv(b, expensestest.SQLite(b))
	var managers []*models.Employee
	for i := range 40 {
		managers = append(managers, expensestest.Employee(b, e.db, fmt.Sprintf("m%d@example.com", i), fmt.Sprintf("Manager %d", i),
			&e.c.Manager.UserID, models.RoleEmployee, models.RoleManager))
	}
	var staff []*models.Employee
	for i := range 400 {
		staff = append(staff, expensestest.Employee(b, e.db, fmt.Sprintf("e%d@example.com", i), fmt.Sprintf("Employee %d", i),
			&managers[i%40].UserID, models.RoleEmployee))
	}
	if err := expenses.SeedBulk(e.ctx, e.db, 100_000, rand.New(rand.NewPCG(1, 1)), nil, testNow()); err != nil {
		b.Fatal(err)
	}
	if err := e.db.Exec("ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
	b.Run("dashboard", func(b *testing.B) {
		benchDashboards(b, e, []dashboardCase{
			{"finance", e.c.Finance, expenses.ScopeAll},
			{"manager", managers[7], expenses.ScopeTeam},
			{"employee", staff[123], expenses.ScopeMine},
		})
	})
	for _, tc := range []struct {
		name  string
		actor *models.Employee
		f     expenses.Filter
	}{
		{"list/finance-all-newest", e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}},
		{"list/manager-team", managers[7], expenses.Filter{Scope: expenses.ScopeTeam}},
		{"list/employee-mine-by-amount", staff[123], expenses.Filter{Sort: expenses.SortAmount, Desc: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.svc.List(e.ctx, tc.actor, tc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteCSV exports every expense finance may see.
func BenchmarkWriteCSV(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("expenses=%d", n), func(b *testing.B) {
			e := benchEnv(b, n)
			for b.Loop() {
				if err := e.svc.WriteCSV(e.ctx, io.Discard, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
