package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// In development the sign-in page lists the demo accounts; picking one
// fills in the form, so that trying a role is one click and one Enter.
func TestBrowserPickingADemoAccountFillsInTheSignInForm(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.Open("/login")
	b.Click(`button[data-fill-email="employee@example.com"]`)
	b.Do("sign in with the filled-in form", chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Sign in with e-mail"))))
	b.WaitVisible(`[data-testid="navigation-widget"]`)
	b.OpenProfileMenu()
	if got := b.Text(`[data-testid="profile-name"]`); got != "Emily Carter" {
		t.Errorf("signed in as %q, want Emily Carter (employee@example.com)", got)
	}
}
