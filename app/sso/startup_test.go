package sso_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/provisioning"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/app/web"
	"github.com/company-expenses/company-expenses/models"
)

func devConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Seed steps 10–11: without the startup routine the SSO URLs answer 404 Not
// Found; after it they work. The web app is built exactly as app/app.go
// builds it, minus (then plus) the one call.
func TestSSORoutesAnswer404WithoutTheStartupCallAndWorkAfterIt(t *testing.T) {
	t.Parallel()
	x := newExternalIdP(t)
	db := dbtest.SQLite(t)
	cfg := devConfig(t, x.env())
	sessions := auth.NewSessions(db, time.Hour, time.Hour)
	w := web.New(web.Deps{
		Config: cfg, DB: db, Log: slog.New(slog.DiscardHandler),
		Sessions: sessions,
		Throttle: auth.NewThrottle(db, time.Minute, auth.Limits{PerAccountAndIP: 5, PerAccount: 50, PerIP: 200}),
		People:   people.NewService(db, models.BaseRoles()),
	})
	// Someone signed in, as in the seed, where the app's users meet the 404.
	emp := models.NewLocalEmployee("ann@example.com", "Ann Example")
	if err := models.CreateEmployee(db, emp); err != nil {
		t.Fatal(err)
	}
	token, err := sessions.Create(context.Background(), emp.UserID, "password", "test", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: token})
		w.Echo().ServeHTTP(rec, req)
		return rec
	}

	for _, path := range []string{"/auth/openid-connect", "/auth/openid-connect/callback?state=x&code=y"} {
		if rec := get(path); rec.Code != http.StatusNotFound {
			t.Fatalf("before the startup call: GET %s = %d, want 404\n%s", path, rec.Code, rec.Body)
		}
		rec := httptest.NewRecorder()
		w.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Fatalf("before the startup call, signed out: GET %s = %d, want 404", path, rec.Code)
		}
	}

	svc, err := sso.Start(context.Background(), w.PageRoutes(), sso.Config{
		BaseURL: cfg.BaseURL, Secret: cfg.SessionSecret, DB: db, App: w,
		Providers:    []sso.ProviderSpec{sso.OIDC{Issuer: x.issuer, ClientID: extClientID, ClientSecret: extSecret}},
		OnFirstLogin: provisioning.OnFirstLogin,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.UseSSO(svc)

	rec := get("/auth/openid-connect")
	if rec.Code != http.StatusFound {
		t.Fatalf("after the startup call: GET /auth/openid-connect = %d, want 302", rec.Code)
	}
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, x.issuer+"/authorize?") {
		t.Errorf("redirect to %q, want the provider's authorization endpoint", loc)
	}
	if rec := get("/auth/openid-connect/callback"); rec.Code != http.StatusBadRequest {
		t.Errorf("after the startup call: a callback without state = %d, want 400 (the SSO error page)", rec.Code)
	}
}

func TestSSOStartIsWiredIntoTheAppWithTheDevelopmentProvider(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)

	login := b.Get("/login")
	button := login.Doc(t).Find(`[data-testid="sso-buttons"] a`)
	if got := strings.TrimSpace(button.Text()); got != "Sign in with "+devSSO {
		t.Fatalf("sign-in button %q, want %q", got, "Sign in with "+devSSO)
	}
	res := b.Get(button.AttrOr("href", ""))
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Location(), srv.URL+"/dev-idp/authorize?") {
		t.Fatalf("the button answers %d to %q, want 302 to the development provider", res.StatusCode, res.Location())
	}
	for _, p := range []string{"/dev-idp/.well-known/openid-configuration", "/dev-idp/jwks"} {
		if res := b.Get(p); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", p, res.StatusCode)
		}
	}
}

func TestSSOUnknownProviderAnswers404(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
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
	cfg := devConfig(t, map[string]string{
		"SEED_DEMO_DATA": "off", "SSO_OIDC_ISSUER": wrong.URL, "SSO_OIDC_CLIENT_ID": "x",
	})
	_, err := app.NewWithDB(context.Background(), cfg, dbtest.SQLite(t), slog.New(slog.DiscardHandler))
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
	w := web.New(web.Deps{Config: devConfig(t, nil), Log: slog.New(slog.DiscardHandler)})

	// Without the timeout Start would wait until the test times out.
	svc, err := sso.Start(context.Background(), w.PageRoutes(), sso.Config{
		BaseURL: "http://localhost:8080", Secret: "s", DB: dbtest.SQLite(t), App: w,
		Providers:      []sso.ProviderSpec{sso.OIDC{Issuer: hang.URL, ClientID: "x"}},
		OnFirstLogin:   provisioning.OnFirstLogin,
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

// The seed's excluded example hook is documentation, but it must still work
// as documented: a bare SSO-only account.
func TestExampleOnFirstLoginCreatesABareSSOOnlyUser(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	var id uint
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		id, err = sso.ExampleOnFirstLogin(context.Background(), tx, sso.Profile{Email: "new@example.com", Subject: "s"})
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("ExampleOnFirstLogin: %d, %v", id, err)
	}
	var u models.User
	db.Take(&u, id)
	if u.Email != "new@example.com" || !u.Active || u.HasPassword() {
		t.Errorf("user %+v, want active, without password", u)
	}
}

func TestGothProvidersAreConfiguredFromTheEnvironment(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{
		"SSO_GITHUB_KEY": "gh-id", "SSO_GITHUB_SECRET": "gh-secret",
		"SSO_GOOGLE_KEY": "g-id", "SSO_GOOGLE_SECRET": "g-secret",
		"SSO_MICROSOFT_KEY": "ms-id", "SSO_MICROSOFT_SECRET": "ms-secret", "SSO_MICROSOFT_TENANT": "contoso.onmicrosoft.com",
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
