package expenses_test

import (
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// BenchmarkTextSearch is the list page's query for a text search at
// 100,000 expenses, as finance searching everyone's: a search matching
// nothing, one matching five expenses, one matching thousands ("hotel"),
// one matching tens of thousands ("the"), and one whose every trigram is
// common though the string matches nothing ("kubecon london"), and two
// strings too short for a trigram, one letter ("h") and two letters matching
// nothing ("zq"), on SQLite and, with TEST_DATABASE_URL, PostgreSQL. cpu-ns/op is the process's CPU
// time per search (SQLite runs in the process; PostgreSQL's own CPU is not
// in it), which moves less than ns/op when other programs share the cores.
//
//	go test ./app/expenses -run '^$' -bench TextSearch -benchtime 200x
func BenchmarkTextSearch(b *testing.B) {
	dbs := map[string]func(testing.TB) *gorm.DB{"sqlite": func(t testing.TB) *gorm.DB {
		return dbtest.OnlySQLite(t, expenses.Migrations())
	}}
	if os.Getenv(expensestest.PostgresEnv) != "" {
		dbs["postgres"] = expensestest.Postgres
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := dbs[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, open(b))
			if err := expenses.SeedBulk(e.ctx, e.db, 100_000, rand.New(rand.NewPCG(1, 1)), nil, testNow()); err != nil {
				b.Fatal(err)
			}
			for i := range 5 {
				e.insert(e.c.Owner, e.c.Travel, day(2026, 1, 1+i), 1000, "EUR", "Zeppelin Museum", models.StatusSubmitted)
			}
			if err := e.db.Exec("ANALYZE").Error; err != nil {
				b.Fatal(err)
			}
			for _, tc := range []struct{ name, text string }{
				{"nothing", "no such merchant"},
				{"five", "zeppelin"},
				{"thousands", "hotel"},
				{"tens-of-thousands", "the"},
				{"common-trigrams-no-match", "kubecon london"},
				{"one-letter", "h"},
				{"two-letters-no-match", "zq"},
			} {
				b.Run(tc.name, func(b *testing.B) {
					f := expenses.Filter{Scope: expenses.ScopeAll, Text: tc.text}
					p, err := e.svc.List(e.ctx, e.c.Finance, f)
					if err != nil {
						b.Fatal(err)
					}
					b.Logf("%q: %d matches (lower bound %v), %d on the page", tc.text, p.Total, p.TotalIsLowerBound, len(p.Items))
					cpu0 := processCPU()
					for b.Loop() {
						if _, err := e.svc.List(e.ctx, e.c.Finance, f); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// processCPU is the user and system time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
