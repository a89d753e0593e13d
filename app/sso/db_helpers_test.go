package sso_test

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/devidp"
)

// eachDB runs f as parallel subtests on a fresh SQLite file and on a
// throw-away PostgreSQL schema (skipped when TEST_DATABASE_URL is unset).
// The database is empty: the apps started on it migrate it.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	dbtest.EachEmptyDB(t, func(t *testing.T, db *gorm.DB) {
		if sqlDB, err := db.DB(); err == nil && db.Dialector.Name() == "postgres" {
			// Enough for a few requests at once, few enough for many
			// parallel tests on one server.
			sqlDB.SetMaxOpenConns(8)
		}
		f(t, db)
	})
}

// logBuffer collects an app's log lines, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startApp is apptest.NewWithDB logging into a buffer, so that a test can
// run on PostgreSQL or start two apps (say, before and after a change of
// identity provider) on one database. It returns the app's log as well.
func startApp(t *testing.T, db *gorm.DB, opts apptest.Options) (*apptest.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return apptest.NewWithDB(t, db, log, opts), logs
}

// appWithIdP starts an app on db whose single sign-on is a new external
// identity provider (its own server and issuer) offering these people.
func appWithIdP(t *testing.T, db *gorm.DB, people ...devidp.Identity) (*apptest.Server, *externalIdP, *logBuffer) {
	t.Helper()
	x := newExternalIdP(t)
	srv, logs := startApp(t, db, apptest.Options{NoSeed: true, Env: x.env()})
	x.use(t, srv.URL, people...)
	return srv, x, logs
}
