package auth_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

const (
	idle   = 30 * time.Minute
	maxAge = 12 * time.Hour
)

func newSessions(t *testing.T) (*auth.Sessions, *gorm.DB) {
	t.Helper()
	db := dbtest.SQLite(t)
	return auth.NewSessions(db, idle, maxAge), db
}

func createSession(t *testing.T, s *auth.Sessions, userID uint) string {
	t.Helper()
	token, err := s.Create(context.Background(), userID, "password", "Firefox", "203.0.113.5")
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return token
}

// backdate moves a column of the sessions of userID into the past, as if
// that much time had gone by.
func backdate(t *testing.T, db *gorm.DB, userID uint, column string, ago time.Duration) {
	t.Helper()
	err := db.Model(&models.Session{}).Where("user_id = ?", userID).Update(column, time.Now().UTC().Add(-ago)).Error
	if err != nil {
		t.Fatalf("backdate %s: %v", column, err)
	}
}

func sessionRows(t *testing.T, db *gorm.DB, userID uint) int64 {
	t.Helper()
	return count(t, db, "SELECT count(*) FROM sessions WHERE user_id = ?", userID)
}

func TestSessionsLookupReturnsTheSessionCreated(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	before := time.Now().UTC()
	token := createSession(t, s, uid)

	got, err := s.Lookup(context.Background(), token)
	if err != nil {
		t.Fatalf("Lookup of a fresh token: %v", err)
	}
	if got.UserID != uid || got.AuthMethod != "password" || got.UserAgent != "Firefox" || got.IP != "203.0.113.5" {
		t.Errorf("Lookup = %+v, want user %d, password, Firefox, 203.0.113.5", got, uid)
	}
	if exp := got.ExpiresAt.Sub(before); exp < maxAge-time.Minute || exp > maxAge+time.Minute {
		t.Errorf("ExpiresAt is %v after creation, want about %v", exp, maxAge)
	}
	if s.MaxAge() != maxAge {
		t.Errorf("MaxAge() = %v, want %v", s.MaxAge(), maxAge)
	}
}

func TestSessionsCreateIssuesAFreshUnguessableTokenEachTime(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	a, b := createSession(t, s, uid), createSession(t, s, uid)
	if a == b {
		t.Fatalf("two sign-ins got the same token %q", a)
	}
	// 32 random bytes in unpadded URL-safe base64.
	for _, tok := range []string{a, b} {
		if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(tok) {
			t.Errorf("token %q is not 32 bytes of URL-safe base64", tok)
		}
		if _, err := s.Lookup(context.Background(), tok); err != nil {
			t.Errorf("Lookup(%q): %v", tok, err)
		}
	}
}

// A leaked database must not leak usable cookies.
func TestSessionsStoreOnlyAHashOfTheToken(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	token := createSession(t, s, uid)

	rows, err := db.Raw("SELECT * FROM sessions").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		n++
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			text := fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				text = string(b)
			}
			if strings.Contains(text, token) {
				t.Errorf("column %s holds the raw token", cols[i])
			}
			if cols[i] == "token_hash" && !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(text) {
				t.Errorf("token_hash = %q, want a hex SHA-256", text)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("sessions table has %d rows, want 1", n)
	}
}

func TestSessionsLookupEndsSessionIdleLongerThanTheIdleTimeout(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	token := createSession(t, s, uid)
	backdate(t, db, uid, "last_seen_at", idle+time.Minute)

	if _, err := s.Lookup(context.Background(), token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("Lookup after idling %v: err = %v, want ErrNoSession", idle+time.Minute, err)
	}
	if n := sessionRows(t, db, uid); n != 0 {
		t.Errorf("the idle session's row is still there (%d rows)", n)
	}
}

func TestSessionsLookupEndsSessionPastItsAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	token := createSession(t, s, uid)
	// Active a moment ago, but signed in longer than maxAge ago.
	backdate(t, db, uid, "expires_at", time.Second)

	if _, err := s.Lookup(context.Background(), token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("Lookup after expires_at: err = %v, want ErrNoSession", err)
	}
	if n := sessionRows(t, db, uid); n != 0 {
		t.Errorf("the expired session's row is still there (%d rows)", n)
	}
}

func TestSessionsLookupKeepsAnActiveSessionAlive(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	token := createSession(t, s, uid)
	backdate(t, db, uid, "last_seen_at", idle-5*time.Minute)

	if _, err := s.Lookup(context.Background(), token); err != nil {
		t.Fatalf("Lookup within the idle timeout: %v", err)
	}
	var row models.Session
	if err := db.Where("user_id = ?", uid).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if ago := time.Since(row.LastSeenAt); ago > time.Minute {
		t.Errorf("last_seen_at is %v ago after a request, want it refreshed", ago)
	}
}

func TestSessionsLookupRefusesTokensItDidNotIssue(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	token := createSession(t, s, uid)
	last := token[len(token)-1]
	flipped := byte('A')
	if last == 'A' {
		flipped = 'B'
	}
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"unknown", strings.Repeat("x", 43)},
		{"one character changed", token[:len(token)-1] + string(flipped)},
		{"truncated", token[:len(token)-1]},
		{"with a suffix", token + "A"},
		{"over-long", token + strings.Repeat("A", 100)},
		{"the stored hash itself", hashOf(t, db, uid)},
	}
	for _, tt := range tests {
		if got, err := s.Lookup(context.Background(), tt.token); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("%s: Lookup = %+v, %v; want ErrNoSession", tt.name, got, err)
		}
	}
	if _, err := s.Lookup(context.Background(), token); err != nil {
		t.Errorf("the genuine token stopped working: %v", err)
	}
}

func hashOf(t *testing.T, db *gorm.DB, userID uint) string {
	t.Helper()
	var h string
	if err := db.Raw("SELECT token_hash FROM sessions WHERE user_id = ?", userID).Row().Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSessionsDeleteSignsOutOnlyThatSession(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	uid := newUser(t, db, "alice@example.com")
	ctx := context.Background()
	laptop, phone := createSession(t, s, uid), createSession(t, s, uid)

	if err := s.Delete(ctx, laptop); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Lookup(ctx, laptop); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("Lookup after Delete: err = %v, want ErrNoSession", err)
	}
	if _, err := s.Lookup(ctx, phone); err != nil {
		t.Errorf("the other session was ended too: %v", err)
	}
	if err := s.Delete(ctx, laptop); err != nil {
		t.Errorf("signing out twice: %v", err)
	}
}

func TestSessionsDeleteForUserEndsEverySessionOfThatUserOnly(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	alice, bob := newUser(t, db, "alice@example.com"), newUser(t, db, "bob@example.com")
	a1, a2, b1 := createSession(t, s, alice), createSession(t, s, alice), createSession(t, s, bob)

	if err := s.DeleteForUser(ctx, alice); err != nil {
		t.Fatalf("DeleteForUser: %v", err)
	}
	for _, tok := range []string{a1, a2} {
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("alice's session survived: err = %v", err)
		}
	}
	if _, err := s.Lookup(ctx, b1); err != nil {
		t.Errorf("bob's session was ended: %v", err)
	}
}

func TestSessionsDeleteOthersKeepsOnlyTheGivenSessionOfThatUser(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	alice, bob := newUser(t, db, "alice@example.com"), newUser(t, db, "bob@example.com")
	keep, a2, a3, b1 := createSession(t, s, alice), createSession(t, s, alice), createSession(t, s, alice), createSession(t, s, bob)

	if err := s.DeleteOthers(ctx, alice, keep); err != nil {
		t.Fatalf("DeleteOthers: %v", err)
	}
	if _, err := s.Lookup(ctx, keep); err != nil {
		t.Errorf("the kept session was ended: %v", err)
	}
	for _, tok := range []string{a2, a3} {
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("another session of alice survived: err = %v", err)
		}
	}
	if _, err := s.Lookup(ctx, b1); err != nil {
		t.Errorf("bob's session was ended: %v", err)
	}
}

func TestSessionsDeleteExpiredRemovesIdleAndExpiredSessionsOnly(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	fresh, idler, old := newUser(t, db, "fresh@example.com"), newUser(t, db, "idle@example.com"), newUser(t, db, "old@example.com")
	freshToken := createSession(t, s, fresh)
	createSession(t, s, idler)
	createSession(t, s, old)
	backdate(t, db, idler, "last_seen_at", idle+time.Minute)
	backdate(t, db, old, "expires_at", time.Second)

	n, err := s.DeleteExpired(ctx)
	if err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteExpired removed %d sessions, want 2", n)
	}
	if got := sessionRows(t, db, idler) + sessionRows(t, db, old); got != 0 {
		t.Errorf("%d stale sessions left", got)
	}
	if _, err := s.Lookup(ctx, freshToken); err != nil {
		t.Errorf("the fresh session was removed: %v", err)
	}
}
