package sso

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso/ssopages"
)

// Route patterns registered by Start. The provider's route name fills
// :provider, for example /auth/openid-connect/callback.
const (
	BeginPattern    = "/auth/:provider"
	CallbackPattern = "/auth/:provider/callback"
	// BackChannelLogoutPattern is where OpenID Connect providers post
	// logout tokens (OpenID Connect Back-Channel Logout 1.0), server to
	// server; see Config.ServerRoutes.
	BackChannelLogoutPattern = "/auth/:provider/backchannel-logout"
)

// DefaultDiscoveryTimeout bounds OpenID Connect discovery at start-up and
// every later call to a provider.
const DefaultDiscoveryTimeout = 10 * time.Second

// Router is where Start registers the SSO routes: the app's group of pages,
// so that they get the same CSRF token, caching headers and signed-in person
// as every other page. *echo.Echo and *echo.Group satisfy it.
type Router interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// App is what the module needs from the application around it: its
// sessions, its one-time messages and its accounts. It is the module's only
// way to reach the app (app/web's Application implements it), so the module
// never imports the app's packages and can be upgraded as a whole.
type App interface {
	// SignIn starts the app's own session for userID. method is
	// "sso:<provider>". SignInProfile tells what the provider said.
	SignIn(c echo.Context, userID uint, method string) error
	// CurrentUserID returns the signed-in person, if any.
	CurrentUserID(c echo.Context) (uint, bool)
	// Notify shows a one-time message on the next page.
	Notify(c echo.Context, kind NoticeKind, message string)
	// AccountByEmail finds the account whose login e-mail is email (already
	// lower-cased). ok is false when there is none. The module asks it at a
	// first sign-in, to refuse linking an existing account silently.
	AccountByEmail(ctx context.Context, tx *gorm.DB, email string) (a Account, ok bool, err error)
	// Account returns the account with this id.
	Account(ctx context.Context, tx *gorm.DB, userID uint) (Account, error)
}

// Account is what the module needs to know of one of the app's accounts.
type Account struct {
	ID uint
	// Active is false for a deactivated account: it cannot sign in.
	Active bool
	// HasPassword is true when the account can sign in with a password;
	// then it may disconnect its last provider, and be told to sign in
	// with the password when a first SSO sign-in meets its e-mail.
	HasPassword bool
}

// NoticeKind styles a message given to App.Notify.
type NoticeKind string

// Notice kinds.
const (
	NoticeSuccess NoticeKind = "success"
	NoticeInfo    NoticeKind = "info"
)

// URLs are the app's pages the module links to and redirects to. Empty
// fields take the defaults in brackets.
type URLs struct {
	// SignIn is the app's sign-in page ["/login"]; the module adds
	// ?next=<path> to come back to a deep link.
	SignIn string
	// Profile is where a person connects and disconnects providers
	// ["/profile"]; connecting returns there.
	Profile string
	// Home is where a sign-in lands without a deep link, and instead of a
	// return path that is not local ["/"].
	Home string
}

func (u URLs) withDefaults() URLs {
	return URLs{SignIn: cmp.Or(u.SignIn, "/login"), Profile: cmp.Or(u.Profile, "/profile"), Home: cmp.Or(u.Home, "/")}
}

// Pages renders the module's pages. Set Config.Pages to show them inside the
// app's layout; without it they are plain standalone pages (ssopages).
type Pages interface {
	// Problem is the page of a sign-in that did not go ahead. Render d
	// with ssopages.ProblemSection inside the app's layout, or render
	// something of your own that keeps its data-problem code.
	Problem(c echo.Context, d ssopages.Problem) templ.Component
}

// Config configures Start.
type Config struct {
	// BaseURL is the app's public URL. Callback URLs are built from it:
	// BaseURL + "/auth/<provider>/callback".
	BaseURL string
	// Secret keys the cookie that carries a sign-in through the identity
	// provider's round trip (SESSION_SECRET).
	Secret string
	// SecureCookies marks that cookie Secure. Turn it on in production.
	SecureCookies bool
	// AllowedDomains limits new accounts to these e-mail domains. Empty
	// allows every domain. It does not affect people who already have an
	// account.
	AllowedDomains []string
	// Providers are the identity providers, in the order the sign-in page
	// shows their buttons.
	Providers []ProviderSpec
	// CrossSitePosts is where the SAML assertion consumer service is
	// registered: a POST route that the identity provider's page reaches
	// cross-site, so outside the app's CSRF check (see PostRouter). It is
	// required when a SAML provider is configured.
	CrossSitePosts PostRouter
	// Timeout bounds each discovery attempt and every call to a provider;
	// zero means DefaultDiscoveryTimeout.
	Timeout time.Duration
	// DiscoveryRetry is the wait before discovery of an unreachable OpenID
	// Connect provider is tried again; it doubles with each failure, up to
	// a minute. Zero means DefaultDiscoveryRetry.
	DiscoveryRetry time.Duration

	DB     *gorm.DB
	Logger *slog.Logger
	App    App
	// URLs are the app's sign-in, profile and home pages.
	URLs URLs
	// Pages renders the module's pages in the app's look; nil renders
	// ssopages' standalone pages.
	Pages Pages

	// OnFirstLogin creates the account of someone who signs in for the first
	// time (the Mendix tutorial, step 6). It is required.
	OnFirstLogin FirstLoginFunc
	// OnReturningLogin brings the app's copy of a returning person up to
	// date with the provider. It is optional.
	OnReturningLogin RefreshFunc

	// ServerRoutes is where Start registers the routes that identity
	// providers call server to server, without a browser, a cookie or a
	// CSRF token: POST /auth/:provider/backchannel-logout. It must not be
	// the CSRF-protected group of pages. Set it together with
	// OnProviderLogout; without either the route does not exist (404).
	ServerRoutes ServerRouter
	// OnProviderLogout ends the app sessions a verified back-channel
	// logout token names (see ProviderLogout).
	OnProviderLogout ProviderLogoutFunc

	// OnIdentityChange is told of every provider connected to or
	// disconnected from an account, inside the transaction that makes the
	// change, so the app can record it (its audit log) or refuse it. It is
	// optional.
	OnIdentityChange IdentityChangeFunc
	// OnSignInRefused is told of every sign-in or connection the account
	// rules refused after the provider proved who the person is (a
	// deactivated account, an e-mail address taken by another account, a
	// domain not allowed, …), so the app can record it. Failures before
	// that (a stale or forged callback) are only logged: anyone can cause
	// those at no cost. It is optional.
	OnSignInRefused func(ctx context.Context, r SignInRefusal)

	// Claims name the claims that Profile's Groups, Department, JobTitle
	// and Manager are read from, for every provider (SSO_ROLES_CLAIM,
	// SSO_DEPARTMENT_CLAIM, …). The zero value reads the defaults.
	Claims ClaimNames

	// OnProvisionedLogin finds an account made ahead of a first sign-in by
	// provisioning (SCIM), so that the sign-in links to it. It is optional.
	OnProvisionedLogin ProvisionedFunc
}

// ServerRouter is where Start registers server-to-server routes
// (Config.ServerRoutes). *echo.Echo and *echo.Group satisfy it.
type ServerRouter interface {
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// SignInRefusal is a sign-in the account rules refused.
type SignInRefusal struct {
	// Provider, Subject and Email are who the provider said the person is.
	Provider, Subject, Email string
	// Code is the Problem's code, for example "deactivated".
	Code string
	// LinkUserID is the signed-in person when they were connecting the
	// provider to their account, else 0.
	LinkUserID uint
}

// IdentityChange is a provider connected to (from the profile) or
// disconnected from an account.
type IdentityChange struct {
	UserID   uint
	Identity Identity
	// Removed is true for a disconnection.
	Removed bool
}

// IdentityChangeFunc runs inside tx, the transaction of an IdentityChange;
// an error rolls the change back.
type IdentityChangeFunc func(ctx context.Context, tx *gorm.DB, ch IdentityChange) error

// ProviderInfo describes a configured provider for the app's pages.
type ProviderInfo struct {
	// Name is the provider's route name, for example "openid-connect".
	Name string
	// DisplayName is what buttons say, for example "Company SSO".
	DisplayName string
	// Available is false while the provider cannot be reached (its OpenID
	// Connect discovery has not succeeded yet). The sign-in page says so
	// instead of offering a button that would fail.
	Available bool
	// BackChannelLogout is true when the provider may post logout tokens
	// to BackChannelLogoutURL: an OpenID Connect provider, with the route
	// registered (Config.ServerRoutes and OnProviderLogout).
	BackChannelLogout bool
	// EndSession is true when RP-initiated logout is on for the provider
	// (OIDC.EndSession); EndSessionEndpoint is its end_session_endpoint,
	// empty when discovery found none (or has not run yet).
	EndSession         bool
	EndSessionEndpoint string
}

// Service is the started SSO package. Its methods serve the app's sign-in
// and profile pages.
type Service struct {
	db           *gorm.DB
	log          *slog.Logger
	app          App
	urls         URLs
	pages        Pages
	onFirstLogin FirstLoginFunc
	onReturning  RefreshFunc
	onIdentity   IdentityChangeFunc
	onRefused    func(context.Context, SignInRefusal)
	provisioned  ProvisionedFunc
	allowed      []string
	providers    map[string]*provider
	order        []*provider
	flows        *flowStore
	// samlBinding binds SAML sign-ins in progress to their browser
	// (saml_requests.go).
	samlBinding  samlBinding
	now          func() time.Time
	onLogout     ProviderLogoutFunc
	serverRoutes bool
}

// Start is the SSO startup routine, the counterpart of the Mendix tutorial's
// StartAppCloudServices. It builds the configured providers (trying OpenID
// Connect discovery once, with a timeout) and registers GET /auth/:provider
// and GET /auth/:provider/callback on r. Before Start those URLs do not
// exist.
//
// A provider that is configured wrongly stops start-up with an error naming
// it. An OpenID Connect provider that merely does not answer does not: the
// app starts (password sign-in works), its button says it is unreachable,
// and discovery is tried again with backoff until it answers.
func Start(ctx context.Context, r Router, cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("sso: Config.DB is required")
	case cfg.App == nil:
		return nil, errors.New("sso: Config.App is required")
	case cfg.OnFirstLogin == nil:
		return nil, errors.New("sso: Config.OnFirstLogin is required (see ExampleOnFirstLogin)")
	case cfg.Secret == "":
		return nil, errors.New("sso: Config.Secret is required")
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sso: BaseURL must be an absolute http(s) URL, not %q", cfg.BaseURL)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	flows, err := newFlowStore(cfg.Secret, cfg.SecureCookies)
	if err != nil {
		return nil, err
	}
	s := &Service{
		db:           cfg.DB,
		log:          log.With("component", "sso"),
		app:          cfg.App,
		urls:         cfg.URLs.withDefaults(),
		pages:        cfg.Pages,
		onFirstLogin: cfg.OnFirstLogin,
		onReturning:  cfg.OnReturningLogin,
		onIdentity:   cfg.OnIdentityChange,
		onRefused:    cfg.OnSignInRefused,
		provisioned:  cfg.OnProvisionedLogin,
		providers:    map[string]*provider{},
		flows:        flows,
		samlBinding:  samlBinding{secure: cfg.SecureCookies},
		now:          time.Now,
		onLogout:     cfg.OnProviderLogout,
	}
	for _, d := range cfg.AllowedDomains {
		if d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")); d != "" {
			s.allowed = append(s.allowed, d)
		}
	}
	b := builder{baseURL: strings.TrimRight(cfg.BaseURL, "/"), timeout: cmp.Or(cfg.Timeout, DefaultDiscoveryTimeout),
		retry: cmp.Or(cfg.DiscoveryRetry, DefaultDiscoveryRetry), now: time.Now}
	for _, spec := range cfg.Providers {
		p, err := spec.build(ctx, b)
		if err != nil {
			return nil, err
		}
		p.claims = cfg.Claims.withDefaults()
		if !validRouteName(p.name) {
			return nil, fmt.Errorf("sso: provider name %q must be lower-case letters, digits and dashes", p.name)
		}
		if _, dup := s.providers[p.name]; dup {
			return nil, fmt.Errorf("sso: provider %q is configured twice", p.name)
		}
		if p.goth != nil {
			if p.origin, err = probeOrigin(p.name, p.goth); err != nil {
				return nil, err
			}
		}
		if p.disc != nil && !p.available() {
			s.log.Warn("identity provider unreachable at start-up; starting without it and trying again in the background",
				"provider", p.name, "issuer", p.disc.issuer, "err", p.disc.lastError())
		}
		s.providers[p.name] = p
		s.order = append(s.order, p)
	}

	r.GET(BeginPattern, s.begin)
	r.GET(CallbackPattern, s.callback)
	if cfg.ServerRoutes != nil && cfg.OnProviderLogout != nil {
		cfg.ServerRoutes.POST(BackChannelLogoutPattern, s.backChannelLogout)
		s.serverRoutes = true
	}
	if err := s.registerSAML(r, cfg.CrossSitePosts); err != nil {
		return nil, err
	}

	names := make([]string, len(s.order))
	for i, p := range s.order {
		names[i] = p.name
	}
	s.log.Info("single sign-on started", "providers", names, "allowed_domains", s.allowed)
	return s, nil
}

// ctxSignInProfile is the echo context key of the profile of the SSO
// sign-in being completed.
const ctxSignInProfile = "sso.profile"

// SignInProfile returns what the identity provider said about the person
// whose SSO sign-in is being completed, inside App.SignIn; ok is false for
// any other sign-in. Check EmailVerified before granting anything on the
// strength of the e-mail address (BOOTSTRAP_ADMINS).
func SignInProfile(c echo.Context) (p Profile, ok bool) {
	p, ok = c.Get(ctxSignInProfile).(Profile)
	return p, ok
}

// Providers lists the configured providers in button order.
func (s *Service) Providers() []ProviderInfo {
	out := make([]ProviderInfo, len(s.order))
	for i, p := range s.order {
		out[i] = ProviderInfo{Name: p.name, DisplayName: p.display, Available: p.available(),
			BackChannelLogout: p.disc != nil && s.onLogout != nil && s.serverRoutes, EndSession: p.endSession}
		if p.disc != nil {
			if ep := p.disc.current(); ep != nil {
				out[i].EndSessionEndpoint = ep.endSession
			}
		}
	}
	return out
}

// Has reports whether a provider with this route name is configured.
func (s *Service) Has(name string) bool {
	_, ok := s.providers[name]
	return ok
}

// DisplayName is the name people read for a provider's route name. It also
// knows the usual providers that are no longer configured, for identities
// linked in the past, and works on a nil Service (SSO not started).
func (s *Service) DisplayName(name string) string {
	if s == nil {
		return defaultDisplayName(name)
	}
	if p, ok := s.providers[name]; ok {
		return p.display
	}
	return defaultDisplayName(name)
}

// LoginURL is the URL that starts a sign-in with the provider and comes back
// to next, a local path, afterwards.
func (s *Service) LoginURL(name, next string) string {
	return LoginURL(name, next)
}

// LoginURL is the URL that starts a sign-in with the provider and returns to
// next (a local path; "" or "/" for the dashboard) afterwards.
func LoginURL(name, next string) string {
	u := "/auth/" + url.PathEscape(name)
	if next != "" && next != "/" {
		u += "?next=" + url.QueryEscape(next)
	}
	return u
}

// FormActionOrigins are the origins of the providers' authorization
// endpoints, and of their end_session_endpoints where RP-initiated logout
// is on. A page whose form leads to a provider through a redirect (the
// profile's "Connect" form, the sign-out form) must allow them in its
// Content-Security-Policy form-action, because browsers check form-action
// along the whole redirect chain.
func (s *Service) FormActionOrigins() []string {
	seen := map[string]bool{}
	var out []string
	add := func(o string) {
		if o != "" && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	for _, p := range s.order {
		add(p.authOrigin())
		if p.disc != nil && p.endSession {
			if ep := p.disc.current(); ep != nil {
				if u, err := url.Parse(ep.endSession); err == nil && u.Host != "" {
					add(u.Scheme + "://" + u.Host)
				}
			}
		}
	}
	return out
}

func validRouteName(name string) bool {
	if name == "" || len(name) > 50 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// defaultDisplayName names the usual providers by their route name.
func defaultDisplayName(name string) string {
	switch name {
	case "openid-connect":
		return "Company SSO"
	case "github":
		return "GitHub"
	case "google":
		return "Google"
	case "microsoft":
		return "Microsoft"
	}
	return name
}

// signInURL is the app's sign-in page that returns to next afterwards.
func (s *Service) signInURL(next string) string {
	if next == "" || next == s.urls.Home {
		return s.urls.SignIn
	}
	return s.urls.SignIn + "?next=" + url.QueryEscape(next)
}

// safeNext returns next when it is a path on this site, and the home page
// otherwise. It refuses absolute URLs, scheme-relative "//host" and
// "/\host" forms (browsers treat a backslash as a slash), and anything with
// control characters, so a return target can never send someone off-site.
func (s *Service) safeNext(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' {
		return s.urls.Home
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return s.urls.Home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return s.urls.Home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return s.urls.Home
	}
	return next
}
