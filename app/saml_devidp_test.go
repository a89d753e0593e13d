package app_test

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// TestSAMLDevelopmentProviderSignsInDemoIdentitiesThroughSAML signs in
// offline through the development identity provider's SAML side
// (DEV_IDP_SAML=on): the sign-in page offers "Sign in with SAML
// (development)", the same picker as the OpenID Connect side answers with a
// signed assertion, and the ACS signs the person in. Jordan, new here, gets an
// SSO employee (is_local_user false) and is the same person the second time;
// Liam, a seeded demo person, signs in as himself.
func TestSAMLDevelopmentProviderSignsInDemoIdentitiesThroughSAML(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"DEV_IDP_SAML": "on"}})

	signInPage := get(t, &http.Client{Timeout: 10 * time.Second}, srv.URL+"/login")
	if !strings.Contains(signInPage.doc.Find(`a[href^="/auth/saml"], button`).Text(), "Sign in with SAML (development)") {
		t.Fatalf("the sign-in page has no \"Sign in with SAML (development)\"\n%s", signInPage.body)
	}

	signIn := func(pick func(picker page) (string, map[string][]string)) page {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		picker := get(t, c, srv.URL+"/auth/saml?next=/profile")
		if !strings.HasPrefix(picker.url, srv.URL+"/dev-idp/saml/sso?") {
			t.Fatalf("/auth/saml led to %s, want the development provider's SAML picker", picker.url)
		}
		selector, values := pick(picker)
		posted := submit(t, c, picker, picker.doc.Find(selector).First(), values)
		acsForm := posted.doc.Find(`form`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`input[name="SAMLResponse"]`).Length() > 0
		})
		if acsForm.Length() == 0 {
			t.Fatalf("no SAMLResponse form after picking at %s\n%s", posted.url, posted.body)
		}
		landed := submit(t, c, posted, acsForm, nil)
		if landed.url != srv.URL+"/profile" {
			t.Fatalf("landed on %s, want /profile\n%s", landed.url, landed.body)
		}
		return landed
	}
	someoneNew := func(page) (string, map[string][]string) {
		return `[data-testid="devidp-new"]`, map[string][]string{"name": {"Jordan Rivera"}, "email": {"jordan.rivera@example.com"}}
	}
	first := signIn(someoneNew)
	if kind := strings.TrimSpace(first.doc.Find(`[data-testid="account-kind"]`).Text()); kind != "SSO · SAML (development)" {
		t.Errorf("profile menu says %q, want \"SSO · SAML (development)\"", kind)
	}
	var local []bool
	srv.DB.Raw(`SELECT e.is_local_user FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, "jordan.rivera@example.com").Scan(&local)
	if len(local) != 1 || local[0] {
		t.Fatalf("is_local_user of Jordan: %v, want one employee with false", local)
	}
	signIn(someoneNew)
	var n int64
	srv.DB.Raw(`SELECT COUNT(*) FROM identities WHERE provider = 'saml' AND email = ?`, "jordan.rivera@example.com").Scan(&n)
	if n != 1 {
		t.Errorf("%d SAML identities for Jordan after two sign-ins, want 1", n)
	}

	// A seeded demo person picks their button and is themselves.
	liam := signIn(func(p page) (string, map[string][]string) {
		button := p.doc.Find(`[data-testid="devidp-identities"] button`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Text(), "liam.chen@example.com")
		})
		return `[data-testid="devidp-identities"]`, map[string][]string{"subject": {button.AttrOr("value", "")}}
	})
	if name := strings.TrimSpace(liam.doc.Find(`[data-testid="profile-name"]`).Text()); name != "Liam Chen" {
		t.Errorf("signed in as %q, want the seeded Liam Chen", name)
	}
}

// TestSAMLDevelopmentProviderGroupsBecomeRolesThroughSSORoleMap signs in
// someone new through the development provider's SAML side with groups:
// they arrive as the isMemberOf attribute, and SSO_ROLE_MAP gives the
// role, as it does through OpenID Connect; signing in again without the
// group takes it away (the seeded administrator stays, so the rule that
// keeps the last administrator does not decide).
func TestSAMLDevelopmentProviderGroupsBecomeRolesThroughSSORoleMap(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"DEV_IDP_SAML": "on", "SSO_ROLE_MAP": "admin=IT-Admins"}})
	const email = "ria.groups@example.com"
	signIn := func(groups string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		picker := get(t, c, srv.URL+"/auth/saml")
		posted := submit(t, c, picker, picker.doc.Find(`[data-testid="devidp-new"]`).First(),
			map[string][]string{"name": {"Ria Groups"}, "email": {email}, "groups": {groups}})
		acsForm := posted.doc.Find(`form`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`input[name="SAMLResponse"]`).Length() > 0
		})
		if acsForm.Length() == 0 {
			t.Fatalf("no SAMLResponse form at %s\n%s", posted.url, posted.body)
		}
		submit(t, c, posted, acsForm, nil)
	}
	isAdmin := func() bool {
		var n int64
		srv.DB.Raw(`SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.email = ? AND r.role = 'admin'`, email).Scan(&n)
		return n == 1
	}
	signIn("IT-Admins, Staff")
	if !isAdmin() {
		t.Fatal("signed in through SAML in IT-Admins: not an administrator")
	}
	signIn("Staff")
	if isAdmin() {
		t.Error("signed in again without IT-Admins: still an administrator")
	}
}
