package sso_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/sso"
)

// Audit finding 3: providers built on common OpenID Connect libraries omit
// email_verified when it is false. An address the provider does not assert
// as verified must not create an account, pass the allowed domains or make
// anyone an administrator through BOOTSTRAP_ADMINS.
func TestSSOFirstLoginWhoseAddressIsNotAssertedVerifiedIsRefusedAndGetsNoAdminRole(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]devidp.Verification{
		"email_verified absent": devidp.EmailUnasserted,
		"email_verified false":  devidp.EmailUnverified,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x := newExternalIdP(t)
			srv := newFakeApp(t, fakeOptions{NoSeed: true, IdP: x, AllowedDomains: []string{"acme.test"}})
			x.use(t, srv.URL, devidp.Identity{Name: "Robin Moss", Email: "robin@acme.test", Verification: v})
			b := srv.Browser(t)
			tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "robin@acme.test"}, nil)
			doc := wantProblem(t, tr.Callback, http.StatusForbidden, "unverified_email")
			if msg := doc.Find(`[data-testid="sso-problem-message"]`).Text(); !strings.Contains(msg, "identity provider did not confirm your e-mail address") {
				t.Errorf("message %q does not say the provider did not confirm the address", msg)
			}
			// No account, so nobody for BOOTSTRAP_ADMINS to promote either
			// (the app side of that rule is app/web's
			// TestSSOUnverifiedAddressGetsNoAdminRoleFromBootstrapAdmins).
			wantNothingCreated(t, srv, b)
		})
	}
}

// SSO_OIDC_TRUST_EMAIL=on declares a provider that releases verified
// addresses only: its addresses count without the claim.
func TestSSOTrustEmailSettingAcceptsAnAddressWithoutTheClaim(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	srv := newFakeApp(t, fakeOptions{NoSeed: true, IdP: x, TrustEmail: true})
	x.use(t, srv.URL, devidp.Identity{Name: "Robin Moss", Email: "robin@acme.test", Verification: devidp.EmailUnasserted})
	b := srv.Browser(t)
	signIn(t, b, "/auth/openid-connect", pick{Email: "robin@acme.test"})
	if who := signedInAs(t, b); who != "robin@acme.test" {
		t.Errorf("signed in as %q", who)
	}
}

// The development identity provider can send an address as unverified, so
// the refusal can be seen in the demo.
func TestSSODevIdPUnverifiedNewPersonIsRefusedWithTheConfirmationPage(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Name: "Una Verified", Email: "una@example.com", Unverified: true}, nil)
	wantProblem(t, tr.Callback, http.StatusForbidden, "unverified_email")
	wantNothingCreated(t, srv, b)
}

// Audit finding 9: a code the provider refuses as invalid_grant (tampered,
// replayed, spent) is the person's "start again", logged as a warning, not
// a provider outage logged as an error.
func TestSSOCodeRefusedAsInvalidGrantAnswers400StartAgainLoggedAtWarn(t *testing.T) {
	t.Parallel()
	srv, x, logs := appWithIdP(t, openSQLite(t))
	b := srv.Browser(t)
	tr := toCallback(t, b, b.Get("/auth/openid-connect").Location(), pick{Email: "robin@acme.test"}, nil)
	u, _ := url.Parse(tr.CallbackURL)
	q := u.Query()
	q.Set("code", q.Get("code")+"x")
	u.RawQuery = q.Encode()
	doc := wantProblem(t, b.Get(u.String()), http.StatusBadRequest, "expired")
	if doc.Find(`[data-testid="sso-try-again"]`).Length() == 0 {
		t.Error("no way to start again")
	}
	if x.tokenCalls.Load() != 1 {
		t.Errorf("%d token requests, want 1", x.tokenCalls.Load())
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "problem=expired") || strings.Contains(l, "level=ERROR") {
		t.Errorf("log, want one warning about the expired sign-in and no error:\n%s", l)
	}
	wantNothingCreated(t, srv, b)
}

// A wrong client secret is the administrator's to fix, and says so; the
// token endpoint is asked once, not again with a second authentication
// method (golang.org/x/oauth2's auto-detection, which doubles the wait).
func TestSSOWrongClientSecretSaysMisconfiguredLogsAnErrorAndAsksTheTokenEndpointOnce(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	srv, logs := startApp(t, openSQLite(t), fakeOptions{NoSeed: true, IdP: x, ClientSecret: "not-the-secret"})
	x.use(t, srv.URL)
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "robin@acme.test"}, nil)
	doc := wantProblem(t, tr.Callback, http.StatusInternalServerError, "misconfigured")
	if msg := doc.Find(`[data-testid="sso-problem-message"]`).Text(); !strings.Contains(msg, "misconfigured") || !strings.Contains(msg, "administrator") {
		t.Errorf("message %q should say single sign-on is misconfigured and to tell the administrator", msg)
	}
	if n := x.tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests for one sign-in, want 1", n)
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "problem=misconfigured") {
		t.Errorf("log, want an error about the misconfiguration:\n%s", l)
	}
	wantNothingCreated(t, srv, b)
}

// The callback's calls to the provider end when the browser goes away.
func TestSSOCallbackAbandonsTheTokenExchangeWhenTheBrowserGoesAway(t *testing.T) {
	t.Parallel()
	srv, x := appWithExternalIdP(t)
	entered, abandoned, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before the servers close
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		close(entered)
		select {
		case <-r.Context().Done():
			close(abandoned)
		case <-release:
		}
	})
	b := srv.Browser(t)
	tr := toCallback(t, b, b.Get("/auth/openid-connect").Location(), pick{Email: "robin@acme.test"}, nil)
	x.token.Store(&hang)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tr.CallbackURL, nil)
	done := make(chan error, 1)
	go func() {
		res, err := b.Client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-entered
	cancel() // the browser goes away
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("browser request: %v", err)
	}
	select {
	case <-abandoned:
	case <-time.After(5 * time.Second): // a bound on a failing test, not a measurement
		t.Fatal("the app kept waiting for the token endpoint after the browser went away")
	}
}

// Audit finding 8: an identity provider that is down at start-up does not
// keep the app from starting; its button says it is unreachable, password
// sign-in works, and it recovers by itself once the provider answers.
func TestSSOStartsWhileTheIdentityProviderIsDownAndRecoversByItself(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	x.down.Store(true)
	srv := newFakeApp(t, fakeOptions{IdP: x})
	x.use(t, srv.URL)

	b := srv.Browser(t)
	login := b.Get("/login")
	if login.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d", login.StatusCode)
	}
	note := strings.TrimSpace(login.Doc(t).Find(`[data-testid="sso-unreachable"]`).Text())
	if note != "Acme SSO is unreachable right now; sign in with your password." {
		t.Errorf("unreachable note %q", note)
	}
	if login.Doc(t).Find(`a[href^="/auth/openid-connect"]`).Length() != 0 {
		t.Error("the sign-in page links to the unreachable provider")
	}
	wantProblem(t, b.Get("/auth/openid-connect"), http.StatusServiceUnavailable, "unreachable")
	b.Login("employee@example.com", demoPassword)
	if who := signedInAs(t, b); who != "employee@example.com" {
		t.Fatalf("password sign-in during the outage: signed in as %q", who)
	}

	x.down.Store(false)
	fresh := srv.Browser(t)
	deadline := time.Now().Add(30 * time.Second) // a bound on a failing test
	for fresh.Get("/login").Doc(t).Find(`a[href^="/auth/openid-connect"]`).Length() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the provider's button did not come back after the provider recovered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	signIn(t, fresh, "/auth/openid-connect", pick{Email: "robin@acme.test"})
	if who := signedInAs(t, fresh); who != "robin@acme.test" {
		t.Errorf("after recovery: signed in as %q", who)
	}
}

// Audit finding 15: every start leaves a flow cookie; without a bound ~56
// starts make every /auth request too large (431) for ten minutes.
func TestSSOSixtyStartsKeepTheFlowCookiesBoundedAndTheLatestCompletes(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	b := srv.Browser(t)
	var last string
	for range 60 {
		res := b.Get("/auth/openid-connect")
		if res.StatusCode != http.StatusFound {
			t.Fatalf("start: %d", res.StatusCode)
		}
		last = res.Location()
	}
	cb, _ := url.Parse(srv.URL + "/auth/openid-connect/callback")
	n, size := 0, 0
	for _, c := range b.Jar.Cookies(cb) {
		if strings.HasPrefix(c.Name, "sso_") {
			n++
			size += len(c.Name) + len(c.Value) + 3
		}
	}
	if n > 3 {
		t.Errorf("%d flow cookies (%d bytes of Cookie header) after 60 starts, want at most 3", n, size)
	}
	tr := continueAtProvider(t, b, last, pick{Name: "Lee Last", Email: "lee.last@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther {
		t.Fatalf("the latest sign-in: status %d\n%s", tr.Callback.StatusCode, tr.Callback.Body)
	}
}

// Audit finding 17: an avatar from any host would be a tracking pixel on
// every page. Only the provider's own hosts are kept.
func TestSSOAvatarFromAHostOutsideTheProviderIsDropped(t *testing.T) {
	t.Parallel()
	srv, x := appWithExternalIdP(t, devidp.Identity{Name: "Robin Moss", Email: "robin@acme.test", AvatarURL: "https://tracker.example/pixel.gif?u=robin"})
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: "robin@acme.test"})
	var got string
	srv.DB.Raw("SELECT avatar_url FROM identities WHERE email = 'robin@acme.test'").Scan(&got)
	if got != "" {
		t.Errorf("avatar %q from a foreign host kept", got)
	}

	own := x.srv.URL + "/idp/avatars/robin.png"
	x.use(t, srv.URL, devidp.Identity{Name: "Robin Moss", Email: "robin@acme.test", AvatarURL: own})
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: "robin@acme.test"})
	srv.DB.Raw("SELECT avatar_url FROM identities WHERE email = 'robin@acme.test'").Scan(&got)
	if got != own {
		t.Errorf("avatar %q, want the issuer's own %q", got, own)
	}
}

// Attack: a code and state issued for one provider, delivered to another
// provider's callback (mix-up), are refused before any code exchange.
func TestSSOMixUpCodeAndStateOfOneProviderDeliveredToAnotherIsRefused(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	srv := newFakeApp(t, fakeOptions{NoSeed: true, IdP: x, Providers: []sso.ProviderSpec{sso.GitHub{Key: "gh-id", Secret: "gh-secret"}}})
	x.use(t, srv.URL)
	b := srv.Browser(t)
	tr := toCallback(t, b, b.Get("/auth/openid-connect").Location(), pick{Email: "robin@acme.test"}, nil)
	u, _ := url.Parse(tr.CallbackURL)
	wantProblem(t, b.Get("/auth/github/callback?"+u.RawQuery), http.StatusBadRequest, "state")
	if n := x.tokenCalls.Load(); n != 0 {
		t.Errorf("%d code exchanges", n)
	}
	wantNothingCreated(t, srv, b)
}

// Attack: an ID token that has expired (the provider's clock says the
// sign-in was two hours ago) is refused.
func TestSSORefusesAnExpiredIDToken(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	srv := newFakeApp(t, fakeOptions{NoSeed: true, IdP: x})
	x.useClock(t, srv.URL, func() time.Time { return time.Now().Add(-2 * time.Hour) })
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "robin@acme.test"}, nil)
	wantProblem(t, tr.Callback, http.StatusUnauthorized, "token")
	wantNothingCreated(t, srv, b)
}

// Attack: the attacker signs in with their own account, stops before the
// callback, and plants their code in the victim's browser with the victim's
// state (code injection). The victim's PKCE verifier does not match the
// attacker's challenge, so the provider refuses the exchange.
func TestSSORefusesACodeInjectedFromAnotherSignIn(t *testing.T) {
	t.Parallel()
	srv, x := appWithExternalIdP(t,
		devidp.Identity{Name: "Mallory Attacker", Email: "mallory@acme.test"},
		devidp.Identity{Name: "Victor Victim", Email: "victor@acme.test"})
	attacker := srv.Browser(t)
	stolen := toCallback(t, attacker, attacker.Get("/auth/openid-connect").Location(), pick{Email: "mallory@acme.test"}, nil)
	su, _ := url.Parse(stolen.CallbackURL)

	victim := srv.Browser(t)
	vu, _ := url.Parse(victim.Get("/auth/openid-connect").Location())
	injected := srv.URL + "/auth/openid-connect/callback?code=" + url.QueryEscape(su.Query().Get("code")) +
		"&state=" + url.QueryEscape(vu.Query().Get("state"))
	wantProblem(t, victim.Get(injected), http.StatusBadRequest, "expired")
	if x.tokenCalls.Load() != 1 {
		t.Errorf("%d token requests, want the one the provider refused", x.tokenCalls.Load())
	}
	wantNothingCreated(t, srv, victim)
}
