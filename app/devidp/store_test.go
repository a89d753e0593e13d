package devidp

import (
	"errors"
	"testing"
	"time"
)

func TestStoreCodesAreSingleUse(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := newStore(clock.Now)
	g := grant{ClientID: "app", Identity: Identity{Subject: "dev-x"}}

	t.Run("replay before the token is stored wins", func(t *testing.T) {
		t.Parallel()
		code, err := s.newCode(g)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.redeem(code); err != nil {
			t.Fatalf("first redeem: %v", err)
		}
		if _, err := s.redeem(code); !errors.Is(err, errCodeReused) {
			t.Fatalf("replay: %v, want errCodeReused", err)
		}
		if _, err := s.newAccessToken(code, storedToken{expires: clock.Now().Add(time.Hour)}); !errors.Is(err, errCodeReused) {
			t.Fatalf("token after replay: %v, want errCodeReused", err)
		}
	})

	t.Run("replay after the token is stored revokes it", func(t *testing.T) {
		t.Parallel()
		code, _ := s.newCode(g)
		if _, err := s.redeem(code); err != nil {
			t.Fatal(err)
		}
		token, err := s.newAccessToken(code, storedToken{expires: clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.accessToken(token); !ok {
			t.Fatal("fresh token is not live")
		}
		if _, err := s.redeem(code); !errors.Is(err, errCodeReused) {
			t.Fatalf("replay: %v", err)
		}
		if _, ok := s.accessToken(token); ok {
			t.Fatal("token survived the replay of its code")
		}
	})
}

func TestStorePurgesExpiredEntries(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := newStore(clock.Now)
	if _, err := s.newCode(grant{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(purgeInterval + codeTTL)
	if _, err := s.newCode(grant{}); err != nil { // triggers the purge
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.codes) != 1 {
		t.Errorf("%d codes stored, want only the fresh one", len(s.codes))
	}
}
