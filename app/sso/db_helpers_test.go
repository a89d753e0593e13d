package sso_test

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/app/devidp"
)

// eachDB runs f as parallel subtests on a fresh SQLite file and on a
// throw-away PostgreSQL schema (skipped when TEST_DATABASE_URL is unset).
// The database is empty: the fake apps started on it migrate it.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, openSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, openPostgres(t))
	})
}

// openPostgres creates a schema of its own on the server TEST_DATABASE_URL
// names, dropped when the test ends, and opens it. It skips the test when
// the variable is unset.
func openPostgres(t *testing.T) *gorm.DB {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set; skipping the PostgreSQL variant")
	}
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	admin, err := gorm.Open(postgres.Open(base), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A generated name, safe to splice: identifiers cannot be parameters.
	schema := "sso_" + strings.ToLower(rand.Text()[:12])
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := gorm.Open(postgres.Open(u.String()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	// Enough for a few requests at once, few enough for many parallel
	// tests on one server.
	sqlDB.SetMaxOpenConns(8)
	t.Cleanup(func() {
		sqlDB.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if a, err := admin.DB(); err == nil {
			a.Close()
		}
	})
	return db
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

// startApp starts a fake app on db logging into a buffer, so that a test can
// run on PostgreSQL or start two apps (say, before and after a change of
// identity provider) on one database. It returns the app's log as well.
func startApp(t *testing.T, db *gorm.DB, opts fakeOptions) (*fakeApp, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return newFakeAppWithDB(t, db, opts), logs
}

// appWithIdP starts a fake app on db whose single sign-on is a new external
// identity provider (its own server and issuer) offering these people.
func appWithIdP(t *testing.T, db *gorm.DB, people ...devidp.Identity) (*fakeApp, *externalIdP, *logBuffer) {
	t.Helper()
	x := newExternalIdP(t)
	srv, logs := startApp(t, db, fakeOptions{NoSeed: true, IdP: x})
	x.use(t, srv.URL, people...)
	return srv, x, logs
}
