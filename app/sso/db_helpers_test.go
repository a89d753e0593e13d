package sso_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/devidp"
)

// eachDB runs f as parallel subtests on a fresh SQLite file and on a
// throw-away PostgreSQL schema (skipped when TEST_DATABASE_URL is unset).
// The database is empty: the apps started on it migrate it.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, sqliteDB(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, postgresDB(t))
	})
}

func sqliteDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := database.Open("", filepath.Join(t.TempDir(), "test.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

// postgresDB opens an empty schema of its own in the PostgreSQL database
// named by TEST_DATABASE_URL, dropped when the test ends, or skips the test.
func postgresDB(t *testing.T) *gorm.DB {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("PostgreSQL variant skipped: set TEST_DATABASE_URL=postgres://user@host:5432/db?sslmode=disable to run it")
	}
	if !database.IsPostgres(base) {
		t.Fatal("TEST_DATABASE_URL must start with postgres://")
	}
	admin, err := database.Open(base, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "sso_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		closeDB(admin)
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		closeDB(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := database.Open(u.String(), "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open PostgreSQL schema: %v", err)
	}
	if sqlDB, err := db.DB(); err == nil {
		// Enough for a few requests at once, few enough for many parallel
		// tests on one server.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(2)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
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

// startApp is apptest.New on a database the test opened, so that a test can
// run on PostgreSQL or start two apps (say, before and after a change of
// identity provider) on one database. It returns the app's log as well.
func startApp(t *testing.T, db *gorm.DB, opts apptest.Options) (*apptest.Server, *logBuffer) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{
		"APP_ENV":  "development",
		"BASE_URL": "http://" + srv.Listener.Addr().String(),
	}
	if opts.NoSeed {
		env["SEED_DEMO_DATA"] = "off"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.NewWithDB(context.Background(), cfg, db, log)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &apptest.Server{Server: srv, App: a, DB: db}, logs
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
