package sso

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/markbates/goth"
)

func TestProfileIsTidiedFromWhatTheProviderSays(t *testing.T) {
	t.Parallel()
	p := &provider{name: "openid-connect"}
	got := profileOf(p, goth.User{
		UserID: "abc", Email: "  Ann.Lee@Example.COM ", Name: "  Ann \n Lee ",
		AvatarURL: "javascript:alert(1)", RawData: map[string]any{"email_verified": false},
	})
	want := Profile{Provider: "openid-connect", Subject: "abc", Email: "ann.lee@example.com", Name: "Ann Lee"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("profile %+v, want %+v", got, want)
	}
	for in, want := range map[string]string{
		"Ann <ann@example.com>": "", "ann": "", "ann@example.com": "ann@example.com",
		strings.Repeat("a", 250) + "@example.com": "",
	} {
		if got := cleanEmail(in); got != want {
			t.Errorf("cleanEmail(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cleanName("", "Ann", "Lee", "annie"); got != "Ann Lee" {
		t.Errorf("name from given and family names: %q", got)
	}
	if got := cleanName("", "", "", "annie"); got != "annie" {
		t.Errorf("name from nickname: %q", got)
	}
	if got := profileOf(&provider{name: "microsoft", noAvatar: true}, goth.User{UserID: "x", AvatarURL: "https://graph.microsoft.com/v1.0/users/x/photo/$value"}); got.AvatarURL != "" {
		t.Errorf("Microsoft Graph photo URL kept: %q", got.AvatarURL)
	}
}

func TestFlowStateIsAcceptedOnceOnly(t *testing.T) {
	t.Parallel()
	fs, err := newFlowStore("a secret of reasonable length for the test", false)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	rec := httptest.NewRecorder()
	f := flow{Provider: "openid-connect", State: randomToken(), Started: time.Now().Unix(), Next: "/profile"}
	if err := fs.save(e.NewContext(httptest.NewRequest(http.MethodGet, "/auth/openid-connect", nil), rec), f); err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()

	callback := func(provider, state string) (flow, error) {
		req := httptest.NewRequest(http.MethodGet, "/auth/openid-connect/callback", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return fs.take(e.NewContext(req, httptest.NewRecorder()), provider, state)
	}
	if _, err := callback("github", f.State); err != errWrongProvider {
		t.Errorf("other provider: %v, want errWrongProvider", err)
	}
	if _, err := callback("openid-connect", f.State); err != errStateReplayed {
		t.Errorf("second use: %v, want errStateReplayed", err)
	}
	if _, err := callback("openid-connect", f.State[:16]+strings.Repeat("A", 27)); err != errStateMismatch {
		t.Errorf("other state, same cookie: %v, want errStateMismatch", err)
	}

	// A fresh flow, used once, works; the clock then passes the TTL.
	f2 := flow{Provider: "openid-connect", State: randomToken(), Started: time.Now().Add(-flowTTL - time.Second).Unix()}
	rec = httptest.NewRecorder()
	_ = fs.save(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), f2)
	cookies = rec.Result().Cookies()
	if _, err := callback("openid-connect", f2.State); err != errNoFlow {
		t.Errorf("expired flow: %v, want errNoFlow", err)
	}
}

func TestFlowCookieCannotBeReadOrForged(t *testing.T) {
	t.Parallel()
	fs, _ := newFlowStore("secret one, long enough for the test", false)
	other, _ := newFlowStore("secret two, long enough for the test", false)
	e := echo.New()
	rec := httptest.NewRecorder()
	f := flow{Provider: "p", State: randomToken(), Verifier: "the-pkce-verifier", Started: time.Now().Unix()}
	_ = fs.save(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), f)
	c := rec.Result().Cookies()[0]
	if strings.Contains(c.Value, "the-pkce-verifier") {
		t.Error("the PKCE verifier is readable in the cookie")
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	if _, err := other.take(e.NewContext(req, httptest.NewRecorder()), "p", f.State); err != errNoFlow {
		t.Errorf("cookie from another key accepted: %v", err)
	}
}

func TestInProcessClientServesOnlyItsIssuer(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Path", r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("ok"))
	})
	c := InProcessClient("http://localhost:8080/dev-idp", h)
	res, err := c.Get("http://localhost:8080/dev-idp/jwks?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTeapot || res.Header.Get("X-Path") != "/dev-idp/jwks" {
		t.Errorf("got %d %q", res.StatusCode, res.Header.Get("X-Path"))
	}
	for _, u := range []string{"http://localhost:8080/other", "http://evil.example/dev-idp/jwks", "http://localhost:8080/dev-idpx/jwks"} {
		if _, err := c.Get(u); err == nil {
			t.Errorf("GET %s was served", u)
		}
	}
}

func TestDisconnectNeverRemovesTheLastWayIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		identities int
		password   bool
		want       bool
	}{{1, false, false}, {2, false, true}, {1, true, true}} {
		if got := CanDisconnect(tc.identities, tc.password); got != tc.want {
			t.Errorf("CanDisconnect(%d, %v) = %v", tc.identities, tc.password, got)
		}
	}
}

func TestLoginURLKeepsOnlyALocalNext(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		"":                "/auth/github",
		"/":               "/auth/github",
		"/expenses/7?x=1": "/auth/github?next=%2Fexpenses%2F7%3Fx%3D1",
	} {
		if got := LoginURL("github", next); got != want {
			t.Errorf("LoginURL(github, %q) = %q, want %q", next, got, want)
		}
	}
}

func TestFlowCookieStaysUnderTheBrowserLimitWithTheLongestReturnPath(t *testing.T) {
	t.Parallel()
	fs, _ := newFlowStore("a secret of reasonable length for the test", false)
	rec := httptest.NewRecorder()
	f := flow{
		Provider: "openid-connect", State: randomToken(), Nonce: randomToken(), Verifier: randomToken() + randomToken(),
		Next: "/" + strings.Repeat("x", maxNextBytes-1), Started: time.Now().Unix(), LinkUserID: 1 << 30,
		Session: `{"AuthURL":"` + strings.Repeat("u", 900) + `"}`,
	}
	if err := fs.save(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), f); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Header().Get("Set-Cookie")); n > 4000 {
		t.Errorf("flow cookie is %d bytes", n)
	}
}
