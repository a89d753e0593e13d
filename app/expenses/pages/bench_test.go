package pages_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/seed"
)

// The benchmarks measure whole requests through the real router, signed in,
// on the demo company with n bulk expenses: middleware, session lookup,
// queries and rendering, but not the TCP stack (httptest.NewRecorder).
//
//	go test ./app/expenses/pages -run '^$' -bench 'ExpenseListPage|Dashboard' -benchmem
//
// To see where a request's time goes, profile it and look at the part
// under the handler (the rest is building the 100,000 expenses):
//
//	go test ./app/web -run '^$' -bench 'ExpenseListPage/100000' -cpuprofile cpu.out -o web.test
//	go tool pprof -top -cum -focus 'benchApp..get' web.test cpu.out

// benchSizes are the numbers of expenses each benchmark runs at.
var benchSizes = []int{1_000, 100_000}

// benchApp is an app with n expenses and the cookies of a signed-in
// finance person, who sees the whole company: the largest lists and
// aggregates there are.
type benchApp struct {
	handler http.Handler
	cookies []*http.Cookie
}

func newBenchApp(b *testing.B, n int, who string) *benchApp {
	b.Helper()
	srv := demoApp(b, apptest.Options{NoSeed: true})
	ctx := context.Background()
	emps, err := seed.Company(ctx, srv.DB, expensesmodule.Company())
	if err != nil {
		b.Fatal(err)
	}
	if err := expenses.SeedBulk(ctx, srv.DB, n, rand.New(rand.NewPCG(1, 2)), emps, time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	srv.DB.Exec("ANALYZE")
	br := srv.Browser(b)
	br.Login(who, apptest.DemoPassword)
	u, _ := url.Parse(srv.URL)
	return &benchApp{handler: srv.App.Handler(), cookies: br.Jar.Cookies(u)}
}

func (a *benchApp) get(b *testing.B, target string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range a.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d", target, rec.Code)
	}
}

// benchEach runs a sub-benchmark of GET target per size. With b.Loop the
// sub-benchmark's function runs once, so the setup above the loop is not
// timed and not repeated.
func benchEach(b *testing.B, who, target string) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			app := newBenchApp(b, n, who)
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				app.get(b, target)
			}
			// The process's CPU time per request: unlike ns/op it barely
			// moves when other programs share the cores.
			b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkExpenseListPage is the company-wide list, first page, newest
// first, as finance opens it.
func BenchmarkExpenseListPage(b *testing.B) {
	benchEach(b, finance, "/expenses?scope=all")
}

// BenchmarkTeamListPage is a manager's list of their team's expenses. In the
// demo company the manager's reports own about half of all expenses.
func BenchmarkTeamListPage(b *testing.B) {
	benchEach(b, manager, "/expenses?scope=team")
}

// BenchmarkDashboard is finance's dashboard: totals, activity, the amount
// awaiting reimbursement and the company-wide chart.
func BenchmarkDashboard(b *testing.B) {
	benchEach(b, finance, "/")
}

// BenchmarkManagerDashboard is a manager's dashboard: their own totals, the
// team's pending approvals and the team's chart.
func BenchmarkManagerDashboard(b *testing.B) {
	benchEach(b, manager, "/")
}

// BenchmarkEmployeeDashboard is an employee's dashboard: their own totals
// and activity only.
func BenchmarkEmployeeDashboard(b *testing.B) {
	benchEach(b, employee, "/")
}

// BenchmarkAdminDashboard is an administrator's dashboard.
func BenchmarkAdminDashboard(b *testing.B) {
	benchEach(b, admin, "/")
}

// processCPU is the user plus system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
