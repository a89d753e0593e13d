package sso_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/devidp"
)

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// wantNothingCreated checks that a refused sign-in left no account, no
// identity and no session behind.
func wantNothingCreated(t *testing.T, srv *fakeApp, b *browser) {
	t.Helper()
	if n := count(t, srv.DB, "SELECT count(*) FROM users") + count(t, srv.DB, "SELECT count(*) FROM identities"); n != 0 {
		t.Errorf("%d rows created by a refused sign-in", n)
	}
	if who := signedInAs(t, b); who != "" {
		t.Errorf("signed in as %s", who)
	}
}

// The ID token is the provider's signed statement of who signed in. Every
// forgery below must end on the SSO error page with nothing created.
func TestSSORefusesForgedIDTokens(t *testing.T) {
	t.Parallel()
	rogue, err := devidp.New(devidp.Config{
		Issuer:     "https://rogue.example/idp",
		Clients:    []devidp.Client{{ID: extClientID, Secret: "rogue", RedirectURIs: []string{otherRedirect}}},
		Identities: []devidp.Identity{{Subject: "acme-42", Name: "Robin Moss", Email: "robin@acme.test"}},
	})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		forge  func(t *testing.T, x *externalIdP, genuine string) string
		status int
		code   string
	}{
		{"signature byte flipped", func(_ *testing.T, _ *externalIdP, tok string) string {
			return flipSignatureByte(tok)
		}, http.StatusUnauthorized, "token"},
		{"claims re-signed with a key the provider never published", func(t *testing.T, _ *externalIdP, tok string) string {
			forged, err := resignWithAnotherKey(tok)
			if err != nil {
				t.Error(err)
			}
			return forged
		}, http.StatusUnauthorized, "token"},
		{"genuine token from another issuer", func(t *testing.T, _ *externalIdP, tok string) string {
			forged, err := mintIDToken(rogue.Issuer(), rogue.Handler(), extClientID, "rogue", otherRedirect, claim(tok, "nonce"), "acme-42")
			if err != nil {
				t.Error(err)
			}
			return forged
		}, http.StatusUnauthorized, "token"},
		{"genuine token issued to another application (wrong audience)", func(t *testing.T, x *externalIdP, tok string) string {
			forged, err := mintIDToken(x.issuer, x.current.Load().Handler(), otherClientID, otherSecret, otherRedirect, claim(tok, "nonce"), claim(tok, "sub"))
			if err != nil {
				t.Error(err)
			}
			return forged
		}, http.StatusUnauthorized, "token"},
		{"no ID token at all", func(*testing.T, *externalIdP, string) string { return "" }, http.StatusUnauthorized, "token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, x := appWithExternalIdP(t, devidp.Identity{Subject: "acme-42", Name: "Robin Moss", Email: "robin@acme.test"})
			forge := func(tok string) string { return tc.forge(t, x, tok) }
			x.tamper.Store(&forge)
			b := srv.Browser(t)
			tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "robin@acme.test"}, nil)
			wantProblem(t, tr.Callback, tc.status, tc.code)
			wantNothingCreated(t, srv, b)
		})
	}
}

// The nonce ties the ID token to this browser's sign-in, and PKCE ties the
// code to it: an authorization request altered on the way (or a code
// injected from another sign-in) fails.
func TestSSORefusesATokenWithAnotherNonceAndACodeWithoutItsVerifier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, param, code string
		status            int
	}{
		{"nonce", "nonce", "token", http.StatusUnauthorized},
		// The provider refuses the code (invalid_grant): "start again".
		{"code_challenge", "code_challenge", "expired", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeApp(t, fakeOptions{NoSeed: true})
			b := srv.Browser(t)
			other := make([]byte, 32)
			_, _ = rand.Read(other)
			tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Name: "Jordan Rivera", Email: "jordan.rivera@example.com"},
				func(q url.Values) { q.Set(tc.param, base64.RawURLEncoding.EncodeToString(other)) })
			wantProblem(t, tr.Callback, tc.status, tc.code)
			wantNothingCreated(t, srv, b)
		})
	}
}

func TestSSORefusesAReplayedState(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "jordan.rivera@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: status %d", tr.Callback.StatusCode)
	}
	if tr.FlowCookie == nil {
		t.Fatal("no flow cookie before the callback")
	}
	if flowCookie(t, b, tr.CallbackURL) != nil {
		t.Error("the flow cookie outlived its callback")
	}

	// The same callback again, in the same browser, and with a copy of the
	// old cookie in another one (an attacker who captured both).
	wantProblem(t, b.Get(tr.CallbackURL), http.StatusBadRequest, "state")
	thief := srv.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, tr.CallbackURL, nil)
	req.AddCookie(tr.FlowCookie)
	res := thief.Do(req)
	wantProblem(t, res, http.StatusBadRequest, "state")
	if who := signedInAs(t, thief); who != "" {
		t.Errorf("the replay signed in as %s", who)
	}
}

func TestSSORefusesAForgedState(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	b := srv.Browser(t)
	// A real sign-in is in progress in this browser; the attacker's
	// callback carries a state of their own.
	start := b.Get("/auth/openid-connect")
	u, _ := url.Parse(start.Location())
	forged := make([]byte, 32)
	_, _ = rand.Read(forged)
	for _, state := range []string{base64.RawURLEncoding.EncodeToString(forged), u.Query().Get("state")[:16] + strings.Repeat("A", 27), ""} {
		res := b.Get("/auth/openid-connect/callback?code=stolen&state=" + url.QueryEscape(state))
		wantProblem(t, res, http.StatusBadRequest, "state")
	}
	wantNothingCreated(t, srv, b)
}

func TestSSOProviderDownAtTheCallbackShowsTheErrorPage(t *testing.T) {
	t.Parallel()
	srv, x := appWithExternalIdP(t)
	b := srv.Browser(t)
	start := b.Get("/auth/openid-connect?next=/profile")
	picker := b.Get(start.Location())
	answer := submitOn(t, b, picker, `form[data-testid="devidp-identities"]`,
		url.Values{"subject": {subjectOnPicker(t, picker, "robin@acme.test")}})
	x.srv.CloseClientConnections()
	x.srv.Close() // the provider goes down before the app exchanges the code

	doc := wantProblem(t, b.Get(answer.Location()), http.StatusBadGateway, "provider")
	if again := doc.Find(`[data-testid="sso-try-again"]`).AttrOr("href", ""); again != "/auth/openid-connect?next=%2Fprofile" {
		t.Errorf("try again goes to %q", again)
	}
	wantNothingCreated(t, srv, b)
}

func TestSSOMissingOrWrongCodeAnswers400SignInExpired(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(url.Values)
		status int
	}{
		{"missing", func(q url.Values) { q.Del("code") }, http.StatusBadRequest},
		{"wrong", func(q url.Values) { q.Set("code", "not-the-code-the-provider-issued") }, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeApp(t, fakeOptions{NoSeed: true})
			b := srv.Browser(t)
			start := b.Get("/auth/openid-connect")
			picker := b.Get(start.Location())
			answer := submitOn(t, b, picker, `form[data-testid="devidp-identities"]`,
				url.Values{"subject": {subjectOnPicker(t, picker, "jordan.rivera@example.com")}})
			callback, err := url.Parse(answer.Location())
			if err != nil {
				t.Fatal(err)
			}
			q := callback.Query()
			tc.edit(q)
			callback.RawQuery = q.Encode()
			wantProblem(t, b.Get(callback.String()), tc.status, "expired")
			wantNothingCreated(t, srv, b)
		})
	}
}
