// Package web is the HTTP side of Company Expenses: the routes, the
// handlers, and the glue between requests, sessions and pages.
//
// Handlers are methods on Application, so everything a handler may touch is
// visible in one struct. They stay thin: they read the request, call a
// service (app/people, …); a module's pages (app/module) are the same
// in their own package and render a page from views/.
package web

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/scim"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/app/twofactor"
	authviews "github.com/company-expenses/company-expenses/views/auth"
)

// Deps are the application's dependencies, built in app.New.
type Deps struct {
	Config   config.Config
	DB       *gorm.DB
	Log      *slog.Logger
	Sessions *auth.Sessions
	Throttle *auth.Throttle
	// Hasher bounds the password hashes running at once; every password
	// prompt shares it.
	// Nil means one of the application's own, with the defaults.
	Hasher *auth.Hasher
	People *people.Service
	// Accounts runs password resets and invitations.
	Accounts *accountlink.Service
	// Modules are the domains plugged into the template (app/module); their
	// pages are built on this application.
	Modules []module.Module
	// DemoPassword is shown on the sign-in page in development.
	DemoPassword string
	// DemoAccounts are listed on the sign-in page in development: the
	// seeded company's (seed.Roster.SignIn).
	DemoAccounts []authviews.DemoAccount
	// SCIM is the SCIM provisioning service, mounted at /scim/v2; nil
	// serves no SCIM.
	SCIM *scim.Service
}

// Application holds the dependencies every handler may use.
type Application struct {
	cfg      config.Config
	db       *gorm.DB
	log      *slog.Logger
	sessions *auth.Sessions
	throttle *auth.Throttle
	hasher   *auth.Hasher
	devices  *auth.DeviceCookies
	// csrfGuard issues and checks CSRF tokens (see newCSRFGuard).
	csrfGuard *middleware.CSRF
	people    *people.Service
	accounts  *accountlink.Service
	demoPass  string
	// twoFactor keeps local accounts' authenticator apps, and pending
	// signs the cookie between the password and the code (two_factor.go).
	twoFactor *twofactor.Service
	pending   *twofactor.Pending
	// demoAccounts are listed on the sign-in page in development.
	demoAccounts []authviews.DemoAccount
	// scim is the SCIM service (app/web/admin_scim.go shows its tokens).
	scim *scim.Service

	// modules are the plugged-in modules' pages, and bodyLimits the body
	// limits they give their routes, by route pattern.
	modules    []module.Pages
	bodyLimits map[string]echo.MiddlewareFunc

	// sso is the started SSO package, nil until app/app.go hands it over
	// with UseSSO (and for good when SSO is not started).
	sso *sso.Service

	// renderBuffers are the pooled buffers pages are rendered into
	// (render.go).
	renderBuffers renderBuffers

	echo *echo.Echo
	// pages is the group of HTML pages, where the SSO startup routine adds
	// its routes (PageRoutes).
	pages *echo.Group
}

// New builds the application and its routes.
func New(d Deps) *Application {
	a := &Application{
		cfg:          d.Config,
		db:           d.DB,
		log:          d.Log,
		sessions:     d.Sessions,
		throttle:     d.Throttle,
		hasher:       d.Hasher,
		devices:      auth.NewDeviceCookies(d.Config.SessionSecret),
		people:       d.People,
		demoPass:     d.DemoPassword,
		demoAccounts: d.DemoAccounts,
		accounts:     d.Accounts,
		// Built here from the database and the session secret, like
		// the device cookies: nothing else needs them.
		twoFactor: twofactor.NewService(d.DB, d.Config.AppName),
		pending:   twofactor.NewPending(d.Config.SessionSecret),
		scim:      d.SCIM,
	}
	if a.hasher == nil {
		a.hasher = auth.NewHasher(auth.DefaultHashSlots(), auth.DefaultHashWait)
	}
	a.csrfGuard = a.newCSRFGuard()
	a.plugModules(d.Modules)
	a.echo = a.routes()
	return a
}

// Echo returns the router, for the startup routines that add routes (the SSO
// package) and for tests.
func (a *Application) Echo() *echo.Echo { return a.echo }
