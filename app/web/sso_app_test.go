package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/devidp"
)

// The tests in this file are the app's side of single sign-on: what Company
// Expenses does with the SSO module (its first-login hook, its pages and
// layouts, its login modes and configuration). The module's own behaviour
// is tested in app/sso against a small fake app.

// ssoDevName is the development identity provider's display name.
const ssoDevName = "Company SSO (development)"

// ssoNewPerson signs in at the development identity provider from start (an
// /auth/... URL) as someone the picker does not offer, typed into its form,
// and returns the app's answer to the callback.
func ssoNewPerson(t *testing.T, b *apptest.Browser, start, name, email string, unverified bool) *apptest.Response {
	t.Helper()
	res := b.Get(start)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: status %d, want a redirect to the identity provider", start, res.StatusCode)
	}
	picker := b.Get(res.Location())
	form := picker.Doc(t).Find(`form[data-testid="devidp-new"]`).First()
	data := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		data.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	data.Set("name", name)
	data.Set("email", email)
	if unverified {
		data.Set("unverified", "on")
	}
	action, err := picker.Request.URL.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	answer := b.PostForm(action.String(), data)
	if answer.StatusCode != http.StatusSeeOther && answer.StatusCode != http.StatusFound {
		t.Fatalf("identity provider answered %d, want a redirect to the app's callback\n%s", answer.StatusCode, answer.Body)
	}
	return b.Get(answer.Location())
}

func ssoCount(t *testing.T, srv *apptest.Server, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := srv.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// Seed steps 7 and 9: the first SSO sign-in creates an Employee with the
// provider's full name and IsLocalUser = false, stored as false.
func TestSSOFirstLoginCreatesEmployeeWithIsLocalUserFalse(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	const email = "jordan.rivera@example.com"
	if n := ssoCount(t, srv, "SELECT count(*) FROM users WHERE email = ?", email); n != 0 {
		t.Fatalf("Jordan exists before signing in")
	}

	cb := ssoSignInFrom(t, b, b.Get("/auth/openid-connect?next=/profile"), email)
	if cb.StatusCode != http.StatusSeeOther || cb.Location() != "/profile" {
		t.Fatalf("callback: %d to %q, want 303 to /profile\n%s", cb.StatusCode, cb.Location(), cb.Body)
	}

	var row struct {
		UserID       uint
		FullName     string
		IsLocalUser  int64 // read raw: 0 is false as stored
		PasswordHash string
		Active       int64
	}
	if err := srv.DB.Raw(`SELECT e.user_id, e.full_name, CASE WHEN e.is_local_user THEN 1 ELSE 0 END AS is_local_user,
		u.password_hash, CASE WHEN u.active THEN 1 ELSE 0 END AS active
		FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, email).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.UserID == 0 {
		t.Fatal("no employee was created")
	}
	if row.IsLocalUser != 0 {
		t.Errorf("is_local_user stored as %d, want 0 (false)", row.IsLocalUser)
	}
	if row.FullName != "Jordan Rivera" {
		t.Errorf("full_name %q, want the provider's %q", row.FullName, "Jordan Rivera")
	}
	if row.PasswordHash != "" || row.Active != 1 {
		t.Errorf("password_hash %q, active %d: want no password and active", row.PasswordHash, row.Active)
	}
	var roles []string
	srv.DB.Raw("SELECT role FROM user_roles WHERE user_id = ?", row.UserID).Scan(&roles)
	if len(roles) != 1 || roles[0] != "employee" {
		t.Errorf("roles %v, want [employee]", roles)
	}
	var id struct{ Provider, Subject string }
	srv.DB.Raw("SELECT provider, subject FROM identities WHERE user_id = ?", row.UserID).Scan(&id)
	if id.Provider != "openid-connect" || id.Subject != devidp.SubjectForEmail(email) {
		t.Errorf("identity %+v, want openid-connect with the provider's subject", id)
	}

	profile := b.Get("/profile")
	if profile.StatusCode != http.StatusOK {
		t.Fatalf("GET /profile: status %d after SSO sign-in", profile.StatusCode)
	}
	doc := profile.Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="account-kind"]`).Text()); got != "SSO · "+ssoDevName {
		t.Errorf("navigation widget says %q, want %q", got, "SSO · "+ssoDevName)
	}
	if doc.Find(`[data-testid="change-password"]`).Length() != 0 {
		t.Error("an SSO account is offered to change a password it does not have")
	}
	// The password form refuses SSO accounts and says how they sign in.
	b2 := srv.Browser(t)
	res := b2.Submit("/login", `form[action="/login"]`, url.Values{"email": {email}, "password": {"anything-at-all"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "single sign-on") {
		t.Errorf("password sign-in of an SSO account: status %d, want 401 with a message about single sign-on", res.StatusCode)
	}
}

// The SSO module's error page renders through the app's sso.Config.Pages:
// inside the sign-in layout for a visitor, inside the master layout with the
// navigation widget for someone signed in (connecting from the profile).
func TestSSOProblemPageRendersInsideTheAppsLayouts(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})

	visitor := srv.Browser(t)
	res := visitor.Get("/auth/openid-connect/callback?state=x&code=y")
	doc := res.Doc(t)
	if res.StatusCode != http.StatusBadRequest || doc.Find(`.signin-card[data-testid="sso-problem"][data-problem="state"]`).Length() != 1 {
		t.Fatalf("signed out: status %d, want 400 with the problem in the sign-in card\n%s", res.StatusCode, res.Body)
	}
	if doc.Find(`link[rel="stylesheet"]`).Length() == 0 || doc.Find(`[data-testid="profile-menu"]`).Length() != 0 {
		t.Error("a visitor's problem page is not the app's sign-in layout")
	}
	if back := doc.Find(`[data-testid="sso-back"]`).AttrOr("href", ""); back != "/login" {
		t.Errorf("back link %q, want the app's sign-in page /login", back)
	}

	member := srv.Browser(t)
	member.Login("employee@example.com", apptest.DemoPassword)
	res = member.Get("/auth/openid-connect/callback?state=x&code=y")
	doc = res.Doc(t)
	if doc.Find(`.error-page[data-testid="sso-problem"][data-problem="state"]`).Length() != 1 || doc.Find(`[data-testid="profile-menu"]`).Length() == 0 {
		t.Fatalf("signed in: want the problem inside the master layout with the navigation widget\n%s", res.Body)
	}
	if back := doc.Find(`[data-testid="sso-back"]`).AttrOr("href", ""); back != "/profile" {
		t.Errorf("back link %q, want the app's profile page", back)
	}
}

func TestSSOProfileContentSecurityPolicyLetsTheConnectFormReachTheProvider(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	profile := b.Get("/profile")
	if profile.Doc(t).Find(`[data-testid="sso-connect-openid-connect"]`).Length() == 0 {
		t.Fatalf("no Connect button for the development provider on the profile\n%s", profile.Body)
	}
	if csp := profile.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+srv.URL) {
		t.Errorf("profile CSP %q does not let the Connect form reach the provider", csp)
	}
}

// BOOTSTRAP_ADMINS makes only addresses the provider verified an
// administrator: an unverified one is refused by the module before any
// account (or role) exists.
func TestSSOUnverifiedAddressGetsNoAdminRoleFromBootstrapAdmins(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"BOOTSTRAP_ADMINS": "una@example.com"}})
	b := srv.Browser(t)
	cb := ssoNewPerson(t, b, "/auth/openid-connect", "Una Verified", "una@example.com", true)
	if got := cb.Doc(t).Find(`[data-testid="sso-problem"]`).AttrOr("data-problem", ""); cb.StatusCode != http.StatusForbidden || got != "unverified_email" {
		t.Fatalf("callback: %d, problem %q, want 403 unverified_email", cb.StatusCode, got)
	}
	if n := ssoCount(t, srv, "SELECT count(*) FROM user_roles") + ssoCount(t, srv, "SELECT count(*) FROM users"); n != 0 {
		t.Errorf("%d users and roles created", n)
	}
}

func TestSSOStartIsWiredIntoTheAppWithTheDevelopmentProvider(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)

	login := b.Get("/login")
	button := login.Doc(t).Find(`[data-testid="sso-buttons"] a`)
	if got := strings.TrimSpace(button.Text()); got != "Sign in with "+ssoDevName {
		t.Fatalf("sign-in button %q, want %q", got, "Sign in with "+ssoDevName)
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
	want := []string{"Sign in with " + ssoDevName, "Sign in with GitHub", "Sign in with Google", "Sign in with Microsoft"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("buttons %q, want %q", labels, want)
	}
	if res := b.Get("/auth/microsoft"); res.StatusCode != http.StatusFound ||
		!strings.HasPrefix(res.Location(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?") {
		t.Errorf("GET /auth/microsoft = %d to %q, want the configured tenant", res.StatusCode, res.Location())
	}
}

func TestSSOOnlyModeRedirectsStraightToTheProviderKeepingTheDeepLink(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": "sso"}})
	b := srv.Browser(t)
	res := b.Get("/login?next=%2Fprofile")
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/auth/openid-connect?next=%2Fprofile" {
		t.Fatalf("GET /login = %d to %q, want 303 to the only provider with next", res.StatusCode, res.Location())
	}
}

func TestSignInPageOffersWhatTheLoginModeAllows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode               string
		buttons, passwords int
	}{
		{"local", 0, 1},
		{"both", 1, 1},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": tc.mode}})
			b := srv.Browser(t)
			doc := b.Get("/login").Doc(t)
			if n := doc.Find(`[data-testid="sso-buttons"] a`).Length(); n != tc.buttons {
				t.Errorf("%d SSO buttons, want %d", n, tc.buttons)
			}
			if n := doc.Find(`form[action="/login"]`).Length(); n != tc.passwords {
				t.Errorf("%d password forms, want %d", n, tc.passwords)
			}
			if tc.buttons == 0 {
				if res := b.Get("/auth/openid-connect"); res.StatusCode != http.StatusNotFound {
					t.Errorf("local mode: GET /auth/openid-connect = %d, want 404", res.StatusCode)
				}
			}
		})
	}
}

// Signing out must not send the person straight back into SSO, where the
// provider would sign them in again at once, even when SSO is the only way
// in.
func TestSSOSignOutDoesNotBounceBackIntoSSO(t *testing.T) {
	t.Parallel()
	// Single sign-out off: the sign-out lands on the app's own signed-out
	// page at once (with it on, it gets there through the provider:
	// TestSSOSignOutEndsTheProviderSession…).
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": "sso", "SSO_OIDC_END_SESSION": "off"}})
	b := srv.Browser(t)
	cb := ssoNewPerson(t, b, "/auth/openid-connect?next=/profile", "Jordan Rivera", "jordan.rivera@example.com", false)
	if cb.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d\n%s", cb.StatusCode, cb.Body)
	}

	out := b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	if out.StatusCode != http.StatusSeeOther || out.Location() != "/signed-out" {
		t.Fatalf("sign out: %d to %q, want 303 to /signed-out", out.StatusCode, out.Location())
	}
	page := b.Get("/signed-out")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /signed-out = %d (to %q), want 200: it must not redirect", page.StatusCode, page.Location())
	}
	doc := page.Doc(t)
	if doc.Find(`meta[http-equiv="refresh" i]`).Length() != 0 || strings.Contains(page.Body, "/auth/") {
		t.Error("the signed-out page leads straight into SSO")
	}
	if res := b.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign out GET /profile = %d, want 303 to sign in", res.StatusCode)
	}
}
