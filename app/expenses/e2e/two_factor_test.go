package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// An administrator turns on two-factor sign-in from the profile, keeps the
// recovery codes, and signs in again with a code from the app.
func TestBrowserAdministratorTurnsOnTwoFactorSignInAndSignsInWithTheCode(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.signIn("admin@example.com", demoPassword)
	b.open("/profile")
	b.click(`[data-testid="two-factor-setup"]`)
	b.waitVisible(`[data-testid="two-factor-qr"]`)
	for _, v := range []viewport{phone, desktop} {
		b.resize(v)
		b.screenshot("two-factor-setup-" + v.name)
	}
	key := strings.ReplaceAll(b.text(`[data-testid="two-factor-key"]`), " ", "")
	code := func(steps int) string {
		c, err := totp.GenerateCodeCustom(key, time.Now().Add(time.Duration(steps)*30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b.do("confirm with a code from the app",
		chromedp.SendKeys(chromedp.CSS(`#f-code`), code(0)),
		chromedp.Click(chromedp.Search(byText("//form", "button", "Turn on"))),
	)
	b.waitVisible(`[data-testid="recovery-codes"]`)
	for _, v := range []viewport{phone, desktop} {
		b.resize(v)
		b.screenshot("two-factor-recovery-codes-" + v.name)
	}
	b.signOut()

	b.open("/login")
	b.do("sign in with the password",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "admin@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demoPassword),
		chromedp.Click(chromedp.Search(byText("//form", "button", "Sign in with e-mail"))),
	)
	b.waitVisible(`[data-testid="second-factor"]`)
	b.resize(phone)
	b.screenshot("two-factor-code-step-phone")
	b.do("type the app's next code",
		chromedp.SendKeys(chromedp.CSS(`#f-code`), code(1)),
		chromedp.Click(chromedp.Search(byText("//form", "button", "Sign in"))),
	)
	b.waitVisible(`[data-testid="navigation-widget"]`)
}
