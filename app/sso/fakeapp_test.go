package sso_test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/sso"
)

// This file is a tiny app for the SSO module's tests, so that they need
// nothing of Company Expenses: an echo server with a users table, password
// sign-in that sets a session cookie, a sign-in page with the module's
// buttons, a profile page that connects and disconnects providers, and the
// module's hooks. It uses the module exactly as a forker's app would:
// through sso.Start, sso.Config and sso.App only.
//
// The identity provider is the development identity provider (app/devidp),
// served by the fake app at /dev-idp as app/app.go serves it, or an external
// one (externalIdP) on its own server. devidp is the IdP, not the app.

// demoPassword is the password of the fake app's seeded people.
const demoPassword = "expenses-demo"

// fakeUser is the fake app's account: the users table the identities
// reference.
type fakeUser struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	Name         string `gorm:"size:200;not null;default:''"`
	PasswordHash string `gorm:"size:255;not null;default:''"`
	Active       bool   `gorm:"not null"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (fakeUser) TableName() string { return "users" }

// fakePeople are the development provider's people and the fake app's
// seed: Liam and Priya have a connected identity (Liam a password too),
// Emily a password only, and Jordan is nobody here yet.
var fakePeople = []struct {
	Name, Email     string
	Password, Local bool
	Linked          bool
}{
	{Name: "Liam Chen", Email: "liam.chen@example.com", Password: true, Linked: true},
	{Name: "Priya Patel", Email: "priya.patel@example.com", Linked: true},
	{Name: "Jordan Rivera", Email: "jordan.rivera@example.com"},
	{Name: "Emily Carter", Email: "employee@example.com", Password: true},
}

// fakeOptions configure a fake app.
type fakeOptions struct {
	// NoSeed starts without people.
	NoSeed bool
	// IdP, when set, is the app's "openid-connect" provider instead of the
	// development one at /dev-idp.
	IdP *externalIdP
	// ClientSecret replaces the app's secret at IdP.
	ClientSecret string
	// TrustEmail marks the provider as releasing verified addresses only.
	TrustEmail bool
	// NoOIDC leaves the "openid-connect" provider out.
	NoOIDC bool
	// Providers are added after the OpenID Connect one.
	Providers      []sso.ProviderSpec
	AllowedDomains []string
	// Pages replaces the module's default pages.
	Pages sso.Pages
	// URLs are the app's pages as the module is told them.
	URLs sso.URLs
	// Log receives the app's log; nil discards it.
	Log *slog.Logger
	// OnIdentityChange is the app's hook for connections and disconnections.
	OnIdentityChange sso.IdentityChangeFunc
	// Claims name the groups and attribute claims.
	Claims sso.ClaimNames
}

// fakeApp is a running fake app.
type fakeApp struct {
	*httptest.Server
	DB  *gorm.DB
	SSO *sso.Service

	mu       sync.Mutex
	sessions map[string]uint   // session cookie → user id
	notices  map[uint][]string // user id → messages for the next page
	profiles []sso.Profile     // what the hooks were given, in order
}

// lastProfile is the profile the latest hook call was given.
func (a *fakeApp) lastProfile(t *testing.T) sso.Profile {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.profiles) == 0 {
		t.Fatal("no hook has run")
	}
	return a.profiles[len(a.profiles)-1]
}

func (a *fakeApp) record(p sso.Profile) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.profiles = append(a.profiles, p)
}

var _ sso.App = (*fakeApp)(nil)

// newFakeApp starts a fake app on a new SQLite file.
func newFakeApp(t *testing.T, opts fakeOptions) *fakeApp {
	t.Helper()
	return newFakeAppWithDB(t, openSQLite(t), opts)
}

// openSQLite opens an empty SQLite database as the app would (WAL, foreign
// keys, immediate transactions), closed when the test ends.
func openSQLite(t *testing.T) *gorm.DB {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "fake.db") + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard, TranslateError: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// migrateFake creates the fake app's table and the module's.
func migrateFake(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.AutoMigrate(append([]any{&fakeUser{}}, sso.Models()...)...); err != nil {
		t.Fatal(err)
	}
}

// newFakeAppWithDB starts a fake app on db, which it migrates and, unless
// opts.NoSeed, seeds when it has no people yet.
func newFakeAppWithDB(t *testing.T, db *gorm.DB, opts fakeOptions) *fakeApp {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	migrateFake(t, db)
	a := &fakeApp{Server: srv, DB: db, sessions: map[string]uint{}, notices: map[uint][]string{}}

	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		status := http.StatusInternalServerError
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
		}
		_ = c.HTML(status, `<!DOCTYPE html><section data-testid="error-page"><h1>`+http.StatusText(status)+`</h1></section>`)
	}
	a.routes(e)

	var providers []sso.ProviderSpec
	devIssuer := base + "/dev-idp"
	if !opts.NoOIDC {
		if opts.IdP != nil {
			providers = append(providers, sso.OIDC{Issuer: opts.IdP.issuer, ClientID: extClientID,
				ClientSecret: cmpOr(opts.ClientSecret, extSecret), DisplayName: "Acme SSO", TrustEmail: opts.TrustEmail})
		} else {
			idp := fakeDevIdP(t, base)
			e.Any("/dev-idp/*", echo.WrapHandler(idp.Handler()))
			providers = append(providers, sso.OIDC{Issuer: idp.Issuer(), ClientID: "fake-app", ClientSecret: "fake-app-secret",
				DisplayName: devSSO, TrustEmail: opts.TrustEmail, HTTPClient: sso.InProcessClient(idp.Issuer(), idp.Handler())})
		}
	}
	providers = append(providers, opts.Providers...)

	svc, err := sso.Start(context.Background(), e, sso.Config{
		BaseURL: base, Secret: "fake-app-session-secret", DB: db, Logger: log, App: a, CrossSitePosts: e,
		Providers: providers, AllowedDomains: opts.AllowedDomains, Pages: opts.Pages, URLs: opts.URLs,
		OnFirstLogin: a.onFirstLogin, OnReturningLogin: a.onReturningLogin, OnIdentityChange: opts.OnIdentityChange, Claims: opts.Claims,
	})
	if err != nil {
		t.Fatalf("sso.Start: %v", err)
	}
	a.SSO = svc
	if !opts.NoSeed {
		a.seed(t, devIssuer)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	return a
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// routes registers the fake app's own pages.
func (a *fakeApp) routes(e *echo.Echo) {
	e.GET("/login", a.login)
	e.POST("/login", a.loginPost)
	e.GET("/profile", a.profile)
	e.POST("/profile/sso/:provider/connect", a.connect)
	e.POST("/profile/sso/identities/:id/disconnect", a.disconnect)
}

// fakeDevIdP is the development identity provider at base/dev-idp with the
// fake app as its client.
func fakeDevIdP(t *testing.T, base string) *devidp.Provider {
	t.Helper()
	people := make([]devidp.Identity, len(fakePeople))
	for i, p := range fakePeople {
		people[i] = devidp.Identity{Subject: devidp.SubjectForEmail(p.Email), Name: p.Name, Email: p.Email}
	}
	idp, err := devidp.New(devidp.Config{
		Issuer:     base + "/dev-idp",
		Clients:    []devidp.Client{{ID: "fake-app", Secret: "fake-app-secret", RedirectURIs: []string{sso.CallbackURL(base, "openid-connect")}}},
		Identities: people,
	})
	if err != nil {
		t.Fatal(err)
	}
	return idp
}

// seed creates the fake people once, with the identities of the linked ones
// at the development provider (issuer).
func (a *fakeApp) seed(t *testing.T, issuer string) {
	t.Helper()
	var n int64
	a.DB.Model(&fakeUser{}).Count(&n)
	if n > 0 {
		return
	}
	now := time.Now().UTC()
	for _, p := range fakePeople {
		if !p.Linked && !p.Password {
			continue
		}
		u := fakeUser{Email: p.Email, Name: p.Name, Active: true}
		if p.Password {
			u.PasswordHash = "plain:" + demoPassword // a fake: the module never sees it
		}
		if err := a.DB.Create(&u).Error; err != nil {
			t.Fatal(err)
		}
		if p.Linked {
			id := sso.Identity{Provider: "openid-connect", Subject: devidp.SubjectForEmail(p.Email), Issuer: issuer,
				UserID: u.ID, Email: p.Email, Name: p.Name, CreatedAt: now, LastLoginAt: now}
			if err := a.DB.Create(&id).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The module's hooks.

func (a *fakeApp) onFirstLogin(ctx context.Context, tx *gorm.DB, p sso.Profile) (uint, error) {
	a.record(p)
	u := fakeUser{Email: p.Email, Name: p.Name, Active: true}
	if err := tx.WithContext(ctx).Create(&u).Error; err != nil {
		return 0, err
	}
	return u.ID, nil
}

func (a *fakeApp) onReturningLogin(ctx context.Context, tx *gorm.DB, userID uint, p sso.Profile) (string, error) {
	a.record(p)
	var u fakeUser
	if err := tx.WithContext(ctx).Take(&u, userID).Error; err != nil {
		return "", err
	}
	if u.PasswordHash != "" { // a local account keeps its own name and e-mail
		return "", nil
	}
	updates := map[string]any{"name": p.Name}
	if p.Email != "" && p.EmailVerified {
		updates["email"] = p.Email
	}
	return "", tx.WithContext(ctx).Model(&u).Updates(updates).Error
}

func (a *fakeApp) SignIn(c echo.Context, userID uint, method string) error {
	tok := rand.Text()
	a.mu.Lock()
	if ck, err := c.Cookie("session"); err == nil {
		delete(a.sessions, ck.Value) // a new id at every sign-in
	}
	a.sessions[tok] = userID
	a.mu.Unlock()
	c.Set("fake.user", userID)
	c.SetCookie(&http.Cookie{Name: "session", Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return nil
}

func (a *fakeApp) CurrentUserID(c echo.Context) (uint, bool) {
	if id, ok := c.Get("fake.user").(uint); ok {
		return id, true
	}
	ck, err := c.Cookie("session")
	if err != nil {
		return 0, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.sessions[ck.Value]
	return id, ok
}

func (a *fakeApp) Notify(c echo.Context, kind sso.NoticeKind, message string) {
	if id, ok := a.CurrentUserID(c); ok {
		a.mu.Lock()
		a.notices[id] = append(a.notices[id], string(kind)+": "+message)
		a.mu.Unlock()
	}
}

func (a *fakeApp) AccountByEmail(ctx context.Context, tx *gorm.DB, email string) (sso.Account, bool, error) {
	var u fakeUser
	err := tx.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sso.Account{}, false, nil
	}
	if err != nil {
		return sso.Account{}, false, err
	}
	return sso.Account{ID: u.ID, Active: u.Active, HasPassword: u.PasswordHash != ""}, true, nil
}

func (a *fakeApp) Account(ctx context.Context, tx *gorm.DB, userID uint) (sso.Account, error) {
	var u fakeUser
	if err := tx.WithContext(ctx).Take(&u, userID).Error; err != nil {
		return sso.Account{}, err
	}
	return sso.Account{ID: u.ID, Active: u.Active, HasPassword: u.PasswordHash != ""}, nil
}

// The fake app's pages.

func (a *fakeApp) user(c echo.Context) (fakeUser, bool) {
	id, ok := a.CurrentUserID(c)
	if !ok {
		return fakeUser{}, false
	}
	var u fakeUser
	if a.DB.Take(&u, id).Error != nil || !u.Active {
		return fakeUser{}, false
	}
	return u, true
}

func (a *fakeApp) passwordOK(u fakeUser, password string) bool {
	return u.PasswordHash != "" && subtle.ConstantTimeCompare([]byte(u.PasswordHash), []byte("plain:"+password)) == 1
}

func (a *fakeApp) login(c echo.Context) error {
	next := c.QueryParam("next")
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><title>Sign in</title><form action="/login" method="post"><input type="hidden" name="next" value="` + html.EscapeString(next) + `"><input name="email"><input name="password" type="password"><button>Sign in</button></form><div data-testid="sso-buttons">`)
	for _, p := range a.SSO.Providers() {
		if !p.Available {
			fmt.Fprintf(&b, `<p data-testid="sso-unreachable">%s is unreachable right now; sign in with your password.</p>`, html.EscapeString(p.DisplayName))
			continue
		}
		fmt.Fprintf(&b, `<a href="%s">Sign in with %s</a>`, html.EscapeString(a.SSO.LoginURL(p.Name, next)), html.EscapeString(p.DisplayName))
	}
	b.WriteString(`</div>`)
	return c.HTML(http.StatusOK, b.String())
}

func (a *fakeApp) loginPost(c echo.Context) error {
	var u fakeUser
	err := a.DB.Where("email = ?", strings.ToLower(c.FormValue("email"))).Take(&u).Error
	if err != nil || !u.Active || !a.passwordOK(u, c.FormValue("password")) {
		return c.HTML(http.StatusUnauthorized, `<p>Wrong e-mail or password.</p>`)
	}
	if err := a.SignIn(c, u.ID, "password"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

func (a *fakeApp) profile(c echo.Context) error {
	return a.renderProfile(c, http.StatusOK, "")
}

func (a *fakeApp) renderProfile(c echo.Context, status int, connectError string) error {
	u, ok := a.user(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape("/profile"))
	}
	a.mu.Lock()
	notices := a.notices[u.ID]
	delete(a.notices, u.ID)
	a.mu.Unlock()
	ids, err := a.SSO.Identities(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><title>Profile</title><div data-testid="profile-menu"><span class="profile-card-email">%s</span></div><div class="flashes">`, html.EscapeString(u.Email))
	for _, n := range notices {
		fmt.Fprintf(&b, `<p>%s</p>`, html.EscapeString(n))
	}
	b.WriteString(`</div><ul>`)
	linked := map[string]bool{}
	for _, id := range ids {
		linked[id.Provider] = true
		fmt.Fprintf(&b, `<li data-testid="sso-linked-provider" data-provider="%s">%s`, html.EscapeString(id.Provider), html.EscapeString(a.SSO.DisplayName(id.Provider)))
		if sso.CanDisconnect(len(ids), u.PasswordHash != "") {
			fmt.Fprintf(&b, `<form method="post" action="/profile/sso/identities/%d/disconnect" data-testid="sso-disconnect"><button>Disconnect</button></form>`, id.ID)
		} else {
			b.WriteString(`<span data-testid="sso-last-way">Your only way to sign in</span>`)
		}
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul>`)
	if connectError != "" {
		fmt.Fprintf(&b, `<p data-testid="sso-connect-error">%s</p>`, html.EscapeString(connectError))
	}
	for _, p := range a.SSO.Providers() {
		if !linked[p.Name] && u.PasswordHash != "" {
			fmt.Fprintf(&b, `<form method="post" action="/profile/sso/%s/connect" data-testid="sso-connect"><input name="password" type="password"><button data-testid="sso-connect-%s">Connect %s</button></form>`,
				html.EscapeString(p.Name), html.EscapeString(p.Name), html.EscapeString(p.DisplayName))
		}
	}
	return c.HTML(status, b.String())
}

// connect confirms the password, then hands over to the module.
func (a *fakeApp) connect(c echo.Context) error {
	u, ok := a.user(c)
	if !ok {
		return echo.NewHTTPError(http.StatusUnauthorized)
	}
	if !a.SSO.Has(c.Param("provider")) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if !a.passwordOK(u, c.FormValue("password")) {
		return a.renderProfile(c, http.StatusUnprocessableEntity, "This is not your current password.")
	}
	target, err := a.SSO.BeginLink(c, c.Param("provider"), u.ID)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, target)
}

func (a *fakeApp) disconnect(c echo.Context) error {
	u, ok := a.user(c)
	if !ok {
		return echo.NewHTTPError(http.StatusUnauthorized)
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	_, err = a.SSO.Disconnect(c.Request().Context(), u.ID, uint(id))
	switch {
	case errors.Is(err, sso.ErrIdentityNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.Is(err, sso.ErrLastSignInMethod):
		a.Notify(c, "error", "This provider is your only way to sign in, so it stays connected.")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/profile")
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests can check each hop.
type browser struct {
	t    testing.TB
	base string
	*http.Client
}

// Browser returns a new browser with empty cookies.
func (a *fakeApp) Browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: a.URL, Client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r *response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// Location is the redirect target.
func (r *response) Location() string { return r.Header.Get("Location") }

// Do sends req and reads the whole response.
func (b *browser) Do(req *http.Request) *response {
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
	return &response{Response: res, Body: string(body)}
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return b.base + path
}

// Get fetches path.
func (b *browser) Get(path string) *response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(path), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.Do(req)
}

// PostForm posts form values to path.
func (b *browser) PostForm(path string, form url.Values) *response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// SubmitOn posts the form matching selector on page with its own fields
// overridden by values, to its action resolved against the page's URL.
func (b *browser) SubmitOn(page *response, selector string, values url.Values) *response {
	b.t.Helper()
	return submitOn(b.t.(*testing.T), b, page, selector, values)
}

// Login signs in with e-mail and password and fails the test unless it
// succeeds.
func (b *browser) Login(email, password string) {
	b.t.Helper()
	res := b.PostForm("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d", email, res.StatusCode)
	}
}

func ssoURLs(signIn, profile, home string) sso.URLs {
	return sso.URLs{SignIn: signIn, Profile: profile, Home: home}
}
