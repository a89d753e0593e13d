package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/company-expenses/company-expenses/app/auth"
)

func TestSessionsListShowsOnlyThatPersonsLiveSessionsAndMarksTheCurrentOne(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	alice, bob := newUser(t, db, "alice@example.com"), newUser(t, db, "bob@example.com")
	current := createSession(t, s, alice)
	createSession(t, s, alice)
	createSession(t, s, bob)
	row, err := s.Lookup(ctx, current)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, alice, row.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("alice's list has %d sessions, want her 2", len(list))
	}
	currents := 0
	for _, a := range list {
		if a.Current {
			currents++
		}
		if a.Handle == "" || a.Handle == row.TokenHash || a.UserAgent != "Firefox" || a.AuthMethod != "password" {
			t.Errorf("session %+v: want a handle other than the token hash, Firefox, password", a)
		}
	}
	if currents != 1 {
		t.Errorf("%d sessions marked current, want 1", currents)
	}
}

func TestEndByHandleEndsOwnSessionButNeverAnotherPersonsSession(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	alice, bob := newUser(t, db, "alice@example.com"), newUser(t, db, "bob@example.com")
	aliceToken := createSession(t, s, alice)
	bobToken := createSession(t, s, bob)
	bobs, err := s.List(ctx, bob, "")
	if err != nil || len(bobs) != 1 {
		t.Fatalf("bob's sessions: %v, %v", bobs, err)
	}
	if err := s.EndByHandle(ctx, alice, bobs[0].Handle); !errors.Is(err, auth.ErrUnknownSession) {
		t.Errorf("alice ending bob's session by its handle: %v, want ErrUnknownSession", err)
	}
	if _, err := s.Lookup(ctx, bobToken); err != nil {
		t.Fatalf("bob's session ended by alice's request: %v", err)
	}
	alices, _ := s.List(ctx, alice, "")
	if err := s.EndByHandle(ctx, alice, alices[0].Handle); err != nil {
		t.Fatalf("alice ending her own session: %v", err)
	}
	if _, err := s.Lookup(ctx, aliceToken); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("alice's session after ending it: %v, want ErrNoSession", err)
	}
}

func TestEndProviderSessionsEndsBySidOrBySubjectAndNeverPasswordSessions(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	uid := newUser(t, db, "alice@example.com")
	fed := func(sub, sid string) string {
		token, err := s.CreateFederated(ctx, uid, "sso:openid-connect", "", "", auth.Federation{Issuer: "https://idp.example", Subject: sub, SessionID: sid})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	one, two := fed("alice-sub", "sid-1"), fed("alice-sub", "sid-2")
	password := createSession(t, s, uid)
	live := func(token string) bool { _, err := s.Lookup(ctx, token); return err == nil }

	if n, err := s.EndProviderSessions(ctx, "https://other.example", "alice-sub", "sid-1"); err != nil || n != 0 {
		t.Errorf("another issuer's logout ended %d sessions (%v), want 0", n, err)
	}
	if n, err := s.EndProviderSessions(ctx, "https://idp.example", "", "sid-1"); err != nil || n != 1 || live(one) || !live(two) {
		t.Errorf("logout by sid-1 ended %d (%v); sid-1 live %v, sid-2 live %v; want only sid-1 ended", n, err, live(one), live(two))
	}
	if n, err := s.EndProviderSessions(ctx, "https://idp.example", "alice-sub", ""); err != nil || n != 1 || live(two) {
		t.Errorf("logout by subject ended %d (%v), sid-2 live %v; want the identity's remaining session ended", n, err, live(two))
	}
	if !live(password) {
		t.Error("a provider's logout ended the password session")
	}
}

// The ID token is kilobytes that only sign-out needs: every request's
// Lookup leaves it in the database, and Federation reads it.
func TestLookupLeavesTheIDTokenToFederationAtSignOut(t *testing.T) {
	t.Parallel()
	s, db := newSessions(t)
	ctx := context.Background()
	uid := newUser(t, db, "alice@example.com")
	want := auth.Federation{Issuer: "https://idp.example", Subject: "alice-sub", SessionID: "sid-1", IDToken: "header.payload.signature"}
	token, err := s.CreateFederated(ctx, uid, "sso:openid-connect", "", "", want)
	if err != nil {
		t.Fatal(err)
	}
	row, err := s.Lookup(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if row.IDToken != "" || row.ProviderIssuer != want.Issuer {
		t.Errorf("Lookup read ID token %q and issuer %q; want no ID token and the issuer", row.IDToken, row.ProviderIssuer)
	}
	if got, err := s.Federation(ctx, token); err != nil || got != want {
		t.Errorf("Federation = %+v, %v; want %+v", got, err, want)
	}
}
