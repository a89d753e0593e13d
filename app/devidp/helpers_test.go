package devidp

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

const (
	testClientID     = "expenses"
	testClientSecret = "expenses-dev-secret"
	otherClientID    = "other-app"
	otherSecret      = "other-dev-secret"
)

// demoIdentities are the identities every test provider offers.
var demoIdentities = []Identity{
	{Name: "Erin Employee", Email: "employee@example.com", AvatarURL: "https://avatars.example.com/erin.png"},
	{Subject: "dev-manager", Name: "Mona Manager", Email: "manager@example.com"},
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// envOptions tweak a test provider.
type envOptions struct {
	clock     *fakeClock
	csrfToken func(*http.Request) string
	status    StatusFunc
}

// testEnv is a provider mounted like the app mounts it, on a test server
// that also owns the clients' redirect URIs.
type testEnv struct {
	srv           *httptest.Server
	idp           *Provider
	issuer        string
	redirectURI   string
	otherRedirect string
	// browser follows redirects, like a browser; noFollow stops at the
	// first response, to see refusals that must not redirect.
	browser  *http.Client
	noFollow *http.Client
}

func newEnv(t *testing.T, opts envOptions) *testEnv {
	t.Helper()
	// The server comes first, with a placeholder handler, because the
	// issuer URL contains its address.
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)

	e := &testEnv{
		srv:           srv,
		issuer:        srv.URL + "/dev-idp",
		redirectURI:   srv.URL + "/callback",
		otherRedirect: srv.URL + "/other/callback",
	}
	cfg := Config{
		Issuer: e.issuer,
		Clients: []Client{
			{ID: testClientID, Secret: testClientSecret, RedirectURIs: []string{e.redirectURI, srv.URL + "/callback2"}},
			{ID: otherClientID, Secret: otherSecret, RedirectURIs: []string{e.otherRedirect}},
		},
		Identities: demoIdentities,
		CSRFToken:  opts.csrfToken,
		Status:     opts.status,
	}
	if opts.clock != nil {
		cfg.Now = opts.clock.Now
	}
	idp, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.idp = idp

	mux := http.NewServeMux()
	mux.Handle(idp.BasePath()+"/", idp.Handler())
	callback := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("callback reached")) }
	mux.HandleFunc("/callback", callback)
	mux.HandleFunc("/callback2", callback)
	mux.HandleFunc("/other/callback", callback)
	srv.Config.Handler = mux

	e.browser = srv.Client()
	noFollow := *srv.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e.noFollow = &noFollow
	return e
}

// oauthConfig is the expenses client's configuration, with endpoints from
// go-oidc discovery when provider is given.
func (e *testEnv) oauthConfig(provider *oidc.Provider, style oauth2.AuthStyle, scopes ...string) *oauth2.Config {
	endpoint := oauth2.Endpoint{AuthURL: e.issuer + "/authorize", TokenURL: e.issuer + "/token"}
	if provider != nil {
		endpoint = provider.Endpoint()
	}
	endpoint.AuthStyle = style
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	return &oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		Endpoint:     endpoint,
		RedirectURL:  e.redirectURI,
		Scopes:       scopes,
	}
}

// login is one sign-in attempt as the relying party sees it.
type login struct {
	state, nonce, verifier string
}

func newLogin() login {
	return login{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

// startLogin sends the browser to the authorization endpoint and returns the
// picker page.
func (e *testEnv) startLogin(t *testing.T, conf *oauth2.Config, extra ...oauth2.AuthCodeOption) (login, *goquery.Document) {
	t.Helper()
	l := newLogin()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(l.verifier), oidc.Nonce(l.nonce)}, extra...)
	resp, err := e.noFollow.Get(conf.AuthCodeURL(l.state, opts...))
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	return l, parsePage(t, resp, http.StatusOK)
}

// parsePage checks the status and parses the HTML.
func parsePage(t *testing.T, resp *http.Response, wantStatus int) *goquery.Document {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("status = %d, want %d", resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q, want HTML", ct)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// formFields returns the hidden fields of the picker form selected by sel,
// and the URL it posts to.
func (e *testEnv) formFields(t *testing.T, doc *goquery.Document, sel string) (string, url.Values) {
	t.Helper()
	form := doc.Find(sel)
	if form.Length() != 1 {
		t.Fatalf("found %d forms %q, want 1", form.Length(), sel)
	}
	action, ok := form.Attr("action")
	if !ok || !strings.HasPrefix(action, "/") {
		t.Fatalf("form %q action = %q, want a same-origin path", sel, action)
	}
	action = e.srv.URL + action
	if m, _ := form.Attr("method"); m != "post" {
		t.Fatalf("form %q method = %q, want post", sel, m)
	}
	values := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		value, _ := s.Attr("value")
		values.Add(name, value)
	})
	return action, values
}

const (
	identitiesForm = "form[data-testid=devidp-identities]"
	newPersonForm  = "form[data-testid=devidp-new]"
)

// pick presses the button of the identity with this subject.
func (e *testEnv) pick(t *testing.T, client *http.Client, doc *goquery.Document, subject string) *http.Response {
	t.Helper()
	action, values := e.formFields(t, doc, identitiesForm)
	sel := doc.Find(identitiesForm + " button[name=" + views.FieldSubject + "]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		v, _ := s.Attr("value")
		return v == subject
	})
	if sel.Length() != 1 {
		t.Fatalf("no button for subject %q on the picker", subject)
	}
	values.Set(views.FieldSubject, subject)
	return postForm(t, client, action, values)
}

// submitNew fills in "someone new".
func (e *testEnv) submitNew(t *testing.T, client *http.Client, doc *goquery.Document, name, email string) *http.Response {
	t.Helper()
	action, values := e.formFields(t, doc, newPersonForm)
	values.Set(views.FieldName, name)
	values.Set(views.FieldEmail, email)
	return postForm(t, client, action, values)
}

func postForm(t *testing.T, client *http.Client, action string, values url.Values) *http.Response {
	t.Helper()
	resp, err := client.PostForm(action, values)
	if err != nil {
		t.Fatalf("POST %s: %v", action, err)
	}
	return resp
}

// callbackParams checks that the browser landed on a client's redirect URI
// and returns the query it was given.
func callbackParams(t *testing.T, resp *http.Response, wantRedirect string) url.Values {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d at %s, want 200 at the callback", resp.StatusCode, resp.Request.URL)
	}
	got := *resp.Request.URL
	got.RawQuery = ""
	if got.String() != wantRedirect {
		t.Fatalf("landed on %s, want %s", got.String(), wantRedirect)
	}
	return resp.Request.URL.Query()
}

// signIn runs the browser part of a login as subject and returns the code.
func (e *testEnv) signIn(t *testing.T, conf *oauth2.Config, subject string) (login, string) {
	t.Helper()
	l, doc := e.startLogin(t, conf)
	q := callbackParams(t, e.pick(t, e.browser, doc, subject), conf.RedirectURL)
	if q.Get("state") != l.state {
		t.Fatalf("state = %q, want %q", q.Get("state"), l.state)
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in callback: %v", q)
	}
	return l, q.Get("code")
}

// retrieveError unwraps a token endpoint error.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v, want *oauth2.RetrieveError", err)
	}
	return re
}
