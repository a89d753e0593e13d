package database

import (
	"net/url"
	"testing"
	"time"
)

func TestPostgresURLGetsADefaultConnectTimeoutUnlessItHasOne(t *testing.T) {
	t.Parallel()
	dsn, where, timeout := withConnectTimeout("postgres://app:secret@db.example.com:5433/expenses?sslmode=require", DefaultConnectTimeout)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("connect_timeout"); got != "10" {
		t.Errorf("connect_timeout = %q, want 10", got)
	}
	if u.Query().Get("sslmode") != "require" || u.User.Username() != "app" {
		t.Errorf("the rest of the URL changed: %s", dsn)
	}
	if where != "db.example.com:5433" || timeout != DefaultConnectTimeout {
		t.Errorf("where, timeout = %q, %v; want db.example.com:5433, %v", where, timeout, DefaultConnectTimeout)
	}

	own := "postgres://app@db.example.com/expenses?connect_timeout=3"
	dsn, _, timeout = withConnectTimeout(own, DefaultConnectTimeout)
	if dsn != own || timeout != 3*time.Second {
		t.Errorf("a URL with its own connect_timeout became %q, timeout %v; want it unchanged, 3s", dsn, timeout)
	}
}

// DB_CONNECT_TIMEOUT changes the default connect_timeout; a URL's own still wins.
func TestConfiguredConnectTimeoutIsTheDefaultInWholeSecondsRoundedUp(t *testing.T) {
	t.Parallel()
	dsn, _, timeout := withConnectTimeout("postgres://app@db.example.com/expenses", 2500*time.Millisecond)
	u, _ := url.Parse(dsn)
	if got := u.Query().Get("connect_timeout"); got != "3" || timeout != 2500*time.Millisecond {
		t.Errorf("connect_timeout = %q (timeout %v), want 3 (2.5s)", got, timeout)
	}
}

// DB_STATEMENT_TIMEOUT becomes PostgreSQL's statement_timeout, in
// milliseconds, unless DATABASE_URL sets one.
func TestStatementTimeoutIsAddedToThePostgresURLUnlessItHasOne(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse(withStatementTimeout("postgres://app@db.example.com/expenses?sslmode=require", 1500*time.Millisecond))
	if got := u.Query().Get("statement_timeout"); got != "1500" || u.Query().Get("sslmode") != "require" {
		t.Errorf("got %s, want statement_timeout=1500 and sslmode kept", u)
	}
	own := "postgres://app@db.example.com/expenses?statement_timeout=0"
	if got := withStatementTimeout(own, time.Second); got != own {
		t.Errorf("a URL with its own statement_timeout became %q", got)
	}
}

// Zero fields are the documented defaults, per engine.
func TestPoolZeroFieldsAreTheDocumentedDefaultsPerEngine(t *testing.T) {
	t.Parallel()
	pg := Pool{}.withDefaults(true)
	if pg != (Pool{MaxOpen: 20, MaxIdle: 10, MaxLifetime: 30 * time.Minute, StatementTimeout: 30 * time.Second, ConnectTimeout: DefaultConnectTimeout}) {
		t.Errorf("PostgreSQL defaults = %+v", pg)
	}
	if lite := (Pool{}).withDefaults(false); lite.MaxOpen != 8 || lite.MaxIdle != 8 {
		t.Errorf("SQLite defaults = %+v, want 8 open, 8 idle", lite)
	}
	if small := (Pool{MaxOpen: 4}).withDefaults(true); small.MaxIdle != 4 {
		t.Errorf("idle above open: %+v", small)
	}
}
