package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// An administrator turns on two-factor sign-in from the profile, keeps the
// recovery codes, and signs in again with a code from the app.
func TestBrowserAdministratorTurnsOnTwoFactorSignInAndSignsInWithTheCode(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.SignIn("admin@example.com", demoPassword)
	b.Open("/profile")
	b.Click(`[data-testid="two-factor-setup"]`)
	b.WaitVisible(`[data-testid="two-factor-qr"]`)
	for _, v := range []browsertest.Viewport{browsertest.Phone, browsertest.Desktop} {
		b.Resize(v)
		b.Screenshot("two-factor-setup-" + v.Name)
	}
	key := strings.ReplaceAll(b.Text(`[data-testid="two-factor-key"]`), " ", "")
	code := func(steps int) string {
		c, err := totp.GenerateCodeCustom(key, time.Now().Add(time.Duration(steps)*30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b.Do("confirm with a code from the app",
		chromedp.SendKeys(chromedp.CSS(`#f-code`), code(0)),
		chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Turn on"))),
	)
	b.WaitVisible(`[data-testid="recovery-codes"]`)
	for _, v := range []browsertest.Viewport{browsertest.Phone, browsertest.Desktop} {
		b.Resize(v)
		b.Screenshot("two-factor-recovery-codes-" + v.Name)
	}
	b.SignOut()

	b.Open("/login")
	b.Do("sign in with the password",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "admin@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demoPassword),
		chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Sign in with e-mail"))),
	)
	b.WaitVisible(`[data-testid="second-factor"]`)
	b.Resize(browsertest.Phone)
	b.Screenshot("two-factor-code-step-phone")
	b.Do("type the app's next code",
		chromedp.SendKeys(chromedp.CSS(`#f-code`), code(1)),
		chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Sign in"))),
	)
	b.WaitVisible(`[data-testid="navigation-widget"]`)
}
