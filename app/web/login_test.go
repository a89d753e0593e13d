package web_test

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/apptest"
)

func TestHealthzAnswersOK(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	res := srv.Browser(t).Get("/healthz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestEachDemoAccountSignsInAndSeesOwnNameInNavigationWidget(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	for _, tc := range []struct{ email, name string }{
		{"employee@example.com", "Emily Carter"},
		{"liam.chen@example.com", "Liam Chen"},
		{"priya.patel@example.com", "Priya Patel"},
		{"admin@example.com", "Adam Brooks"},
	} {
		t.Run(tc.email, func(t *testing.T) {
			t.Parallel()
			b := srv.Browser(t)
			b.Login(tc.email, apptest.DemoPassword)
			doc := b.Follow("/").Doc(t)
			widget := doc.Find(`[data-testid="navigation-widget"]`)
			if widget.Length() != 1 {
				t.Fatal("no navigation widget on the dashboard")
			}
			if got := strings.TrimSpace(widget.Find(`[data-testid="profile-name"]`).Text()); got != tc.name {
				t.Errorf("profile name = %q, want %q", got, tc.name)
			}
			if got := strings.TrimSpace(widget.Find(`[data-testid="account-kind"]`).Text()); got != "Local account" {
				t.Errorf("account kind = %q, want Local account", got)
			}
		})
	}
}

func TestSignInPageListsDemoAccountsInDevelopment(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	doc := srv.Browser(t).Get("/login").Doc(t)
	text := doc.Find(`[data-testid="demo-accounts"]`).Text()
	for _, want := range []string{"employee@example.com", "admin@example.com", apptest.DemoPassword} {
		if !strings.Contains(text, want) {
			t.Errorf("demo accounts box lacks %q", want)
		}
	}
	// Only accounts that were seeded: without a module, nobody of the
	// expenses demo's company.
	var listed []string
	doc.Find(`[data-testid="demo-accounts"] li code`).Each(func(_ int, s *goquery.Selection) { listed = append(listed, s.Text()) })
	if strings.Join(listed, ",") != "employee@example.com,admin@example.com" {
		t.Errorf("demo accounts listed: %v, want the template's employee and admin", listed)
	}
}

func TestSignInFailuresSayWhatIsWrongAndKeepTheEmail(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	for _, tc := range []struct {
		name      string
		email, pw string
		status    int
		wantText  string
		wantField string
		keptEmail string
	}{
		{"wrong password", "employee@example.com", "not-the-password", http.StatusUnauthorized, "Wrong e-mail or password.", "", "employee@example.com"},
		{"unknown e-mail gets the same message", "nobody@example.com", "whatever-password", http.StatusUnauthorized, "Wrong e-mail or password.", "", "nobody@example.com"},
		{"empty e-mail", "", "x", http.StatusUnprocessableEntity, "Enter your e-mail address.", "email", ""},
		{"empty password", "employee@example.com", "", http.StatusUnprocessableEntity, "Enter your password.", "password", "employee@example.com"},
		{"over-long e-mail", strings.Repeat("a", 250) + "@example.com", "x", http.StatusUnprocessableEntity, "at most 254 characters", "email", ""},
		{"over-long password", "employee@example.com", strings.Repeat("p", 300), http.StatusUnprocessableEntity, "at most 256 characters", "password", "employee@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := srv.Browser(t)
			res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {tc.email}, "password": {tc.pw}})
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			doc := res.Doc(t)
			if !strings.Contains(doc.Find("main").Text(), tc.wantText) {
				t.Errorf("page lacks %q", tc.wantText)
			}
			if tc.wantField != "" {
				msg := doc.Find("#f-" + tc.wantField + "-error").Text()
				if !strings.Contains(msg, tc.wantText) {
					t.Errorf("message beside %s = %q, want %q", tc.wantField, msg, tc.wantText)
				}
			}
			if tc.keptEmail != "" {
				if v, _ := doc.Find(`input[name="email"]`).Attr("value"); v != tc.keptEmail {
					t.Errorf("e-mail field = %q, want it kept as %q", v, tc.keptEmail)
				}
			}
			if v, _ := doc.Find(`input[name="password"]`).Attr("value"); v != "" {
				t.Error("the password was sent back to the browser")
			}
		})
	}
}

func TestRepeatedFailedSignInsFromOneAddressAreThrottledForThatAccount(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	b := browserFrom(t, srv, "203.0.113.10")
	for i := 0; i < 5; i++ {
		res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {"wrong-password"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, res.StatusCode)
		}
	}
	// Even the right password is refused from there while throttled.
	res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", res.StatusCode)
	}
	if !strings.Contains(res.Doc(t).Find("main").Text(), "Too many failed sign-in attempts") {
		t.Error("no throttling message")
	}
	// Another account from the same address is not affected.
	browserFrom(t, srv, "203.0.113.10").Login("employee@example.com", apptest.DemoPassword)
}

// Someone guessing at an account must not lock its owner out: the owner,
// elsewhere, still signs in.
func TestThrottledAccountStillSignsInFromAnotherAddress(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	guesser := browserFrom(t, srv, "203.0.113.66")
	for i := 0; i < 6; i++ {
		guesser.Submit("/login", `form[action="/login"]`, url.Values{"email": {"admin@example.com"}, "password": {"guess-" + strconv.Itoa(i)}})
	}
	res := guesser.Submit("/login", `form[action="/login"]`, url.Values{"email": {"admin@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("guesser's address: status %d, want 429", res.StatusCode)
	}
	browserFrom(t, srv, "198.51.100.20").Login("admin@example.com", apptest.DemoPassword)
}

func TestDeactivatedPersonCannotSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	if err := srv.DB.Exec("UPDATE users SET active = false WHERE email = ?", "employee@example.com").Error; err != nil {
		t.Fatal(err)
	}
	res := srv.Browser(t).Submit("/login", `form[action="/login"]`, url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Your account is deactivated") {
		t.Fatalf("status %d; want 403 with a deactivation message", res.StatusCode)
	}
}

func TestDeepLinkOpenedWhileSignedOutReturnsThereAfterSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	res := b.Get("/profile?tab=password")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect to sign in", res.StatusCode)
	}
	loginURL := res.Location()
	if !strings.HasPrefix(loginURL, "/login?next=") {
		t.Fatalf("redirect to %q", loginURL)
	}
	res = b.Submit(loginURL, `form[action="/login"]`, url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/profile?tab=password" {
		t.Fatalf("after sign-in: status %d to %q, want /profile?tab=password", res.StatusCode, res.Location())
	}
}

func TestOffSiteReturnTargetsAreReplacedByTheDashboard(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	for _, next := range []string{"https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		t.Run(next, func(t *testing.T) {
			t.Parallel()
			b := srv.Browser(t)
			res := b.Submit("/login?next="+url.QueryEscape(next), `form[action="/login"]`,
				url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}, "next": {next}})
			if res.StatusCode != http.StatusSeeOther || res.Location() != "/" {
				t.Fatalf("status %d to %q, want / ", res.StatusCode, res.Location())
			}
		})
	}
}

func TestPostWithoutCSRFTokenIsRefusedWithAClearPage(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Get("/login") // receives the CSRF cookie
	res := b.PostForm("/login", url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 400 or 403", res.StatusCode)
	}
	if !strings.Contains(res.Body, "Form expired") {
		t.Error("no explanation on the page")
	}
	// A wrong token is refused too.
	res = b.PostForm("/login", url.Values{"_csrf": {"forged"}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: status %d, want 403", res.StatusCode)
	}
}

func TestCrossSitePostIsRefusedEvenWithAToken(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	tok := b.CSRF("/login")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{
		"_csrf": {tok}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := b.Do(req); res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", res.StatusCode)
	}
}

func TestTamperedSessionCookieMeansSignedOut(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/profile", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "tampered-value"})
	res := b.Do(req)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
		t.Fatalf("status %d to %q, want a redirect to sign in", res.StatusCode, res.Location())
	}
}

func TestSignOutEndsTheSessionAndShowsTheSignedOutPage(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	u, _ := url.Parse(srv.URL)
	var token string
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "session" {
			token = c.Value
		}
	}
	if token == "" {
		t.Fatal("no session cookie after sign-in")
	}
	page := b.Get("/profile")
	res := b.SubmitOn(page, `form[action="/logout"]`, nil)
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/signed-out" {
		t.Fatalf("sign out: status %d to %q", res.StatusCode, res.Location())
	}
	if got := b.Get("/signed-out"); !strings.Contains(got.Body, "You are signed out") {
		t.Error("signed-out page lacks its message")
	}
	var n int64
	srv.DB.Table("sessions").Count(&n)
	if n != 0 {
		t.Errorf("%d sessions left in the database", n)
	}
	// The old cookie, replayed, no longer works.
	replay := srv.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/profile", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: token})
	if res := replay.Do(req); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed cookie: status %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestSessionIDRotatesAtSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	first := sessionCookie(t, b, srv.URL)
	// Signing in again from a signed-in browser (the sign-in form is not
	// shown then, so post it with the token from another page).
	res := b.PostForm("/login", url.Values{"_csrf": {b.CSRF("/profile")}, "email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: status %d", res.StatusCode)
	}
	second := sessionCookie(t, b, srv.URL)
	if first == second {
		t.Fatal("signing in again kept the same session id")
	}
	var n int64
	srv.DB.Table("sessions").Count(&n)
	if n != 1 {
		t.Errorf("%d sessions, want the old one deleted", n)
	}
}

func TestIdleSessionExpires(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	srv.DB.Exec("UPDATE sessions SET last_seen_at = ?", time.Now().UTC().Add(-3*time.Hour))
	if res := b.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect to sign in", res.StatusCode)
	}
}

func sessionCookie(t *testing.T, b *apptest.Browser, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// The sign-in form must not tell which e-mail addresses have accounts, nor
// which accounts sign in only through SSO: a wrong password, an unknown
// e-mail and an SSO-only account all get the same answer. With SSO
// configured the page says, as general help, to use the company sign-in.
func TestSignInAnswersSSOOnlyAccountsExactlyLikeUnknownEmails(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	if err := srv.DB.Exec("UPDATE users SET password_hash = '' WHERE email = ?", "liam.chen@example.com").Error; err != nil {
		t.Fatal(err)
	}
	answer := func(email string) (int, string) {
		res := srv.Browser(t).Submit("/login", `form[action="/login"]`, url.Values{"email": {email}, "password": {"some-guess-here"}})
		return res.StatusCode, strings.TrimSpace(res.Doc(t).Find(`.alert-error`).Text())
	}
	unknownStatus, unknownMsg := answer("nobody@example.com")
	for _, email := range []string{"liam.chen@example.com", "employee@example.com"} {
		status, msg := answer(email)
		if status != unknownStatus || msg != unknownMsg {
			t.Errorf("%s: answered %d %q; an unknown e-mail gets %d %q", email, status, msg, unknownStatus, unknownMsg)
		}
	}
	if unknownMsg != "Wrong e-mail or password." {
		t.Errorf("message = %q, want \"Wrong e-mail or password.\"", unknownMsg)
	}
	help := srv.Browser(t).Get("/login").Doc(t).Find(`[data-testid="sso-help"]`).Text()
	if !strings.Contains(help, "company sign-in") {
		t.Errorf("sign-in page help = %q, want advice to use the company sign-in", help)
	}
}
