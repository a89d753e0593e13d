package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// In development the sign-in page lists the demo accounts; picking one
// fills in the form, so that trying a role is one click and one Enter.
func TestBrowserPickingADemoAccountFillsInTheSignInForm(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.open("/login")
	b.click(`button[data-fill-email="employee@example.com"]`)
	b.do("sign in with the filled-in form", chromedp.Click(chromedp.Search(byText("//form", "button", "Sign in with e-mail"))))
	b.waitVisible(`[data-testid="navigation-widget"]`)
	b.openProfileMenu()
	if got := b.text(`[data-testid="profile-name"]`); got != "Emily Carter" {
		t.Errorf("signed in as %q, want Emily Carter (employee@example.com)", got)
	}
}
