package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/paths"
)

const chromeOnMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// signedInFrom signs in with email from a browser whose User-Agent is ua.
func signedInFrom(t *testing.T, srv *apptest.Server, email, ua string) *apptest.Browser {
	t.Helper()
	b := srv.Browser(t)
	if ua != "" {
		b.Transport = userAgent{ua}
	}
	b.Login(email, "expenses-demo")
	return b
}

type userAgent struct{ ua string }

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return http.DefaultTransport.RoundTrip(r)
}

func TestProfileListsYourSessionsInPlainWordsAndSignsOutOneOrEveryOtherOnly(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	here := signedInFrom(t, srv, "employee@example.com", chromeOnMac)
	phone := signedInFrom(t, srv, "employee@example.com", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
	laptop := signedInFrom(t, srv, "employee@example.com", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")

	page := here.Get("/profile")
	doc := page.Doc(t)
	rows := doc.Find(`[data-testid="sessions-card"] [data-testid="session"]`)
	if rows.Length() != 3 {
		t.Fatalf("the profile lists %d sessions, want 3", rows.Length())
	}
	text := doc.Find(`[data-testid="sessions-card"]`).Text()
	for _, want := range []string{"Chrome on macOS", "Safari on iPhone", "Firefox on Windows", "Password", "This one", "127.0.0.1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sessions card does not say %q:\n%s", want, text)
		}
	}
	current := doc.Find(`[data-testid="session"]:has([data-testid="session-current"])`)
	if current.Length() != 1 || !strings.Contains(current.Text(), "Chrome on macOS") || current.Find("form").Length() != 0 {
		t.Errorf("the current session must be marked once, be this browser's, and have no sign-out form of its own")
	}

	// Sign out the iPhone.
	phoneRow := doc.Find(`[data-testid="session"]:contains("Safari on iPhone")`)
	if res := here.SubmitOn(page, `form[action="`+phoneRow.Find("form").AttrOr("action", "")+`"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out this one: %d", res.StatusCode)
	}
	if res := phone.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the signed-out iPhone: GET /profile = %d, want 303 to sign in", res.StatusCode)
	}
	if res := laptop.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("the laptop after the iPhone was signed out: %d, want 200", res.StatusCode)
	}
	// Everywhere else.
	if res := here.Submit("/profile", `form[action="/profile/sessions/end-others"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere else: %d", res.StatusCode)
	}
	if res := laptop.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the laptop after 'everywhere else': %d, want 303", res.StatusCode)
	}
	if res := here.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("this browser after 'everywhere else': %d, want 200 (still signed in)", res.StatusCode)
	}
}

func TestNobodyEndsAnotherPersonsSessionByItsHandleButAnAdministratorMay(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	liamS := signedInFrom(t, srv, "liam.chen@example.com", chromeOnMac)
	admin := signedInFrom(t, srv, "admin@example.com", "")
	var liamSID uint
	if err := srv.DB.Raw("SELECT id FROM users WHERE email = ?", "liam.chen@example.com").Scan(&liamSID).Error; err != nil {
		t.Fatal(err)
	}
	// The administrator's page of Liam lists his session with its form.
	personPage := admin.Get(paths.AdminUser(liamSID))
	form := personPage.Doc(t).Find(`[data-testid="sessions-card"] [data-testid="session"] form`).First()
	action := form.AttrOr("action", "")
	if !strings.Contains(personPage.Body, "Chrome on macOS") || action == "" {
		t.Fatalf("the administrator's page of Liam does not list his session with a sign-out form")
	}
	handle := strings.TrimSuffix(strings.TrimPrefix(action, paths.AdminUser(liamSID)+"/sessions/"), "/end")

	// Emily takes the handle to her own profile's sign-out URL.
	emily := signedInFrom(t, srv, "employee@example.com", "")
	token := url.Values{"_csrf": {emily.CSRF("/profile")}}
	if res := emily.PostForm("/profile/sessions/"+handle+"/end", token); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("emily's post: %d", res.StatusCode)
	}
	if res := liamS.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Fatalf("Liam was signed out by Emily's request with his session's handle (GET /profile = %d)", res.StatusCode)
	}
	// Nor through the administrators' URL.
	if res := emily.PostForm(action, token); res.StatusCode != http.StatusForbidden {
		t.Errorf("emily posting the administrators' form: %d, want 403", res.StatusCode)
	}
	if res := admin.SubmitOn(personPage, `form[action="`+action+`"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the administrator signs Liam's session out: %d", res.StatusCode)
	}
	if res := liamS.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Liam after the administrator ended his session: %d, want 303 to sign in", res.StatusCode)
	}
}
