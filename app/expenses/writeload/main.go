// Command writeload measures how long expense writes take on a SQLite
// database when many clients write at once with no think time: each worker
// is a demo employee filing and submitting expenses through the expenses
// service (validation, the expense, its history event and the rollups in
// one transaction), as the web handler does, minus HTTP.
//
//	go run ./app/expenses/writeload -db /tmp/load.db -n 100000 -c 50 -d 10s
//
// It builds the database first when the file does not exist (the demo
// company and n bulk expenses, as the benchmarks do), so the same file can
// then be served for read load:
//
//	SQLITE_PATH=/tmp/load.db SEED_DEMO_DATA=off go run .
//
// With -d 0 it only builds the database. With -database-url postgres://…
// it builds (when it holds no people yet) and writes to that PostgreSQL
// database instead, for the load script's PostgreSQL rows.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/models"
)

func main() {
	path := flag.String("db", "data/writeload.db", "SQLite file (built when missing)")
	databaseURL := flag.String("database-url", "", "PostgreSQL database instead of the SQLite file (built when empty)")
	n := flag.Int("n", 100_000, "bulk expenses to build the database with")
	workers := flag.Int("c", 50, "concurrent writers")
	dur := flag.Duration("d", 10*time.Second, "how long to write (0: only build the database; at most 5m)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the writing phase to this file")
	flag.Parse()
	if err := run(*databaseURL, *path, *n, *workers, min(*dur, 5*time.Minute), *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "writeload:", err)
		os.Exit(1)
	}
}

func run(databaseURL, path string, n, workers int, dur time.Duration, cpuprofile string) error {
	ctx := context.Background()
	db, err := database.Open(databaseURL, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	if err := database.Migrate(ctx, db, expenses.Migrations()); err != nil {
		return err
	}
	empty, err := database.IsEmpty(ctx, db)
	if err != nil {
		return err
	}
	if empty {
		if databaseURL != "" {
			path = "the PostgreSQL database"
		}
		start := time.Now()
		emps, err := seed.Company(ctx, db, expensesmodule.Company())
		if err != nil {
			return err
		}
		if err := expenses.SeedBulk(ctx, db, n, rand.New(rand.NewPCG(1, 2)), emps, time.Now().UTC()); err != nil {
			return err
		}
		if err := db.Exec("ANALYZE").Error; err != nil {
			return err
		}
		fmt.Printf("built %s: demo company and %d expenses in %s\n", path, n, time.Since(start).Round(time.Millisecond))
	}
	if dur <= 0 {
		return nil
	}
	actors, category, err := writers(ctx, db)
	if err != nil {
		return err
	}
	svc := expenses.NewService(db)
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		firstErr  error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	for w := range workers {
		wg.Go(func() {
			actor := actors[w%len(actors)]
			var mine []time.Duration
			var failed int
			var ferr error
			for i := 0; time.Now().Before(deadline); i++ {
				d := expenses.Draft{
					SpentOn: time.Now().UTC().Format(expenses.DateLayout), CategoryID: strconv.FormatUint(uint64(category), 10),
					Amount: "12.34", Currency: "EUR", Merchant: "Load test " + strconv.Itoa(w), Description: "writer " + strconv.Itoa(i),
				}
				start := time.Now()
				_, err := svc.Create(ctx, actor, d, true)
				mine = append(mine, time.Since(start))
				if err != nil {
					failed++
					ferr = err
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			failures += failed
			if firstErr == nil {
				firstErr = ferr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("%d writes by %d writers in %s: %.0f writes/s, p50 %s, p90 %s, p99 %s, max %s, %d failed\n",
		len(latencies), workers, dur, float64(len(latencies))/dur.Seconds(), pct(0.50), pct(0.90), pct(0.99), latencies[len(latencies)-1], failures)
	if firstErr != nil {
		fmt.Println("first failure:", firstErr)
	}
	return nil
}

// writers returns the active employees who may file and submit expenses, and a
// category to file them under.
func writers(ctx context.Context, db *gorm.DB) ([]*models.Employee, uint, error) {
	var ids []uint
	if err := db.Model(&models.UserRole{}).Where("role = ?", models.RoleEmployee).Pluck("user_id", &ids).Error; err != nil {
		return nil, 0, err
	}
	ppl := people.NewService(db, models.BaseRoles().With(models.ExpenseRoles()...))
	var actors []*models.Employee
	for _, id := range ids {
		e, err := ppl.Viewer(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		// Submitting needs a manager to approve.
		if e.User.Active && e.ManagerID != nil {
			actors = append(actors, e)
		}
	}
	var cat models.Category
	if err := db.Where("active = ?", true).Order("id").Take(&cat).Error; err != nil {
		return nil, 0, err
	}
	if len(actors) == 0 {
		return nil, 0, fmt.Errorf("no active employees in the database")
	}
	return actors, cat.ID, nil
}
