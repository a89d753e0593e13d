// Package apptest builds a complete application on a throw-away database for
// tests, and a browser-like client to drive it: it keeps cookies, does not
// follow redirects by itself, and scrapes the CSRF token from forms the way
// a browser submits it.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/module"
)

// Server is a running test application.
type Server struct {
	*httptest.Server
	App *app.App
	DB  *gorm.DB
}

// Options change the test application's configuration.
type Options struct {
	// Env overrides environment variables given to config.Load.
	Env map[string]string
	// NoSeed starts on an empty database.
	NoSeed bool
	// Modules builds the modules the application runs with. Nil runs the
	// template alone, without the modules app/app.go wires (the expenses
	// demo): the template's tests then prove the same thing in a project
	// made with or without the demo. A module's own tests pass a function
	// returning their module.
	Modules func(db *gorm.DB, log *slog.Logger) []module.Module
}

// New starts the application on a fresh SQLite database in a temporary
// folder, seeded with the demo company unless opts.NoSeed.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	db, log := openSQLite(t)
	return NewWithDB(t, db, log, opts)
}

// openSQLite opens a fresh SQLite database in a temporary folder, closed
// when the test ends, and the log the application writes to (warnings in
// verbose runs, nothing otherwise).
func openSQLite(t testing.TB) (*gorm.DB, *slog.Logger) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if dbtest.OnPostgres() {
		// TEST_DB=postgres: the whole suite on PostgreSQL (dbtest closes
		// the pool and drops the schema when the test ends).
		return dbtest.EmptyPostgres(t), log
	}
	db, err := database.Open("", filepath.Join(t.TempDir(), "test.db"), log)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	// Registered before start's, so it runs after the server is closed.
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db, log
}

// NewWithDB starts the application on a database the test opened (which the
// application migrates, and seeds unless opts.NoSeed), logging to log, so
// that a test can run on PostgreSQL or start two applications on one
// database. The test closes db itself.
func NewWithDB(t testing.TB, db *gorm.DB, log *slog.Logger, opts Options) *Server {
	t.Helper()
	return start(t, db, log, opts, nil)
}

// start loads the configuration from opts (development, BASE_URL the test
// server's address), lets configure change it when not nil, and serves the
// application built on db.
func start(t testing.TB, db *gorm.DB, log *slog.Logger, opts Options, configure func(*config.Config)) *Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{
		"APP_ENV":  "development",
		"BASE_URL": "http://" + srv.Listener.Addr().String(),
	}
	if opts.NoSeed {
		env["SEED_DEMO_DATA"] = "off"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if configure != nil {
		configure(&cfg)
	}
	var mods []module.Module
	if opts.Modules != nil {
		mods = opts.Modules(db, log)
	}
	a, err := app.NewWithModules(context.Background(), cfg, db, log, mods)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &Server{Server: srv, App: a, DB: db}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests can check each hop.
type Browser struct {
	t    testing.TB
	base string
	*http.Client
}

// Browser returns a new browser with empty cookies.
func (s *Server) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, base: s.URL, Client: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r *Response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// Location is the redirect target, relative to the server.
func (r *Response) Location() string {
	return r.Header.Get("Location")
}

func (b *Browser) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return b.base + path
}

// Do sends req and reads the whole response.
func (b *Browser) Do(req *http.Request) *Response {
	b.t.Helper()
	res, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("read body: %v", err)
	}
	return &Response{Response: res, Body: string(body)}
}

// Get fetches path.
func (b *Browser) Get(path string) *Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(path), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.Do(req)
}

// Follow fetches path and follows redirects on this server, returning the
// final response.
func (b *Browser) Follow(path string) *Response {
	b.t.Helper()
	res := b.Get(path)
	for i := 0; i < 10 && res.StatusCode >= 300 && res.StatusCode < 400; i++ {
		res = b.Get(res.Location())
	}
	return res
}

// PostForm posts form values to path as a browser without Sec-Fetch-Site
// would: the caller includes "_csrf" when the form has one.
func (b *Browser) PostForm(path string, form url.Values) *Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Submit finds the form matching selector on the page at path, fills in
// values over the form's own fields (hidden ones, the CSRF token included),
// and posts it to the form's action.
func (b *Browser) Submit(path, selector string, values url.Values) *Response {
	b.t.Helper()
	page := b.Get(path)
	if page.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: status %d", path, page.StatusCode)
	}
	return b.SubmitOn(page, selector, values)
}

// SubmitOn is Submit on a page already fetched.
func (b *Browser) SubmitOn(page *Response, selector string, values url.Values) *Response {
	b.t.Helper()
	form := page.Doc(b.t).Find(selector).First()
	if form.Length() == 0 {
		b.t.Fatalf("no form %q on %s", selector, page.Request.URL)
	}
	data := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		if (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
			return
		}
		data.Add(name, s.AttrOr("value", ""))
	})
	for k, v := range values {
		data[k] = v
	}
	action := form.AttrOr("action", page.Request.URL.Path)
	return b.PostForm(action, data)
}

// CSRF returns the CSRF token of the first form on the page at path.
func (b *Browser) CSRF(path string) string {
	b.t.Helper()
	tok, _ := b.Get(path).Doc(b.t).Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return tok
}

// Login signs in with e-mail and password through the sign-in form and
// fails the test unless it succeeds.
func (b *Browser) Login(email, password string) {
	b.t.Helper()
	res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d", email, res.StatusCode)
	}
}

// DemoPassword is the password of the seeded demo accounts.
const DemoPassword = "expenses-demo"
