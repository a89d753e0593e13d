package e2e

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// A signed-out visitor follows a deep link, signs in through the development
// OpenID Connect provider as someone the app has never seen, and lands on
// the page they asked for with a new SSO-only account.
func TestBrowserDeepLinkSurvivesTheSSORoundTripAndProvisionsANewEmployee(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	const email = "jordan.rivera@example.com"
	var before int64
	if err := b.Srv.DB.Raw("SELECT count(*) FROM users WHERE email = ?", email).Scan(&before).Error; err != nil {
		t.Fatal(err)
	}
	if before != 0 {
		t.Fatalf("%s has an account before signing in", email)
	}

	b.Open("/expenses")
	b.WaitVisible(`[data-testid="sso-buttons"]`)
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("signed-out deep link to /expenses shows %s, want the sign-in page", p)
	}

	b.ClickText(browsertest.ByText(`//*[@data-testid="sso-buttons"]`, "a", "Sign in with Company SSO (development)"))
	b.WaitVisible(`[data-testid="devidp-identities"]`)
	b.ClickText(`//form[@data-testid="devidp-identities"]//button[.//*[normalize-space(.)="Jordan Rivera"]]`)

	b.WaitVisible(`[data-testid="navigation-widget"]`)
	if p := b.Path(); p != "/expenses" {
		t.Errorf("after the SSO round trip the browser is at %s, want the deep link /expenses", p)
	}
	b.OpenProfileMenu()
	b.Screenshot("path-sso-first-login-profile-menu")
	if got := b.Text(`[data-testid="profile-name"]`); got != "Jordan Rivera" {
		t.Errorf("profile menu name = %q, want Jordan Rivera", got)
	}
	if got := b.Text(`[data-testid="account-kind"]`); got != "SSO · Company SSO (development)" {
		t.Errorf("profile menu account kind = %q, want %q", got, "SSO · Company SSO (development)")
	}

	var isLocal []bool
	if err := b.Srv.DB.Raw(`SELECT e.is_local_user FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, email).
		Scan(&isLocal).Error; err != nil {
		t.Fatal(err)
	}
	switch {
	case len(isLocal) != 1:
		t.Errorf("%d employee rows for %s, want 1", len(isLocal), email)
	case isLocal[0]:
		t.Errorf("employees.is_local_user = true for the SSO-provisioned %s, want false", email)
	}
}

// The pages an administrator sees load their scripts and styles without
// exceptions, console errors or Content-Security-Policy violations.
func TestBrowserPagesLoadWithoutScriptOrCSPErrors(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	problems := b.WatchProblems()

	b.SignIn("admin@example.com", demoPassword)
	b.CheckPagesLoadCleanly(problems, "/", "/expenses", "/admin/users", "/admin/categories", "/admin/settings", "/profile")

	// The check above proves nothing if the listener hears nothing: an
	// inline script must be refused by the Content-Security-Policy, and the
	// refusal reported.
	b.CheckCSPRefusesInlineScript(problems)
}
