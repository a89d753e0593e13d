package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/devidp"
)

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

func cookieNamed(t *testing.T, b *apptest.Browser, base, name string) *http.Cookie {
	t.Helper()
	for _, c := range b.Jar.Cookies(mustURL(t, base)) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// In LOGIN_MODE=sso the sign-in page goes straight to the only provider,
// which would sign a person who just signed out straight back in when they
// press Back to a page that needs them. For a while after signing out it
// shows the page with the SSO button instead.
func TestSSOOnlySignInPageDoesNotRedirectToTheProviderRightAfterSignOut(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": "sso"}})
	b := srv.Browser(t)
	const email = "jordan.rivera@example.com"
	if cb := ssoSignInFrom(t, b, b.Get("/login"), email); cb.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: callback status %d", cb.StatusCode)
	}

	out := b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	if out.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", out.StatusCode)
	}
	var mark *http.Cookie
	for _, c := range out.Cookies() {
		if c.Name == "signed_out" {
			mark = c
		}
	}
	if mark == nil || mark.Value != "1" || !mark.HttpOnly || mark.SameSite != http.SameSiteLaxMode || mark.MaxAge <= 0 || mark.MaxAge > 600 {
		t.Fatalf("signed_out cookie = %+v, want 1, HttpOnly, SameSite=Lax, at most 10 minutes", mark)
	}

	// Back to a protected page: sent to sign in, which stays put.
	back := b.Get("/profile")
	if back.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back.Location(), "/login") {
		t.Fatalf("GET /profile after sign-out = %d to %q, want the sign-in page", back.StatusCode, back.Location())
	}
	login := b.Get(back.Location())
	if login.StatusCode != http.StatusOK {
		t.Fatalf("GET %s right after sign-out = %d to %q, want the page, not the provider", back.Location(), login.StatusCode, login.Location())
	}
	doc := login.Doc(t)
	if !strings.Contains(doc.Find("main").Text(), "You signed out. Sign in again when you are ready.") {
		t.Error("the sign-in page does not say the person signed out")
	}
	button := doc.Find(`[data-testid="sso-buttons"] a`)
	if button.Length() != 1 {
		t.Fatalf("%d SSO buttons, want 1", button.Length())
	}
	if b.Get("/profile").StatusCode == http.StatusOK {
		t.Fatal("signed in again without asking")
	}

	// Choosing to sign in works, and clears the mark: the next visit to the
	// sign-in page goes straight to the provider again.
	start := b.Get(button.AttrOr("href", ""))
	if cb := ssoSignInFrom(t, b, start, email); cb.StatusCode != http.StatusSeeOther || cb.Location() != "/profile" {
		t.Fatalf("sign in again: callback %d to %q, want back to /profile", cb.StatusCode, cb.Location())
	}
	if c := cookieNamed(t, b, srv.URL, "signed_out"); c != nil {
		t.Errorf("signed_out cookie still set after signing in: %+v", c)
	}
	b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	b.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "signed_out", Value: "", Path: "/", MaxAge: -1}})
	if res := b.Get("/login"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/auth/") {
		t.Errorf("GET /login once the mark is gone = %d to %q, want straight to the provider", res.StatusCode, res.Location())
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Signing out tells the browser to drop every cookie and all storage of the
// site, so nothing of the person stays on a shared computer; the sign-in
// page still knows the browser has just signed out.
func TestSignOutSendsClearSiteDataAndTheSignedOutPageKeepsTheMark(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	res := b.Submit("/profile", `form[action="/logout"]`, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", res.StatusCode)
	}
	if got := res.Header.Get("Clear-Site-Data"); got != `"cookies", "storage"` {
		t.Errorf("Clear-Site-Data = %q, want %q", got, `"cookies", "storage"`)
	}
	// A browser that applied Clear-Site-Data after the response's cookies.
	b.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "signed_out", Value: "", Path: "/", MaxAge: -1}})
	page := b.Get(res.Location())
	if page.StatusCode != http.StatusOK {
		t.Fatalf("signed-out page: status %d", page.StatusCode)
	}
	if c := cookieNamed(t, b, srv.URL, "signed_out"); c == nil || c.Value != "1" {
		t.Errorf("signed_out mark after the signed-out page: %+v, want it set again", c)
	}
}
