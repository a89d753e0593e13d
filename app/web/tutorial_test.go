package web_test

import (
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/sso"
)

// One test per step of README's tutorial, named after the step of the
// Mendix tutorial it retraces, so that breaking a step fails a test that
// says which. They check what a reader of that step sees; the detailed
// tests of each piece live next to it.

func TestTutorialSteps1To3TheSSOModuleIsOnePackageThatImportsNothingOfTheApp(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/company-expenses/company-expenses/app/sso").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/company-expenses/company-expenses/") &&
			!strings.HasPrefix(pkg, "github.com/company-expenses/company-expenses/app/sso") {
			t.Errorf("the SSO module imports %s; it must be importable (and upgradable) whole", pkg)
		}
	}
}

func TestTutorialStep4PagesOpenedFromADeepLinkUseTheMasterLayoutWithTheNavigationWidget(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	// Signed out, a deep link leads to sign-in and back to the page.
	res := b.Get("/profile?tab=security")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deep link signed out: status %d, want a redirect to sign in", res.StatusCode)
	}
	b.Login("employee@example.com", apptest.DemoPassword)
	for _, page := range []string{"/profile", "/", "/no-such-page"} {
		doc := b.Get(page).Doc(t)
		if n := doc.Find(`[data-testid="navigation-widget"]`).Length(); n != 1 {
			t.Errorf("GET %s shows the navigation widget %d times, want once (every page renders through layouts.Master)", page, n)
		}
	}
}

func TestTutorialStep5TheExampleHookShipsWithTheModuleAndIsNotWiredIn(t *testing.T) {
	t.Parallel()
	// The example stays in the module (this line stops compiling if it
	// goes); its own test is TestExampleOnFirstLoginCreatesABareSSOOnlyUser.
	_ = sso.ExampleOnFirstLogin
	// Were the example wired in, a first SSO sign-in would create a bare
	// user without an Employee; the app's own hook creates the Employee.
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), "jordan.rivera@example.com")
	if n := ssoCount(t, srv, `SELECT count(*) FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, "jordan.rivera@example.com"); n != 1 {
		t.Fatalf("employees for the new SSO person: %d, want 1 (the app's hook, not the example, runs)", n)
	}
}

func TestTutorialStep6TheAppsFirstLoginHookRunsOnceAtTheFirstSSOSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	for range 2 { // the second sign-in is a returning one: no second account
		b := srv.Browser(t)
		ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), "jordan.rivera@example.com")
	}
	if n := ssoCount(t, srv, "SELECT count(*) FROM users WHERE email = ?", "jordan.rivera@example.com"); n != 1 {
		t.Fatalf("accounts for Jordan after two SSO sign-ins: %d, want 1", n)
	}
}

func TestTutorialStep7IsLocalUserDefaultsToTrue(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	res := b.Submit("/admin/users/new", `form[action="/admin/users"]`, url.Values{
		"full_name": {"Nina New"}, "email": {"nina.new@example.com"}, "roles": {"employee"},
		"active": {"on"}, "password_setup": {"password"}, "password": {"a-long-enough-password"},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding a person: status %d", res.StatusCode)
	}
	if n := ssoCount(t, srv, `SELECT count(*) FROM employees e JOIN users u ON u.id = e.user_id
		WHERE u.email = ? AND e.is_local_user = ?`, "nina.new@example.com", true); n != 1 {
		t.Fatal("a person added in the app is not stored with is_local_user = true")
	}
}

func TestTutorialSteps8To9TheHookCreatesAnEmployeeWithTheProvidersNameAndIsLocalUserFalse(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), "jordan.rivera@example.com")
	if n := ssoCount(t, srv, `SELECT count(*) FROM employees e JOIN users u ON u.id = e.user_id
		WHERE u.email = ? AND e.full_name = ? AND e.is_local_user = ?`, "jordan.rivera@example.com", "Jordan Rivera", false); n != 1 {
		t.Fatal("the first SSO sign-in did not create Jordan Rivera's Employee with is_local_user = false")
	}
}

func TestTutorialSteps10To11TheStartupRoutineRegistersTheSSORoutes(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	if res := b.Get("/auth/openid-connect"); res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /auth/openid-connect after start-up: status %d, want a redirect to the provider", res.StatusCode)
	}
	// A provider the startup routine did not register answers 404, as
	// every SSO URL would without the routine
	// (TestSSORoutesAnswer404WithoutTheStartupCallAndWorkAfterIt).
	if res := b.Get("/auth/not-configured"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /auth/not-configured: status %d, want 404", res.StatusCode)
	}
}
