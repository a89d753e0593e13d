package sso_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

// Seed steps 10–11: without the startup routine the SSO URLs answer 404 Not
// Found; after it they work. The fake app's router is built without, then
// with, the one call, as app/app.go makes it.
func TestSSORoutesAnswer404WithoutTheStartupCallAndWorkAfterIt(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	db := openSQLite(t)
	migrateFake(t, db)
	a := &fakeApp{DB: db, sessions: map[string]uint{}, notices: map[uint][]string{}}
	e := echo.New()
	a.routes(e)
	// Someone signed in, as in the Mendix tutorial, where the app's users meet the 404.
	ann := fakeUser{Email: "ann@example.com", Name: "Ann Example", Active: true, PasswordHash: "plain:" + demoPassword}
	if err := db.Create(&ann).Error; err != nil {
		t.Fatal(err)
	}
	a.sessions["ann-session"] = ann.ID
	get := func(path string, signedIn bool) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if signedIn {
			req.AddCookie(&http.Cookie{Name: "session", Value: "ann-session"})
		}
		e.ServeHTTP(rec, req)
		return rec
	}

	for _, path := range []string{"/auth/openid-connect", "/auth/openid-connect/callback?state=x&code=y"} {
		for _, signedIn := range []bool{true, false} {
			if rec := get(path, signedIn); rec.Code != http.StatusNotFound {
				t.Fatalf("before the startup call (signed in: %v): GET %s = %d, want 404\n%s", signedIn, path, rec.Code, rec.Body)
			}
		}
	}

	svc, err := sso.Start(context.Background(), e, sso.Config{
		BaseURL: "http://app.invalid", Secret: "s", DB: db, App: a,
		Providers:    []sso.ProviderSpec{sso.OIDC{Issuer: x.issuer, ClientID: extClientID, ClientSecret: extSecret}},
		OnFirstLogin: a.onFirstLogin,
	})
	if err != nil {
		t.Fatal(err)
	}
	a.SSO = svc

	rec := get("/auth/openid-connect", true)
	if rec.Code != http.StatusFound {
		t.Fatalf("after the startup call: GET /auth/openid-connect = %d, want 302", rec.Code)
	}
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, x.issuer+"/authorize?") {
		t.Errorf("redirect to %q, want the provider's authorization endpoint", loc)
	}
	if rec := get("/auth/openid-connect/callback", true); rec.Code != http.StatusBadRequest {
		t.Errorf("after the startup call: a callback without state = %d, want 400 (the SSO error page)", rec.Code)
	}
}

func TestSSOUnknownProviderAnswers404(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	b := srv.Browser(t)
	for _, p := range []string{"/auth/nope", "/auth/nope/callback?state=x&code=y", "/auth/GITHUB", "/auth/github"} {
		res := b.Get(p)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
		if res.Doc(t).Find(`[data-testid="error-page"]`).Length() == 0 {
			t.Errorf("GET %s: not the app's 404 page", p)
		}
	}
}

// An issuer that answers discovery under another name is a configuration
// error no retry mends: start-up stops and says what to set.
func TestSSOStartFailsWithAnErrorNamingTheIssuerWhenItAnswersAsAnotherIssuer(t *testing.T) {
	t.Parallel()
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://elsewhere.example","authorization_endpoint":"https://elsewhere.example/a","token_endpoint":"https://elsewhere.example/t","jwks_uri":"https://elsewhere.example/k"}`))
	}))
	t.Cleanup(wrong.Close)
	_, err := sso.Start(context.Background(), echo.New(), sso.Config{
		BaseURL: "http://localhost:8080", Secret: "s", DB: openSQLite(t), App: &fakeApp{},
		Providers:    []sso.ProviderSpec{sso.OIDC{Issuer: wrong.URL, ClientID: "x"}},
		OnFirstLogin: sso.ExampleOnFirstLogin,
	})
	if err == nil || !strings.Contains(err.Error(), wrong.URL) || !strings.Contains(err.Error(), "https://elsewhere.example") {
		t.Fatalf("start-up error %v, want one that names %s and the issuer it answered as", err, wrong.URL)
	}
}

// A discovery attempt that hangs is abandoned after the timeout, and the app
// starts without the provider instead of waiting for it.
func TestSSODiscoveryGivesUpAfterTheTimeoutAndStartGoesOn(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })

	// Without the timeout Start would wait until the test times out.
	svc, err := sso.Start(context.Background(), echo.New(), sso.Config{
		BaseURL: "http://localhost:8080", Secret: "s", DB: openSQLite(t), App: &fakeApp{},
		Providers:      []sso.ProviderSpec{sso.OIDC{Issuer: hang.URL, ClientID: "x"}},
		OnFirstLogin:   sso.ExampleOnFirstLogin,
		Timeout:        200 * time.Millisecond,
		DiscoveryRetry: time.Hour,
	})
	if err != nil {
		t.Fatalf("Start: %v, want a start without the hanging provider", err)
	}
	if ps := svc.Providers(); len(ps) != 1 || ps[0].Available {
		t.Errorf("providers %+v, want the one provider marked unavailable", ps)
	}
}

// The Mendix tutorial's excluded example hook is documentation, but it must still work
// as documented: a bare SSO-only account.
func TestExampleOnFirstLoginCreatesABareSSOOnlyUser(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	migrateFake(t, db)
	var id uint
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		id, err = sso.ExampleOnFirstLogin(context.Background(), tx, sso.Profile{Email: "new@example.com", Subject: "s"})
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("ExampleOnFirstLogin: %d, %v", id, err)
	}
	var u fakeUser
	db.Take(&u, id)
	if u.Email != "new@example.com" || !u.Active || u.PasswordHash != "" {
		t.Errorf("user %+v, want active, without password", u)
	}
}

func TestGothProvidersGetButtonsInOrderAndAuthorizationRedirects(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true, Providers: []sso.ProviderSpec{
		sso.GitHub{Key: "gh-id", Secret: "gh-secret"},
		sso.Google{Key: "g-id", Secret: "g-secret"},
		sso.Microsoft{Key: "ms-id", Secret: "ms-secret", Tenant: "contoso.onmicrosoft.com"},
	}})
	b := srv.Browser(t)
	var labels []string
	b.Get("/login").Doc(t).Find(`[data-testid="sso-buttons"] a`).Each(func(_ int, s *goquery.Selection) {
		labels = append(labels, strings.TrimSpace(s.Text()))
	})
	want := []string{"Sign in with " + devSSO, "Sign in with GitHub", "Sign in with Google", "Sign in with Microsoft"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("buttons %q, want %q", labels, want)
	}
	for name, prefix := range map[string]string{
		"github":    "https://github.com/login/oauth/authorize?",
		"google":    "https://accounts.google.com/o/oauth2/auth?",
		"microsoft": "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?",
	} {
		res := b.Get("/auth/" + name)
		loc, _ := url.Parse(res.Location())
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Location(), prefix) {
			t.Errorf("GET /auth/%s = %d to %q, want %s…", name, res.StatusCode, res.Location(), prefix)
			continue
		}
		q := loc.Query()
		if len(q.Get("state")) != 43 || q.Get("redirect_uri") != srv.URL+"/auth/"+name+"/callback" {
			t.Errorf("%s: state %q, redirect_uri %q", name, q.Get("state"), q.Get("redirect_uri"))
		}
		if name == "google" && q.Get("access_type") != "online" {
			t.Errorf("google asks for access_type %q", q.Get("access_type"))
		}
	}
}
