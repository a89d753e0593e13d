package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/static"
)

// routes lists every route of the application with its middleware, so the
// whole HTTP surface reads from one screen. The SSO routes are the exception
// on purpose: the SSO startup routine adds them (see app/app.go), and without
// it they answer 404, as in the seed.
func (a *Application) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	// The client address matters for login throttling. Behind a trusted
	// reverse proxy take it from X-Forwarded-For; otherwise use the
	// connection's address, which a client cannot forge.
	if a.cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}

	e.Use(
		echomw.RequestID(),
		middleware.RequestLog(a.log),
		echomw.RecoverWithConfig(echomw.RecoverConfig{DisableStackAll: true, LogErrorFunc: a.logPanic}),
		middleware.SecurityHeaders(a.cfg.IsProduction()),
		// Forms get 1 MB; the routes that take a receipt get a bit more than
		// the largest receipt. Both limits apply before anything reads the
		// body (the CSRF check parses forms).
		echomw.BodyLimitWithConfig(echomw.BodyLimitConfig{Limit: "1M", Skipper: a.isUpload}),
		echomw.BodyLimitWithConfig(echomw.BodyLimitConfig{Limit: uploadLimit, Skipper: func(c echo.Context) bool { return !a.isUpload(c) }}),
		echomw.ContextTimeout(30*time.Second),
	)

	e.GET(paths.Healthz, a.healthz)
	// Browsers ask for /favicon.ico whatever the page says; point them at ours.
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, static.URL("img/favicon.svg"))
	})
	e.GET(static.Prefix+"*", echo.WrapHandler(http.StripPrefix(static.Prefix, http.FileServerFS(static.FS()))), middleware.StaticCache)

	// Pages: CSRF-protected, never cached, with the signed-in person loaded.
	pages := e.Group("", a.csrf(), middleware.NoStore, a.loadViewer)
	a.pages = pages // the SSO startup routine adds GET /auth/... here

	pages.GET(paths.Login, a.login)
	pages.POST(paths.Login, a.loginPost)
	pages.POST(paths.Logout, a.logoutPost)
	pages.GET(paths.SignedOut, a.signedOut)

	// Everything below needs a signed-in, active person.
	app := pages.Group("", a.requireViewer)
	app.GET(paths.Home, a.home)
	app.GET(paths.Profile, a.profile)
	app.POST(paths.Password, a.passwordPost)
	// Connecting and disconnecting SSO providers (app/web/sso_profile.go).
	// They answer 404 while SSO is not started.
	app.POST(paths.ProfileConnectPattern, a.ssoConnectPost)
	app.POST(paths.ProfileDisconnectPattern, a.ssoDisconnectPost)

	admin := app.Group("", a.requireAdmin)
	admin.GET(paths.AdminUsers, a.adminUsers)
	admin.GET(paths.AdminUsersNew, a.adminUserNew)
	admin.POST(paths.AdminUsers, a.adminUserCreate)
	admin.GET(paths.AdminUserPattern, a.adminUserEdit)
	admin.POST(paths.AdminUserPattern, a.adminUserUpdate)
	app.GET(paths.AdminSettings, a.adminSettings, a.require(policy.ManageSettings))

	a.expenseRoutes(app)

	// Unknown URLs answer 404 Not Found to everyone, as the seed says the
	// SSO URLs do until the SSO startup routine registers them. Echo gives
	// every Group("", middleware…) above a catch-all "not found" route with
	// that group's middleware, and the last one (admin's) would answer 403 to
	// non-admins and send signed-out visitors to sign in. This one, with the
	// page middleware only, replaces them all.
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, a.csrf(), middleware.NoStore, a.loadViewer)
	return e
}

// isUpload reports whether the request may carry a receipt, which gets a
// larger body limit of its own.
func (a *Application) isUpload(c echo.Context) bool {
	return uploadRoutes[c.Path()]
}
