package sso_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/app/sso/ssotest"
)

// logoutApp is just enough of an app for back-channel logout: the module
// started with a test issuer, and a record of the logouts it was asked for.
type logoutApp struct {
	srv   *httptest.Server
	iss   *ssotest.Issuer
	svc   *sso.Service
	mu    sync.Mutex
	ended []sso.ProviderLogout
}

type stubApp struct{}

func (stubApp) SignIn(echo.Context, uint, string) error     { return nil }
func (stubApp) CurrentUserID(echo.Context) (uint, bool)     { return 0, false }
func (stubApp) Notify(echo.Context, sso.NoticeKind, string) {}
func (stubApp) Account(context.Context, *gorm.DB, uint) (sso.Account, error) {
	return sso.Account{}, nil
}
func (stubApp) AccountByEmail(context.Context, *gorm.DB, string) (sso.Account, bool, error) {
	return sso.Account{}, false, nil
}

// newLogoutApp starts the module on db with the test issuer as its OpenID
// Connect provider; serverRoutes false leaves Config.ServerRoutes unset.
func newLogoutApp(t *testing.T, db *gorm.DB, iss *ssotest.Issuer, serverRoutes bool, endSession bool) *logoutApp {
	t.Helper()
	if err := db.AutoMigrate(append([]any{&fakeUser{}}, sso.Models()...)...); err != nil {
		t.Fatal(err)
	}
	a := &logoutApp{iss: iss}
	e := echo.New()
	cfg := sso.Config{
		BaseURL: "http://app.example", Secret: "a test secret that is long enough for keys",
		Providers: []sso.ProviderSpec{sso.OIDC{Issuer: iss.URL, ClientID: iss.ClientID, ClientSecret: "s", EndSession: endSession}},
		DB:        db, App: stubApp{},
		OnFirstLogin: func(context.Context, *gorm.DB, sso.Profile) (uint, error) { return 0, nil },
		OnProviderLogout: func(_ context.Context, l sso.ProviderLogout) (int64, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.ended = append(a.ended, l)
			return 1, nil
		},
	}
	if serverRoutes {
		cfg.ServerRoutes = e
	}
	svc, err := sso.Start(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.svc = svc
	a.srv = httptest.NewServer(e)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *logoutApp) post(t *testing.T, token string) (*http.Response, string) {
	t.Helper()
	form := url.Values{}
	if token != "" {
		form.Set("logout_token", token)
	}
	res, err := http.PostForm(a.srv.URL+"/auth/openid-connect/backchannel-logout", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (a *logoutApp) logouts() []sso.ProviderLogout {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]sso.ProviderLogout(nil), a.ended...)
}

func TestBackChannelLogoutTokenEndsTheSessionsItNamesOnceAndAnswersNoStore(t *testing.T) {
	t.Parallel()
	iss := ssotest.NewIssuer(t, "app")
	a := newLogoutApp(t, openSQLite(t), iss, true, false)
	token := iss.Sign(t, iss.LogoutClaims("sub-1", "sid-1"))

	res, body := a.post(t, token)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("valid logout token: %d %s, want 200", res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	want := sso.ProviderLogout{Provider: "openid-connect", Issuer: iss.URL, Subject: "sub-1", SessionID: "sid-1"}
	if got := a.logouts(); len(got) != 1 || got[0] != want {
		t.Fatalf("logouts %+v, want [%+v]", got, want)
	}

	res, body = a.post(t, token)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "used already") {
		t.Errorf("replayed jti: %d %s, want 400 saying it was used", res.StatusCode, body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("refusal's Cache-Control %q, want no-store", cc)
	}
	if n := len(a.logouts()); n != 1 {
		t.Errorf("the replay ended sessions again (%d logouts)", n)
	}
}

func TestBackChannelLogoutReplayedToAnotherInstanceIsRefusedBecauseTheJTIIsInTheDatabase(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		iss := ssotest.NewIssuer(t, "app")
		first := newLogoutApp(t, db, iss, true, false)
		second := newLogoutApp(t, db, iss, true, false)
		token := iss.Sign(t, iss.LogoutClaims("sub-1", ""))
		if res, body := first.post(t, token); res.StatusCode != http.StatusOK {
			t.Fatalf("first instance: %d %s", res.StatusCode, body)
		}
		if res, body := second.post(t, token); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("replay to the second instance: %d %s, want 400", res.StatusCode, body)
		}
		if n := len(second.logouts()); n != 0 {
			t.Errorf("the second instance ended sessions for a replayed token")
		}
	})
}

func TestBackChannelLogoutRefusesEveryTokenThatFailsACheck(t *testing.T) {
	t.Parallel()
	iss := ssotest.NewIssuer(t, "app")
	a := newLogoutApp(t, openSQLite(t), iss, true, false)
	edit := func(f func(c map[string]any)) map[string]any {
		c := iss.LogoutClaims("sub-1", "sid-1")
		f(c)
		return c
	}
	for name, tc := range map[string]struct {
		token string
		why   string
	}{
		"no logout_token": {"", "no logout_token"},
		"not a JWT":       {"not-a-token", "does not verify"},
		"bad signature":   {iss.SignWithAnotherKey(t, iss.LogoutClaims("sub-1", "sid-1")), "does not verify"},
		"wrong aud":       {iss.Sign(t, edit(func(c map[string]any) { c["aud"] = "another-app" })), "does not verify"},
		"wrong iss":       {iss.Sign(t, edit(func(c map[string]any) { c["iss"] = "https://evil.example" })), "does not verify"},
		"nonce present":   {iss.Sign(t, edit(func(c map[string]any) { c["nonce"] = "n" })), "nonce"},
		"missing events":  {iss.Sign(t, edit(func(c map[string]any) { delete(c, "events") })), "no events"},
		"another event":   {iss.Sign(t, edit(func(c map[string]any) { c["events"] = map[string]any{"urn:other": map[string]any{}} })), "lacks"},
		"expired iat": {iss.Sign(t, edit(func(c map[string]any) {
			c["iat"] = time.Now().Add(-time.Hour).Unix()
			c["exp"] = time.Now().Add(time.Hour).Unix()
		})), "too old"},
		"iat in the future":   {iss.Sign(t, edit(func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() })), "future"},
		"no iat":              {iss.Sign(t, edit(func(c map[string]any) { delete(c, "iat") })), "no iat"},
		"expired exp":         {iss.Sign(t, edit(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })), "expired"},
		"no jti":              {iss.Sign(t, edit(func(c map[string]any) { delete(c, "jti") })), "no jti"},
		"neither sub nor sid": {iss.Sign(t, edit(func(c map[string]any) { delete(c, "sub"); delete(c, "sid") })), "neither"},
	} {
		t.Run(name, func(t *testing.T) {
			res, body := a.post(t, tc.token)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", res.StatusCode, body)
			}
			var e struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != "invalid_request" || !strings.Contains(e.Description, tc.why) {
				t.Errorf("answer %s, want invalid_request mentioning %q", body, tc.why)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}
	if got := a.logouts(); len(got) != 0 {
		t.Errorf("refused tokens ended sessions: %+v", got)
	}
}

func TestBackChannelLogoutRouteAnswers404WithoutServerRoutes(t *testing.T) {
	t.Parallel()
	iss := ssotest.NewIssuer(t, "app")
	a := newLogoutApp(t, openSQLite(t), iss, false, false)
	if res, body := a.post(t, iss.Sign(t, iss.LogoutClaims("sub-1", ""))); res.StatusCode != http.StatusNotFound {
		t.Errorf("without Config.ServerRoutes: %d %s, want 404", res.StatusCode, body)
	}
}

func TestEndSessionURLCarriesTheHintTheRedirectTheClientAndAStateOnlyWhenTurnedOn(t *testing.T) {
	t.Parallel()
	iss := ssotest.NewIssuer(t, "app")
	on := newLogoutApp(t, openSQLite(t), iss, true, true)
	raw, ok := on.svc.EndSessionURL("openid-connect", "the-id-token", "http://app.example/signed-out")
	if !ok {
		t.Fatal("EndSessionURL: not ok with EndSession on and an end_session_endpoint")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != iss.URL+"/logout" {
		t.Errorf("endpoint %s, want %s/logout", got, iss.URL)
	}
	if q.Get("id_token_hint") != "the-id-token" || q.Get("post_logout_redirect_uri") != "http://app.example/signed-out" ||
		q.Get("client_id") != "app" || len(q.Get("state")) < 32 {
		t.Errorf("query %v lacks id_token_hint, post_logout_redirect_uri, client_id or a random state", q)
	}
	if _, ok := on.svc.EndSessionURL("openid-connect", "", "http://app.example/signed-out"); ok {
		t.Error("EndSessionURL without an ID token: ok, want the ordinary sign-out")
	}
	off := newLogoutApp(t, openSQLite(t), iss, true, false)
	if _, ok := off.svc.EndSessionURL("openid-connect", "the-id-token", "http://app.example/signed-out"); ok {
		t.Error("EndSessionURL with EndSession off: ok, want the ordinary sign-out")
	}
	// Google's discovery document has no end_session_endpoint.
	google := newLogoutApp(t, openSQLite(t), ssotest.NewIssuer(t, "app", ssotest.WithoutEndSession()), true, true)
	if _, ok := google.svc.EndSessionURL("openid-connect", "the-id-token", "http://app.example/signed-out"); ok {
		t.Error("EndSessionURL for a provider without end_session_endpoint: ok, want the ordinary sign-out")
	}
}
