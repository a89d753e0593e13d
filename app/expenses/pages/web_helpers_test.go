package pages_test

// Browser helpers of the demo's HTTP tests. They are copies of the
// template's own test helpers in app/web (signout_test.go,
// auth_sessions_test.go, csrf_test.go): test files cannot be shared between
// packages, and a copy keeps the demo's tests whole when a fork changes the
// template's tests, and the template's when it deletes the demo.

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/module"
)

// withDemo runs the test application with the demo plugged in, as
// app/app.go wires it (apptest alone runs the template without modules).
func withDemo(db *gorm.DB, log *slog.Logger) []module.Module {
	return []module.Module{expensesmodule.New(db, log)}
}

// demoApp starts the application with the demo, seeded with the demo
// company unless opts.NoSeed.
func demoApp(t testing.TB, opts apptest.Options) *apptest.Server {
	t.Helper()
	opts.Modules = withDemo
	return apptest.New(t, opts)
}

func signedIn(t *testing.T, b *apptest.Browser) bool {
	t.Helper()
	return b.Get("/profile").StatusCode == http.StatusOK
}

// ssoSignInFrom follows a redirect to the development identity provider
// from start, picks the demo identity with email there, and delivers the
// answer to the app's callback, returning the callback's response.
func ssoSignInFrom(t *testing.T, b *apptest.Browser, start *apptest.Response, email string) *apptest.Response {
	t.Helper()
	res := start
	for i := 0; i < 5 && (res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusFound); i++ {
		res = b.Get(res.Location())
	}
	picker := res
	if picker.StatusCode != http.StatusOK {
		t.Fatalf("identity provider's picker: status %d", picker.StatusCode)
	}
	form := picker.Doc(t).Find(`form[data-testid="devidp-identities"]`).First()
	data := url.Values{"subject": {devidp.SubjectForEmail(email)}}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		data.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	action, err := picker.Request.URL.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	answer := b.PostForm(action.String(), data)
	if answer.StatusCode != http.StatusSeeOther && answer.StatusCode != http.StatusFound {
		t.Fatalf("identity provider answered %d, want a redirect to the app's callback", answer.StatusCode)
	}
	return b.Get(answer.Location())
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A value an attacker on a sibling subdomain (evil.example.com next to
// expenses.example.com) can plant as a cookie and send as the token.
const plantedToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// plantCookies sets, in b's jar, the cookies a sibling subdomain could set
// for our host: the old double-submit cookie and the pre-session cookie.
func plantCookies(t *testing.T, b *apptest.Browser, base string) {
	t.Helper()
	u, _ := url.Parse(base)
	b.Jar.SetCookies(u, []*http.Cookie{
		{Name: "csrf", Value: plantedToken, Path: "/"},
		{Name: "csrf-id", Value: plantedToken, Path: "/"},
	})
}

// postSameSite posts form as a page on a sibling subdomain would make the
// browser do it.
func postSameSite(t *testing.T, b *apptest.Browser, target string, form url.Values) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-site")
	return b.Do(req)
}
