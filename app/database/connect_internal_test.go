package database

import (
	"net/url"
	"testing"
	"time"
)

func TestPostgresURLGetsADefaultConnectTimeoutUnlessItHasOne(t *testing.T) {
	t.Parallel()
	dsn, where, timeout := withConnectTimeout("postgres://app:secret@db.example.com:5433/expenses?sslmode=require")
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
	dsn, _, timeout = withConnectTimeout(own)
	if dsn != own || timeout != 3*time.Second {
		t.Errorf("a URL with its own connect_timeout became %q, timeout %v; want it unchanged, 3s", dsn, timeout)
	}
}
