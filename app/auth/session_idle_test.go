package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/auth"
)

// clock is a settable time for the session store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func clockedSessions(t *testing.T) (*auth.Sessions, *clock, uint) {
	t.Helper()
	s, db := newSessions(t)
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	auth.SetClock(s, c.now)
	return s, c, newUser(t, db, "alice@example.com")
}

func TestSessionIdleForTheTimeoutPlusOneSecondIsRefusedAndAtTheTimeoutIsKept(t *testing.T) {
	t.Parallel()
	s, c, uid := clockedSessions(t)
	start := c.now()
	kept, refused := createSession(t, s, uid), createSession(t, s, uid)
	c.set(start.Add(idle))
	if _, err := s.Lookup(context.Background(), kept); err != nil {
		t.Errorf("Lookup idle for exactly %v: %v, want the session kept", idle, err)
	}
	c.set(start.Add(idle + time.Second))
	if _, err := s.Lookup(context.Background(), refused); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("Lookup idle for %v: err = %v, want ErrNoSession", idle+time.Second, err)
	}
}

// The idle timeout counts from the last request, not from the last time
// the store happened to write last_seen_at.
func TestSessionIdleTimeoutCountsFromTheLastRequest(t *testing.T) {
	t.Parallel()
	s, c, uid := clockedSessions(t)
	start := c.now()
	token := createSession(t, s, uid)
	active := start.Add(30 * time.Second)
	c.set(active)
	if _, err := s.Lookup(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	c.set(active.Add(idle))
	if _, err := s.Lookup(context.Background(), token); err != nil {
		t.Fatalf("Lookup %v after the last request: %v, want the session kept", idle, err)
	}
	c.set(active.Add(2*idle + time.Second))
	if _, err := s.Lookup(context.Background(), token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("Lookup %v after the last request: err = %v, want ErrNoSession", idle+time.Second, err)
	}
}
