// Package app wires Company Expenses together: it opens the database, runs
// migrations and the demo seed, builds the web application, starts the SSO
// routes, and serves HTTP until the context ends.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/app/web"
)

// App is the running application.
type App struct {
	Config config.Config
	DB     *gorm.DB
	Web    *web.Application
	log    *slog.Logger
	sess   *auth.Sessions
	thr    *auth.Throttle
}

// New opens the database named by cfg, migrates it, seeds the demo company
// when asked to and the database is empty, and builds the web application.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := database.Open(cfg.DatabaseURL, cfg.SQLitePath, log)
	if err != nil {
		return nil, err
	}
	return NewWithDB(ctx, cfg, db, log)
}

// NewWithDB is New on a database the caller opened (tests use it).
func NewWithDB(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger) (*App, error) {
	if err := database.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if cfg.Seed {
		if err := seedDemo(ctx, db, log); err != nil {
			return nil, fmt.Errorf("seed demo data: %w", err)
		}
	}
	a := &App{
		Config: cfg,
		DB:     db,
		log:    log,
		sess:   auth.NewSessions(db, cfg.SessionIdle, cfg.SessionMax),
		thr:    auth.NewThrottle(db, 15*time.Minute, 5, 50),
	}
	a.Web = web.New(web.Deps{
		Config:       cfg,
		DB:           db,
		Log:          log,
		Sessions:     a.sess,
		Throttle:     a.thr,
		People:       people.NewService(db),
		Expenses:     expenses.NewService(db),
		DemoPassword: seed.DemoPassword,
	})
	return a, nil
}

func seedDemo(ctx context.Context, db *gorm.DB, log *slog.Logger) error {
	emps, err := seed.Company(ctx, db)
	if err != nil {
		return err
	}
	if emps != nil {
		log.Info("seeded the demo company", "people", len(emps))
	}
	return nil
}

// Handler returns the HTTP handler of the application.
func (a *App) Handler() http.Handler { return a.Web.Echo() }

// Run serves HTTP on cfg.Addr until ctx ends (SIGINT or SIGTERM in main),
// then lets requests in flight finish for up to ten seconds.
func (a *App) Run(ctx context.Context) error {
	srv := &http.Server{
		Addr:              a.Config.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	go a.housekeeping(ctx)
	errc := make(chan error, 1)
	go func() {
		a.log.Info("listening", "addr", a.Config.Addr, "url", a.Config.BaseURL, "env", a.Config.Env)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if sqlDB, err := a.DB.DB(); err == nil {
		_ = sqlDB.Close()
	}
	return nil
}

// housekeeping deletes expired sessions and old login attempts every ten
// minutes. Any instance may do it; the deletes are idempotent.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.sess.DeleteExpired(ctx); err != nil {
				a.log.Warn("delete expired sessions", "err", err)
			} else if n > 0 {
				a.log.Info("deleted expired sessions", "count", n)
			}
			if err := a.thr.Prune(ctx); err != nil {
				a.log.Warn("prune login attempts", "err", err)
			}
		}
	}
}
