package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// page is one page of the walk: a path to open, or a setup that brings the
// tab to the page (an error state, say), and a name for its screenshot.
type page struct {
	name  string
	path  string
	setup func(b *browser) // instead of opening path
}

// walk opens each page at both sizes, saves a screenshot of it, and reports
// every serious or critical axe-core violation and any sideways scrolling.
func walk(t *testing.T, b *browser, role string, pages []page) {
	t.Helper()
	for _, v := range []viewport{desktop, phone} {
		b.resize(v)
		for _, p := range pages {
			if p.setup != nil {
				p.setup(b)
			} else {
				b.open(p.path)
			}
			b.waitVisible(`main`)
			where := fmt.Sprintf("%s as %s at %d×%d (%s)", p.name, role, v.width, v.height, b.path())
			b.quickScreenshot(fmt.Sprintf("page-%s-%s-%s", v.name, role, p.name))
			if o := b.overflow(); o != "" {
				t.Errorf("%s scrolls sideways: %s", where, o)
			}
			for _, problem := range b.axeCheck(where) {
				t.Error(problem)
			}
		}
	}
}

// idOf returns the first id a query finds in the demo data.
func idOf(t *testing.T, srv *apptest.Server, query string, args ...any) string {
	t.Helper()
	var ids []uint
	if err := srv.DB.Raw(query, args...).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatalf("the demo data has nothing for %s %v", query, args)
	}
	return fmt.Sprint(ids[0])
}

const expenseOf = `SELECT x.id FROM expenses x JOIN users u ON u.id = x.employee_id
	WHERE u.email = ? AND x.status = ? ORDER BY x.id LIMIT 1`

// submitForm posts a form the page builds, without its CSRF token when
// csrf is false: the way to reach the 400 and 405 pages from a browser.
func submitForm(method, action string, csrf bool) func(b *browser) {
	return func(b *browser) {
		b.open("/login")
		js := fmt.Sprintf(`(() => {
			const f = document.createElement("form");
			f.method = %q; f.action = %q;
			if (!%t) f.querySelectorAll("[name=_csrf]").forEach(e => e.remove());
			document.body.appendChild(f); f.submit();
		})()`, method, action, csrf)
		b.do("submit a form to "+action, chromedp.Evaluate[chromedp.Void](js), chromedp.WaitReady(chromedp.CSS(`main`)))
		b.waitVisible(`[data-testid="error-page"]`)
	}
}

// Every page each role sees, and the signed-out pages, pass axe-core's
// serious and critical rules and fit a phone's width, at 1280×800 and
// 390×844.
func TestEveryPageForEveryRoleHasNoSeriousAccessibilityViolationsAndNoSidewaysScrolling(t *testing.T) {
	t.Parallel()
	exe := chromePath(t)
	srv := apptest.New(t, apptest.Options{Modules: withDemo})

	draft := idOf(t, srv, expenseOf, "employee@example.com", "draft")
	rejected := idOf(t, srv, expenseOf, "employee@example.com", "rejected")
	submitted := idOf(t, srv, expenseOf, "employee@example.com", "submitted")
	approved := idOf(t, srv, `SELECT id FROM expenses WHERE status = 'approved' ORDER BY id LIMIT 1`)
	person := idOf(t, srv, `SELECT id FROM users WHERE email = ?`, "employee@example.com")

	formErrors := func(b *browser) {
		b.open("/expenses/new")
		b.waitVisible(`[data-testid="expense-form"]`)
		b.do("fill in a bad amount",
			chromedp.SendKeys(chromedp.CSS(`#f-amount`), "-12,3x"),
			chromedp.Click(chromedp.CSS(`[data-testid="expense-form"] button[type=submit]`)),
		)
		b.waitVisible(`[data-testid="expense-form"] .field-error`)
	}
	// The dashboard differs by role; the profile and error pages differ
	// only in the menu, which the dashboard already shows.
	dashboard := page{name: "dashboard", path: "/"}
	profile := page{name: "profile", path: "/profile"}
	notFound := page{name: "not-found", path: "/no-such-page"}
	roles := []struct {
		role, email string
		pages       []page
	}{
		{"employee", "employee@example.com", []page{
			{name: "expenses", path: "/expenses"},
			{name: "expense-new", path: "/expenses/new"},
			{name: "expense-form-errors", setup: formErrors},
			{name: "expense-draft", path: "/expenses/" + draft},
			{name: "expense-edit", path: "/expenses/" + draft + "/edit"},
			{name: "expense-rejected", path: "/expenses/" + rejected},
			{name: "expense-submitted", path: "/expenses/" + submitted},
			dashboard, profile, notFound,
		}},
		{"manager", "manager@example.com", []page{
			{name: "approvals", path: "/approvals"},
			{name: "team-expenses", path: "/expenses"},
			{name: "team-expense", path: "/expenses/" + submitted},
			dashboard,
		}},
		{"finance", "finance@example.com", []page{
			{name: "reimbursements", path: "/reimbursements"},
			{name: "all-expenses", path: "/expenses?status=approved"},
			{name: "approved-expense", path: "/expenses/" + approved},
			dashboard,
		}},
		{"admin", "admin@example.com", []page{
			{name: "people", path: "/admin/users"},
			{name: "person-new", path: "/admin/users/new"},
			{name: "person-edit", path: "/admin/users/" + person},
			{name: "categories", path: "/admin/categories"},
			{name: "settings", path: "/admin/settings"},
			{name: "sign-in-locks", path: "/admin/sign-in-locks"},
			{name: "audit-log", path: "/admin/audit"},
			dashboard, profile,
		}},
	}
	for _, r := range roles {
		t.Run(r.role, func(t *testing.T) {
			t.Parallel()
			b := newTab(t, exe, srv)
			b.signIn(r.email, demoPassword)
			walk(t, b, r.role, r.pages)
		})
	}
	t.Run("signed-out", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, exe, srv)
		badPassword := func(b *browser) {
			b.open("/login")
			b.do("sign in with a wrong password",
				chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "employee@example.com"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "not the password"),
				chromedp.Click(chromedp.Search(byText("//form", "button", "Sign in with e-mail"))),
				chromedp.WaitVisible(chromedp.CSS(`.alert-error`)),
			)
		}
		devIdP := func(b *browser) {
			b.open("/login")
			b.clickText(byText(`//*[@data-testid="sso-buttons"]`, "a", "Sign in with Company SSO (development)"))
			b.waitVisible(`[data-testid="devidp-identities"]`)
		}
		walk(t, b, "signed-out", []page{
			{name: "sign-in", path: "/login"},
			{name: "sign-in-error", setup: badPassword},
			{name: "signed-out", path: "/signed-out"},
			{name: "forgot-password", path: "/password/forgot"},
			{name: "reset-link-invalid", path: "/password/reset?token=used"},
			{name: "not-found", path: "/no-such-page"},
			{name: "bad-request", setup: submitForm("post", "/login", false)},
			{name: "method-not-allowed", setup: submitForm("post", "/signed-out", true)},
			{name: "dev-idp", setup: devIdP},
		})
	})
}
