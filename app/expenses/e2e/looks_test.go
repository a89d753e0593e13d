package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

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
func submitForm(method, action string, csrf bool) func(b *browsertest.Tab) {
	return func(b *browsertest.Tab) {
		b.Open("/login")
		js := fmt.Sprintf(`(() => {
			const f = document.createElement("form");
			f.method = %q; f.action = %q;
			if (!%t) f.querySelectorAll("[name=_csrf]").forEach(e => e.remove());
			document.body.appendChild(f); f.submit();
		})()`, method, action, csrf)
		b.Do("submit a form to "+action, chromedp.Evaluate[chromedp.Void](js), chromedp.WaitReady(chromedp.CSS(`main`)))
		b.WaitVisible(`[data-testid="error-page"]`)
	}
}

// Every page each role sees, and the signed-out pages, pass axe-core's
// serious and critical rules and fit a phone's width, at 1280×800 and
// 390×844.
func TestEveryPageForEveryRoleHasNoSeriousAccessibilityViolationsAndNoSidewaysScrolling(t *testing.T) {
	t.Parallel()
	browsertest.ChromePath(t)
	srv := apptest.New(t, apptest.Options{Modules: withDemo})

	draft := idOf(t, srv, expenseOf, "employee@example.com", "draft")
	rejected := idOf(t, srv, expenseOf, "employee@example.com", "rejected")
	submitted := idOf(t, srv, expenseOf, "employee@example.com", "submitted")
	approved := idOf(t, srv, `SELECT id FROM expenses WHERE status = 'approved' ORDER BY id LIMIT 1`)
	person := idOf(t, srv, `SELECT id FROM users WHERE email = ?`, "employee@example.com")

	formErrors := func(b *browsertest.Tab) {
		b.Open("/expenses/new")
		b.WaitVisible(`[data-testid="expense-form"]`)
		b.Do("fill in a bad amount",
			chromedp.SendKeys(chromedp.CSS(`#f-amount`), "-12,3x"),
			chromedp.Click(chromedp.CSS(`[data-testid="expense-form"] button[type=submit]`)),
		)
		b.WaitVisible(`[data-testid="expense-form"] .field-error`)
	}
	// The dashboard differs by role; the profile and error pages differ
	// only in the menu, which the dashboard already shows.
	dashboard := browsertest.Page{Name: "dashboard", Path: "/"}
	profile := browsertest.Page{Name: "profile", Path: "/profile"}
	notFound := browsertest.Page{Name: "not-found", Path: "/no-such-page"}
	roles := []struct {
		role, email string
		pages       []browsertest.Page
	}{
		{"employee", "employee@example.com", []browsertest.Page{
			{Name: "expenses", Path: "/expenses"},
			{Name: "expense-new", Path: "/expenses/new"},
			{Name: "expense-form-errors", Setup: formErrors},
			{Name: "expense-draft", Path: "/expenses/" + draft},
			{Name: "expense-edit", Path: "/expenses/" + draft + "/edit"},
			{Name: "expense-rejected", Path: "/expenses/" + rejected},
			{Name: "expense-submitted", Path: "/expenses/" + submitted},
			dashboard, profile, notFound,
		}},
		{"manager", "manager@example.com", []browsertest.Page{
			{Name: "approvals", Path: "/approvals"},
			{Name: "team-expenses", Path: "/expenses"},
			{Name: "team-expense", Path: "/expenses/" + submitted},
			dashboard,
		}},
		{"finance", "finance@example.com", []browsertest.Page{
			{Name: "reimbursements", Path: "/reimbursements"},
			{Name: "all-expenses", Path: "/expenses?status=approved"},
			{Name: "approved-expense", Path: "/expenses/" + approved},
			dashboard,
		}},
		{"admin", "admin@example.com", []browsertest.Page{
			{Name: "people", Path: "/admin/users"},
			{Name: "person-new", Path: "/admin/users/new"},
			{Name: "person-edit", Path: "/admin/users/" + person},
			{Name: "categories", Path: "/admin/categories"},
			{Name: "settings", Path: "/admin/settings"},
			{Name: "sign-in-locks", Path: "/admin/sign-in-locks"},
			{Name: "audit-log", Path: "/admin/audit"},
			dashboard, profile,
		}},
	}
	for _, r := range roles {
		t.Run(r.role, func(t *testing.T) {
			t.Parallel()
			b := newTab(t, srv)
			b.SignIn(r.email, demoPassword)
			browsertest.Walk(t, b.Tab, r.role, r.pages)
		})
	}
	t.Run("signed-out", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		badPassword := func(b *browsertest.Tab) {
			b.Open("/login")
			b.Do("sign in with a wrong password",
				chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "employee@example.com"),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "not the password"),
				chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Sign in with e-mail"))),
				chromedp.WaitVisible(chromedp.CSS(`.alert-error`)),
			)
		}
		devIdP := func(b *browsertest.Tab) {
			b.Open("/login")
			b.ClickText(browsertest.ByText(`//*[@data-testid="sso-buttons"]`, "a", "Sign in with Company SSO (development)"))
			b.WaitVisible(`[data-testid="devidp-identities"]`)
		}
		browsertest.Walk(t, b.Tab, "signed-out", []browsertest.Page{
			{Name: "sign-in", Path: "/login"},
			{Name: "sign-in-error", Setup: badPassword},
			{Name: "signed-out", Path: "/signed-out"},
			{Name: "forgot-password", Path: "/password/forgot"},
			{Name: "reset-link-invalid", Path: "/password/reset?token=used"},
			{Name: "not-found", Path: "/no-such-page"},
			{Name: "bad-request", Setup: submitForm("post", "/login", false)},
			{Name: "method-not-allowed", Setup: submitForm("post", "/signed-out", true)},
			{Name: "dev-idp", Setup: devIdP},
		})
	})
}
