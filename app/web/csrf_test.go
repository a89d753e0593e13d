package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/paths"
)

// The CSRF protection through the real routes. app/middleware/csrf_test.go
// tests the middleware itself.

// A value an attacker on a sibling subdomain (evil.example.com next to
// expenses.example.com) can plant as a cookie and send as the token.
const plantedToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// plantCookies sets, in b's jar, the cookies a sibling subdomain could set
// for our host: the old double-submit cookie and the pre-session cookie.
func plantCookies(t *testing.T, b *apptest.Browser, base string) {
	t.Helper()
	u, _ := url.Parse(base)
	b.Jar.SetCookies(u, []*http.Cookie{
		{Name: "csrf", Value: plantedToken, Path: "/"},
		{Name: "csrf-id", Value: plantedToken, Path: "/"},
	})
}

// postSameSite posts form as a page on a sibling subdomain would make the
// browser do it.
func postSameSite(t *testing.T, b *apptest.Browser, target string, form url.Values) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-site")
	return b.Do(req)
}

func TestCSRFCookiePlantedFromASiblingSubdomainCannotForgeAModulesPost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	victim := w.browser(t, admin)
	plantCookies(t, victim, w.URL)
	res := postSameSite(t, victim, w.URL+notesPath, url.Values{"_csrf": {plantedToken}, "text": {"forged"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("forged note: status %d, want 403", res.StatusCode)
	}
	if page := victim.Get(notesPath); strings.Contains(page.Body, "forged") {
		t.Error("the forged note was kept")
	}
}

func TestLoginCSRFWithAPlantedCookieIsRefused(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	victim := srv.Browser(t)
	victim.Get("/login")
	plantCookies(t, victim, srv.URL)
	// The attacker signs the victim into the attacker's account, to read
	// whatever the victim then types into it.
	res := postSameSite(t, victim, srv.URL+"/login", url.Values{
		"_csrf": {plantedToken}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged sign-in: status %d, want 403", res.StatusCode)
	}
	if res := victim.Get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / after the forged sign-in: status %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestSignInFormNeedsATokenOfThisBrowsersOwnPreSession(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	attacker, victim := srv.Browser(t), srv.Browser(t)
	tok := attacker.CSRF("/login") // the attacker's own, valid for the attacker only
	victim.Get("/login")
	res := victim.PostForm("/login", url.Values{"_csrf": {tok}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in with another visitor's token: status %d, want 403", res.StatusCode)
	}
}

func TestCSRFTokenOfAnotherSessionIsRefused(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	a, b := srv.Browser(t), srv.Browser(t)
	a.Login("employee@example.com", apptest.DemoPassword)
	b.Login("liam.chen@example.com", apptest.DemoPassword)
	res := b.PostForm(paths.Logout, url.Values{"_csrf": {a.CSRF("/profile")}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out with another session's token: status %d, want 403", res.StatusCode)
	}
}

func TestCSRFTokenInTheQueryStringIsNotAccepted(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	tok := b.CSRF("/profile")
	res := b.PostForm(paths.Logout+"?_csrf="+url.QueryEscape(tok), url.Values{})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("token in the URL: status %d, want 400 (missing token)", res.StatusCode)
	}
	if res := b.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Error("signed out by a request whose token was in the URL")
	}
}

func TestSameSitePostWithoutATokenIsRefused(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	res := postSameSite(t, b, srv.URL+paths.Logout, url.Values{})
	// A sibling subdomain is same-site yet not ours: refused outright.
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("same-site POST without a token: status %d, want 403", res.StatusCode)
	}
}

func TestCSRFTokenDiesAtSignOut(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	old := b.CSRF("/profile")
	if res := b.Submit("/profile", `form[action="/logout"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", res.StatusCode)
	}
	b.Get("/login")
	res := b.PostForm("/login", url.Values{"_csrf": {old}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("token from before sign-out: status %d, want 403", res.StatusCode)
	}
}

func TestCSRFTokenDiesWhenSomeoneElseSignsInOnTheSameBrowser(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	old := b.CSRF("/profile")
	// The manager signs in on the same browser (the form is posted with a
	// current token, as from another tab).
	if res := b.PostForm("/login", url.Values{"_csrf": {old}, "email": {"liam.chen@example.com"}, "password": {apptest.DemoPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: status %d", res.StatusCode)
	}
	res := b.PostForm(paths.Logout, url.Values{"_csrf": {old}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("the employee's token in the manager's session: status %d, want 403", res.StatusCode)
	}
}

func TestPreSessionCookieIsHostPrefixedInProduction(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{
		"APP_ENV": "production", "BASE_URL": "https://expenses.example.com",
		"SESSION_SECRET": "a-production-secret-that-is-long-enough-0123456789",
		// Production refuses to start when nobody could sign in.
		"BOOTSTRAP_ADMINS": "it@example.com", "BOOTSTRAP_ADMIN_PASSWORD": "a-long-enough-password",
	}})
	res := srv.Browser(t).Get("/login")
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "csrf") {
			ck = c
		}
	}
	if ck == nil || ck.Name != "__Host-csrf-id" || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("CSRF cookie %+v, want __Host-csrf-id, Secure, Path=/, no Domain", ck)
	}
}
