package browser

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// chromium is the one headless Chromium the package's tests share; TestMain
// closes it.
var chromium browsertest.Chromium

func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Close()
	os.Exit(code)
}

// newApp starts the template alone, seeded with its demo people, after
// checking that there is a browser to test it with.
func newApp(t *testing.T) *apptest.Server {
	t.Helper()
	browsertest.ChromePath(t)
	return apptest.New(t, apptest.Options{})
}

// userID is the id of the seeded person with this e-mail address.
func userID(t *testing.T, srv *apptest.Server, email string) string {
	t.Helper()
	var ids []uint
	if err := srv.DB.Raw(`SELECT id FROM users WHERE email = ?`, email).Scan(&ids).Error; err != nil || len(ids) != 1 {
		t.Fatalf("seeded person %s: %v %v", email, ids, err)
	}
	return fmt.Sprint(ids[0])
}

// openPicker opens the development provider's picker from the sign-in page's
// SSO button.
func openPicker(b *browsertest.Tab) {
	b.T.Helper()
	b.ClickText(browsertest.ByText(`//*[@data-testid="sso-buttons"]`, "a", "Sign in with Company SSO (development)"))
	b.WaitVisible(`[data-testid="devidp-identities"]`)
}

// The template's pages, for an employee and an administrator and signed
// out, pass axe-core's serious and critical rules and fit a phone's width,
// at 1280×800 and 390×844. The development provider's picker is one of
// them, with what each identity will do.
func TestTemplatePagesPassAxeAndFitBothWidthsForEmployeeAndAdmin(t *testing.T) {
	t.Parallel()
	srv := newApp(t)
	home := browsertest.Page{Name: "home", Path: "/"}
	profile := browsertest.Page{Name: "profile-and-sessions", Path: "/profile"}
	twoFactor := browsertest.Page{Name: "two-factor", Path: "/profile/two-factor"}
	for _, r := range []struct {
		role, email string
		pages       []browsertest.Page
	}{
		{"employee", "employee@example.com", []browsertest.Page{home, profile, twoFactor}},
		{"admin", "admin@example.com", []browsertest.Page{home, profile, twoFactor,
			{Name: "people", Path: "/admin/users"},
			{Name: "person-and-sessions", Path: "/admin/users/" + userID(t, srv, "employee@example.com")},
			{Name: "settings", Path: "/admin/settings"},
		}},
	} {
		t.Run(r.role, func(t *testing.T) {
			t.Parallel()
			b := chromium.NewTab(t, srv)
			b.SignIn(r.email, apptest.DemoPassword)
			browsertest.Walk(t, b, "template-"+r.role, r.pages)
		})
	}
	t.Run("signed-out", func(t *testing.T) {
		t.Parallel()
		b := chromium.NewTab(t, srv)
		browsertest.Walk(t, b, "template-signed-out", []browsertest.Page{
			{Name: "sign-in", Path: "/login"},
			{Name: "dev-idp-picker", Setup: func(b *browsertest.Tab) {
				b.Open("/login")
				openPicker(b)
			}},
		})
	})
}

// A signed-out visitor follows a deep link, signs in through the
// development OpenID Connect provider as a linked demo identity (the picker
// says so), and lands on the page they asked for.
func TestBrowserDeepLinkOpenedSignedOutReturnsToItsPageAfterSSOThroughTheDevelopmentProvider(t *testing.T) {
	t.Parallel()
	b := chromium.NewTab(t, newApp(t))
	const deepLink = "/profile/two-factor"
	b.Open(deepLink)
	b.WaitVisible(`[data-testid="sso-buttons"]`)
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("signed-out deep link to %s shows %s, want the sign-in page", deepLink, p)
	}
	openPicker(b)
	liam := `//form[@data-testid="devidp-identities"]//button[.//*[normalize-space(.)="liam.chen@example.com"]]`
	status, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.Search(liam+`//*[@data-testid="devidp-status"]`)))
	if err != nil {
		t.Fatalf("read Liam's status on the picker: %v", err)
	}
	if got := strings.Join(strings.Fields(status), " "); got != "Linked Signs in as Liam Chen." {
		t.Errorf("the picker says of Liam %q, want \"Linked Signs in as Liam Chen.\"", got)
	}
	b.Screenshot("template-path-sso-deep-link-1-picker")
	b.ClickText(liam)

	b.WaitVisible(`[data-testid="navigation-widget"]`)
	if p := b.Path(); p != deepLink {
		t.Errorf("after the SSO round trip the browser is at %s, want the deep link %s", p, deepLink)
	}
	b.OpenProfileMenu()
	b.Screenshot("template-path-sso-deep-link-2-landed")
	if got := b.Text(`[data-testid="profile-name"]`); got != "Liam Chen" {
		t.Errorf("profile menu name = %q, want Liam Chen", got)
	}
	if got := b.Text(`[data-testid="account-kind"]`); got != "SSO · Company SSO (development)" {
		t.Errorf("profile menu account kind = %q, want %q", got, "SSO · Company SSO (development)")
	}
}

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string]string {
	out := map[string]string{}
	for d := range strings.SplitSeq(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = strings.TrimSpace(value)
		}
	}
	return out
}

// Every template page, signed out and as an administrator, sends a
// Content-Security-Policy that allows the app's own scripts only and no
// framing; the browser loads them without exceptions, console errors or CSP
// violations, and does refuse (and report) an inline script.
func TestTemplatePagesSendTheCSPAndTheBrowserReportsNoViolation(t *testing.T) {
	t.Parallel()
	srv := newApp(t)
	pages := []string{"/", "/profile", "/profile/two-factor", "/admin/users", "/admin/users/" + userID(t, srv, "employee@example.com"), "/admin/settings"}

	signedOut, admin := srv.Browser(t), srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	check := func(c *apptest.Browser, path string) {
		t.Helper()
		res := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, res.StatusCode)
		}
		csp := cspDirectives(res.Header.Get("Content-Security-Policy"))
		for name, want := range map[string]string{"script-src": "'self'", "default-src": "'self'", "frame-ancestors": "'none'", "object-src": "'none'", "base-uri": "'none'"} {
			if csp[name] != want {
				t.Errorf("GET %s: Content-Security-Policy %s is %q, want %q (the whole policy: %v)", path, name, csp[name], want, csp)
			}
		}
	}
	check(signedOut, "/login")
	for _, p := range pages {
		check(admin, p)
	}

	b := chromium.NewTab(t, srv)
	problems := b.WatchProblems()
	b.Open("/login")
	b.WaitVisible(`[data-testid="sso-buttons"]`)
	openPicker(b)
	for _, p := range problems.Take() {
		t.Errorf("sign-in page or development picker: %s", p)
	}
	b.SignIn("admin@example.com", apptest.DemoPassword)
	b.CheckPagesLoadCleanly(problems, pages...)
	b.CheckCSPRefusesInlineScript(problems)
}

// The development provider's picker shows each of its statuses in words that
// fit a phone and pass axe-core: Liam linked, Jordan new, Emily clashing with
// her local account, Priya linked with the provider at an earlier address,
// and someone created on the picker who was deactivated since.
func TestBrowserDevelopmentPickerShowsEveryStatusReadablyAtBothWidths(t *testing.T) {
	t.Parallel()
	srv := newApp(t)
	b := chromium.NewTab(t, srv)

	// Someone new signs in once from the picker, which then remembers them.
	b.Open("/login")
	openPicker(b)
	b.Do("sign in as someone new",
		chromedp.SendKeys(chromedp.CSS(`#devidp-name`), "Dana Left"),
		chromedp.SendKeys(chromedp.CSS(`#devidp-email`), "dana.left@example.com"),
		chromedp.Click(chromedp.Search(browsertest.ByText(`//form[@data-testid="devidp-new"]`, "button", "Sign in as this person"))),
	)
	b.WaitVisible(`[data-testid="navigation-widget"]`)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE users SET active = ? WHERE email = ?`, []any{false, "dana.left@example.com"}},
		{`UPDATE identities SET issuer = ? WHERE email = ?`, []any{"http://localhost:8080/dev-idp", "priya.patel@example.com"}},
	} {
		if err := srv.DB.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatal(err)
		}
	}

	// Dana's session ended with the deactivation: the sign-in page again.
	b.Open("/login")
	openPicker(b)
	want := map[string]string{
		"liam.chen@example.com":     "linked",
		"jordan.rivera@example.com": "new",
		"employee@example.com":      "clash",
		"priya.patel@example.com":   "other-issuer",
		"dana.left@example.com":     "deactivated",
	}
	got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('[data-testid="devidp-identities"] button')].map(b =>
		[b.querySelector(".devidp-identity-email").textContent.trim(), b.querySelector('[data-testid="devidp-status"]')?.dataset.status ?? ""]))`))
	if err != nil {
		t.Fatal(err)
	}
	for email, kind := range want {
		if got[email] != kind {
			t.Errorf("the picker shows %s as %q, want %q (all: %v)", email, got[email], kind, got)
		}
	}
	for _, v := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		b.Resize(v)
		b.Screenshot("template-dev-idp-picker-statuses-" + v.Name)
		if o := b.Overflow(); o != "" {
			t.Errorf("the picker at %s scrolls sideways: %s", v.Name, o)
		}
		for _, p := range b.AxeCheck("development picker with every status at " + v.Name) {
			t.Error(p)
		}
	}
}
