package sso_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/devidp"
)

// devSSO is the display name of the development identity provider as the
// app configures it.
const devSSO = "Company SSO (development)"

// pick says whom to sign in as on the identity provider's picker: a demo
// identity by e-mail, or someone new typed into the form.
type pick struct {
	Email string
	Name  string // set: type a new person
	// Unverified ticks "send this address as not verified" for a new
	// person.
	Unverified bool
}

// trip is one round trip through an identity provider, stopped at each hop
// so tests can look at (and tamper with) every step.
type trip struct {
	// AuthorizeURL is where the app sent the browser.
	AuthorizeURL string
	// CallbackURL is where the provider sent the browser back.
	CallbackURL string
	// FlowCookie is the app's sign-in cookie as it was before the callback.
	FlowCookie *http.Cookie
	// Callback is the app's answer to the callback, not followed.
	Callback *response
}

// ssoRoundTrip starts a sign-in at start (an /auth/... URL), lets edit
// change the authorization request (nil for none), picks who on the
// provider's picker, and delivers the provider's answer to the app's
// callback, exactly as a browser would: cookies in the jar, redirects
// followed by hand, the picker's CSRF token scraped from the page.
func ssoRoundTrip(t *testing.T, b *browser, start string, who pick, edit func(url.Values)) *trip {
	t.Helper()
	res := b.Get(start)
	if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: status %d, want a redirect to the identity provider\n%s", start, res.StatusCode, res.Body)
	}
	return continueAtProvider(t, b, res.Location(), who, edit)
}

// continueAtProvider is ssoRoundTrip from the authorization URL on.
func continueAtProvider(t *testing.T, b *browser, authorize string, who pick, edit func(url.Values)) *trip {
	t.Helper()
	tr := toCallback(t, b, authorize, who, edit)
	tr.Callback = b.Get(tr.CallbackURL)
	return tr
}

// toCallback is continueAtProvider stopped before the callback: the browser
// holds the provider's answer (tr.CallbackURL) but has not delivered it.
func toCallback(t *testing.T, b *browser, authorize string, who pick, edit func(url.Values)) *trip {
	t.Helper()
	tr := &trip{AuthorizeURL: authorize}
	if edit != nil {
		u, err := url.Parse(authorize)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		authorize = u.String()
	}
	picker := b.Get(authorize)
	var answer *response
	switch {
	case picker.StatusCode == http.StatusSeeOther || picker.StatusCode == http.StatusFound:
		answer = picker // the provider refused the request and redirected back
	case picker.StatusCode != http.StatusOK:
		t.Fatalf("GET %s: status %d\n%s", authorize, picker.StatusCode, picker.Body)
	case who.Name != "":
		values := url.Values{"name": {who.Name}, "email": {who.Email}}
		if who.Unverified {
			values.Set("unverified", "on")
		}
		answer = submitOn(t, b, picker, `form[data-testid="devidp-new"]`, values)
	default:
		subject := subjectOnPicker(t, picker, who.Email)
		answer = submitOn(t, b, picker, `form[data-testid="devidp-identities"]`, url.Values{"subject": {subject}})
	}
	if answer.StatusCode != http.StatusSeeOther && answer.StatusCode != http.StatusFound {
		t.Fatalf("identity provider answered %d, want a redirect back to the app\n%s", answer.StatusCode, answer.Body)
	}
	tr.CallbackURL = answer.Location()
	tr.FlowCookie = flowCookie(t, b, tr.CallbackURL)
	return tr
}

// submitOn posts the form matching selector on page, with its own fields
// (the CSRF token included) overridden by values, to its action resolved
// against the page's URL as a browser does: the identity provider's picker
// may live on another server than the app.
func submitOn(t *testing.T, b *browser, page *response, selector string, values url.Values) *response {
	t.Helper()
	form := page.Doc(t).Find(selector).First()
	if form.Length() == 0 {
		t.Fatalf("no form %q on %s", selector, page.Request.URL)
	}
	data := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		// A browser sends a checkbox only when it is ticked.
		if typ := s.AttrOr("type", ""); (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
			return
		}
		data.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	for k, v := range values {
		data[k] = v
	}
	action, err := page.Request.URL.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b.PostForm(action.String(), data)
}

// subjectOnPicker finds the demo identity with this e-mail on the picker.
func subjectOnPicker(t *testing.T, picker *response, email string) string {
	t.Helper()
	var subject string
	picker.Doc(t).Find(`button[name="subject"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(".devidp-identity-email").Text()) == email {
			subject = s.AttrOr("value", "")
		}
	})
	if subject == "" {
		t.Fatalf("no demo identity %s on the picker", email)
	}
	return subject
}

// flowCookie returns the app's sign-in cookie that the browser will send to
// the callback, or nil.
func flowCookie(t *testing.T, b *browser, callback string) *http.Cookie {
	t.Helper()
	u, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "sso_") {
			return c
		}
	}
	return nil
}

// signIn is ssoRoundTrip that must succeed: it returns where the app sends
// the signed-in person.
func signIn(t *testing.T, b *browser, start string, who pick) string {
	t.Helper()
	tr := ssoRoundTrip(t, b, start, who, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d, want 303 after a successful sign-in\n%s", tr.Callback.StatusCode, tr.Callback.Body)
	}
	return tr.Callback.Location()
}

// wantProblem checks that res is the SSO error page for problem code, with
// status.
func wantProblem(t *testing.T, res *response, status int, code string) *goquery.Document {
	t.Helper()
	doc := res.Doc(t)
	if res.StatusCode != status {
		t.Errorf("status %d, want %d", res.StatusCode, status)
	}
	if got := doc.Find(`[data-testid="sso-problem"]`).AttrOr("data-problem", ""); got != code {
		t.Fatalf("problem %q, want %q\n%s", got, code, res.Body)
	}
	if strings.Contains(res.Body, "goroutine ") || strings.Contains(res.Body, ".go:") {
		t.Error("the error page shows internals")
	}
	return doc
}

// signedInAs returns the e-mail of the person signed in in b, or "".
func signedInAs(t *testing.T, b *browser) string {
	t.Helper()
	res := b.Get("/profile")
	if res.StatusCode != http.StatusOK {
		return ""
	}
	return strings.TrimSpace(res.Doc(t).Find(`[data-testid="profile-menu"] .profile-card-email`).Text())
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// externalIdP is an identity provider on its own server, reached over real
// HTTP like any company issuer: a development identity provider behind a
// switch, so a test can replace it (same issuer, new key and people) and
// tamper with its token responses.
type externalIdP struct {
	srv    *httptest.Server
	issuer string

	current atomic.Pointer[devidp.Provider]
	// tamper, when set, rewrites the ID token of every token response.
	tamper atomic.Pointer[func(idToken string) string]
	// token, when set, answers the token endpoint instead of the provider.
	token atomic.Pointer[http.HandlerFunc]
	// down makes every request fail with 503, as a provider in an outage.
	down atomic.Bool
	// tokenCalls counts the requests to the token endpoint.
	tokenCalls atomic.Int64
}

// The app's registration at the external provider.
const (
	extClientID = "expenses-test"
	extSecret   = "expenses-test-secret"
	// otherClientID is another application at the same provider.
	otherClientID = "other-app"
	otherSecret   = "other-app-secret"
	otherRedirect = "https://other.example/callback"
)

// newExternalIdP starts a provider that serves discovery straight away. Call
// use with the app's URL before signing in.
func newExternalIdP(t *testing.T) *externalIdP {
	t.Helper()
	x := &externalIdP{}
	x.srv = httptest.NewServer(x)
	t.Cleanup(x.srv.Close)
	x.issuer = x.srv.URL + "/idp"
	x.use(t, "http://app.invalid")
	return x
}

// use replaces the provider by a new instance (new signing key) that sends
// people back to appURL and offers these people.
func (x *externalIdP) use(t *testing.T, appURL string, people ...devidp.Identity) {
	t.Helper()
	x.useClock(t, appURL, nil, people...)
}

// useClock is use with the provider's clock set to now (nil: time.Now).
func (x *externalIdP) useClock(t *testing.T, appURL string, now func() time.Time, people ...devidp.Identity) {
	t.Helper()
	if len(people) == 0 {
		people = []devidp.Identity{{Name: "Robin Moss", Email: "robin@acme.test"}}
	}
	p, err := devidp.New(devidp.Config{
		Issuer: x.issuer,
		Clients: []devidp.Client{
			{ID: extClientID, Secret: extSecret, RedirectURIs: []string{appURL + "/auth/openid-connect/callback"}},
			{ID: otherClientID, Secret: otherSecret, RedirectURIs: []string{otherRedirect}},
		},
		Identities: people,
		Now:        now,
	})
	if err != nil {
		t.Fatal(err)
	}
	x.current.Store(p)
}

func (x *externalIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if x.down.Load() {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path == "/idp/token" {
		x.tokenCalls.Add(1)
		if h := x.token.Load(); h != nil {
			(*h)(w, r)
			return
		}
	}
	h := x.current.Load().Handler()
	tamper := x.tamper.Load()
	if r.URL.Path != "/idp/token" || tamper == nil {
		h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var body map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
		if tok, ok := body["id_token"].(string); ok {
			body["id_token"] = (*tamper)(tok)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	_ = json.NewEncoder(w).Encode(body)
}

// appWithExternalIdP starts a fake app with the external provider as its
// single sign-on, and points the provider back at the app.
func appWithExternalIdP(t *testing.T, people ...devidp.Identity) (*fakeApp, *externalIdP) {
	t.Helper()
	x := newExternalIdP(t)
	srv := newFakeApp(t, fakeOptions{NoSeed: true, IdP: x})
	x.use(t, srv.URL, people...)
	return srv, x
}
