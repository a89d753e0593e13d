// Command company-expenses serves the Company Expenses app.
//
//	go run .
//
// serves the demo on http://localhost:8080 with an embedded SQLite database,
// demo data and working single sign-on. README lists the settings.
//
//	go run . migrate [status]
//
// applies the database migrations and exits (or prints which are applied),
// for deployments that migrate as a step of their own (MIGRATE_ON_START=off).
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/config"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// Development reads a git-ignored .env file too (see .env.example).
	getenv, loaded, err := config.WithDotEnv(".env", os.Getenv)
	if err != nil {
		log.Error("configuration: " + err.Error())
		os.Exit(2)
	}
	if loaded {
		log.Info("read settings from .env (development only; the real environment wins)")
	}
	if os.Getenv("GOGC") == "" {
		// The collector's pace, unless GOGC says otherwise. The app's live
		// heap is small (about 10 MB), so at Go's default of 100 the
		// collector ran dozens of times a second under load and took a
		// fifth of the CPU of each page; at 300 the heap may grow to four
		// times what is live before it runs, which cost about 10 MB of
		// RSS and saved about a quarter of the CPU per request (README
		// "Speed and memory"). In a container with a memory limit, also
		// set GOMEMLIMIT. GOGC is the Go runtime's, read from the real
		// environment before main starts: a GOGC in .env changes nothing.
		debug.SetGCPercent(300)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		os.Exit(migrate(ctx, getenv, os.Args[2:], log))
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		// Load reports every problem at once; one line each.
		for _, line := range strings.Split(err.Error(), "\n") {
			log.Error("configuration: " + line)
		}
		os.Exit(2)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			log.Error("start: " + line)
		}
		os.Exit(1)
	}
	if err := a.Run(ctx); err != nil {
		log.Error("serve: " + err.Error())
		os.Exit(1)
	}
}

// migrate runs the migrate command with only the database settings, and
// returns the exit code.
func migrate(ctx context.Context, getenv func(string) string, args []string, log *slog.Logger) int {
	dbc, err := config.LoadDatabase(getenv)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			log.Error("configuration: " + line)
		}
		return 2
	}
	if err := app.Migrate(ctx, dbc, args, os.Stdout, log); err != nil {
		log.Error("migrate: " + err.Error())
		return 1
	}
	return 0
}
