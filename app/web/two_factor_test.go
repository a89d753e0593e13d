package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// currentCode is what the authenticator app shows now for the key the
// setup page displayed, step steps away from now.
func currentCode(t *testing.T, key string, steps int) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(strings.ReplaceAll(key, " ", ""), time.Now().Add(time.Duration(steps)*30*time.Second),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// turnOnTwoFactor sets up two-factor sign-in for the signed-in browser
// through the setup page, and returns the key and the recovery codes.
func turnOnTwoFactor(t *testing.T, b *apptest.Browser) (key string, recovery []string) {
	t.Helper()
	page := b.Get("/profile/two-factor")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /profile/two-factor: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	key = strings.TrimSpace(doc.Find(`[data-testid="two-factor-key"]`).Text())
	if key == "" || doc.Find(`[data-testid="two-factor-qr"] path`).AttrOr("d", "") == "" {
		t.Fatal("the setup page shows no key or no QR code")
	}
	res := b.SubmitOn(page, `form[action="/profile/two-factor"]`, url.Values{"code": {currentCode(t, key, 0)}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	res.Doc(t).Find(`[data-testid="recovery-codes"] code`).Each(func(_ int, s *goquery.Selection) {
		recovery = append(recovery, s.Text())
	})
	if len(recovery) != 10 {
		t.Fatalf("the confirmation shows %d recovery codes, want 10", len(recovery))
	}
	return key, recovery
}

func signOut(t *testing.T, b *apptest.Browser) {
	t.Helper()
	if res := b.PostForm("/logout", url.Values{"_csrf": {b.CSRF("/profile")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
}

// passwordStep posts the right password and checks that it leads to the
// code step, not into the app.
func passwordStep(t *testing.T, b *apptest.Browser, email string) *apptest.Response {
	t.Helper()
	res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {email}, "password": {apptest.DemoPassword}, "next": {"/profile"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login/code") {
		t.Fatalf("right password with two-factor on: %d to %q, want 303 to /login/code", res.StatusCode, res.Location())
	}
	if got := b.Get("/profile"); got.StatusCode != http.StatusSeeOther || !strings.HasPrefix(got.Location(), "/login") {
		t.Fatalf("after the password alone, /profile answers %d to %q: a session began without the code", got.StatusCode, got.Location())
	}
	return b.Get(res.Location())
}

func TestAnAdministratorWithTwoFactorOnCannotSignInWithoutTheCode(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	other := srv.Browser(t)
	other.Login("admin@example.com", apptest.DemoPassword)
	key, _ := turnOnTwoFactor(t, b)
	if res := other.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session that began with the password alone still works after two-factor was turned on: %d", res.StatusCode)
	}
	signOut(t, b)

	codePage := passwordStep(t, b, "admin@example.com")
	wrong := b.SubmitOn(codePage, `form[action="/login/code"]`, url.Values{"code": {"000000"}})
	if currentCode(t, key, 0) != "000000" {
		if wrong.StatusCode != http.StatusUnauthorized || !strings.Contains(wrong.Body, "That code is not right") {
			t.Fatalf("a wrong code: %d, want 401 with the message at the field", wrong.StatusCode)
		}
		if got := wrong.Doc(t).Find(`#f-code`).AttrOr("aria-invalid", ""); got != "true" {
			t.Errorf("the code field is not marked invalid (aria-invalid=%q)", got)
		}
	}
	// The setup used this step's code; the app shows the next one soon,
	// and a clock a little ahead is allowed.
	ok := b.SubmitOn(codePage, `form[action="/login/code"]`, url.Values{"code": {currentCode(t, key, 1)}})
	if ok.StatusCode != http.StatusSeeOther || ok.Location() != "/profile" {
		t.Fatalf("the right code: %d to %q, want 303 to the page asked for", ok.StatusCode, ok.Location())
	}
	if res := b.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("after the code, /profile answers %d", res.StatusCode)
	}
}

func TestARecoveryCodeSignsInOnceInsteadOfTheAppsCode(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	_, recovery := turnOnTwoFactor(t, b)
	signOut(t, b)

	page := passwordStep(t, b, "employee@example.com")
	if res := b.SubmitOn(page, `form[action="/login/code"]`, url.Values{"code": {recovery[0]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a recovery code: %d, want 303", res.StatusCode)
	}
	if !strings.Contains(b.Get("/profile").Body, "9 of 10 recovery codes left") {
		t.Error("the profile does not say that one recovery code was used")
	}
	signOut(t, b)
	page = passwordStep(t, b, "employee@example.com")
	if res := b.SubmitOn(page, `form[action="/login/code"]`, url.Values{"code": {recovery[0]}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the same recovery code again: %d, want 401", res.StatusCode)
	}
}

func TestSetupWithAWrongCodeStaysOnTheSameKeyAndSaysWhyAtTheField(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	page := b.Get("/profile/two-factor")
	key := strings.TrimSpace(page.Doc(t).Find(`[data-testid="two-factor-key"]`).Text())
	wrong := "12345x"
	res := b.SubmitOn(page, `form[action="/profile/two-factor"]`, url.Values{"code": {wrong}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "That code is not right") {
		t.Fatalf("a wrong code at setup: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="two-factor-key"]`).Text()); got != key {
		t.Errorf("after a wrong code the key changed from %q to %q: the app already scanned would never match", key, got)
	}
	if got := doc.Find(`#f-code`).AttrOr("value", ""); got != wrong {
		t.Errorf("the code typed was not kept: %q", got)
	}
	if strings.Contains(b.Get("/profile").Body, "status-approved\">On") {
		t.Error("two-factor sign-in is on after a wrong code")
	}
}

func TestTurningTwoFactorOffNeedsThePassword(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	turnOnTwoFactor(t, b)
	res := b.Submit("/profile/two-factor", `form[action="/profile/two-factor/disable"]`, url.Values{"password": {"not-my-password"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "This is not your current password.") {
		t.Fatalf("turn off with a wrong password: %d", res.StatusCode)
	}
	res = b.Submit("/profile/two-factor", `form[action="/profile/two-factor/disable"]`, url.Values{"password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off with the password: %d", res.StatusCode)
	}
	signOut(t, b)
	b.Login("employee@example.com", apptest.DemoPassword) // the password alone again
}

func TestRequiredTwoFactorSendsAnAdministratorToSetItUpBeforeAnyOtherPage(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"TWO_FACTOR_ADMINS": "required"}})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	for _, path := range []string{"/", "/admin/users", "/profile"} {
		res := admin.Get(path)
		if res.StatusCode != http.StatusSeeOther || res.Location() != "/profile/two-factor" {
			t.Errorf("GET %s as an administrator without two-factor: %d to %q, want 303 to /profile/two-factor", path, res.StatusCode, res.Location())
		}
	}
	if page := admin.Get("/profile/two-factor"); !strings.Contains(page.Body, "need two-factor sign-in") {
		t.Error("the setup page does not say why it came first")
	}
	turnOnTwoFactor(t, admin)
	if res := admin.Get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Errorf("after setting it up, /admin/users answers %d", res.StatusCode)
	}
	res := admin.Submit("/profile/two-factor", `form[action="/profile/two-factor/recovery-codes"]`, url.Values{"password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, `action="/profile/two-factor/disable"`) {
		t.Errorf("a required second factor offers to be turned off (status %d)", res.StatusCode)
	}
	if res := admin.PostForm("/profile/two-factor/disable", url.Values{"_csrf": {admin.CSRF("/profile")}, "password": {apptest.DemoPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("turning off a required second factor: %d, want 403", res.StatusCode)
	}

	employee := srv.Browser(t)
	employee.Login("employee@example.com", apptest.DemoPassword)
	if res := employee.Get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("an employee is held up by the administrators' rule: %d", res.StatusCode)
	}
}

func TestTwoFactorSetupIsNotOfferedToAnAccountWithoutAPassword(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	if err := srv.DB.Exec(`UPDATE users SET password_hash = '' WHERE email = ?`, "employee@example.com").Error; err != nil {
		t.Fatal(err)
	}
	if res := b.Get("/profile/two-factor"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /profile/two-factor without a password: %d, want 404", res.StatusCode)
	}
	if strings.Contains(b.Get("/profile").Body, `data-testid="two-factor-card"`) {
		t.Error("the profile of an account without a password offers two-factor sign-in")
	}
}
