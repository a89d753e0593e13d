package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/app/scim"
	"github.com/company-expenses/company-expenses/static"
)

// RequestTimeout ends the context of every request; the server's own
// timeouts and the shutdown drain (app/app.go) are chosen from it.
const RequestTimeout = 30 * time.Second

// routes lists every route of the application with its middleware, so the
// whole HTTP surface reads from one screen. The SSO routes are the exception
// on purpose: the SSO startup routine adds them (see app/app.go), and without
// it they answer 404, as in the Mendix tutorial.
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
		a.auditClient, // the client's address for the audit log (app/web/audit.go)
		middleware.RequestLog(a.log, paths.Healthz, paths.Readyz, static.Prefix, "/favicon.ico"),
		echomw.RecoverWithConfig(echomw.RecoverConfig{DisableStackAll: true, LogErrorFunc: a.logPanic}),
		middleware.SecurityHeaders(a.cfg.IsProduction()),
		// Forms get 1 MB; the routes a module names get their own limit
		// (the expenses demo's receipts: a bit more than the largest
		// receipt). Both apply before anything reads the body (the CSRF
		// check parses forms).
		echomw.BodyLimitWithConfig(echomw.BodyLimitConfig{Limit: "1M", Skipper: a.hasOwnBodyLimit}),
		a.moduleBodyLimits,
		echomw.ContextTimeout(RequestTimeout),
		a.methodNotAllowed,
	)

	// Liveness and readiness (app/web/health.go); load balancers often
	// probe with HEAD.
	e.GET(paths.Healthz, a.healthz)
	e.HEAD(paths.Healthz, a.healthz)
	e.GET(paths.Readyz, a.readyz)
	e.HEAD(paths.Readyz, a.readyz)
	// Browsers ask for /favicon.ico whatever the page says; point them at ours.
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, static.URL("img/favicon.svg"))
	})
	e.GET(static.Prefix+"*", staticFiles(static.FS()), middleware.StaticCache)

	// SCIM provisioning (app/scim): JSON for identity providers, with a
	// bearer token instead of a session, so outside the page group and its
	// CSRF check.
	if a.scim != nil {
		a.scim.Routes(e.Group(scim.Prefix))
	}

	// Pages: never cached, with the signed-in person loaded, CSRF-protected
	// (the token is bound to the session loadViewer finds).
	pages := e.Group("", middleware.NoStore, a.loadViewer, a.csrf())
	a.pages = pages // the SSO startup routine adds GET /auth/... here

	pages.GET(paths.Login, a.login)
	pages.POST(paths.Login, a.loginPost)
	pages.POST(paths.Logout, a.logoutPost)
	pages.GET(paths.SignedOut, a.signedOut)
	pages.GET(paths.LoginCode, a.loginCode) // two-factor sign-in (app/web/two_factor.go)
	pages.POST(paths.LoginCode, a.loginCodePost)
	// Password reset and invitation links (app/web/password_reset.go).
	pages.GET(paths.ForgotPassword, a.forgotPassword)
	pages.POST(paths.ForgotPassword, a.forgotPasswordPost)
	pages.GET(paths.PasswordReset, a.passwordReset)
	pages.POST(paths.PasswordReset, a.passwordResetPost)
	pages.GET(paths.Invitation, a.invitation)
	pages.POST(paths.Invitation, a.invitationPost)

	// Everything below needs a signed-in, active person, and an
	// administrator who must use two-factor sign-in to have set it up.
	app := pages.Group("", a.requireViewer, a.requireTwoFactor)
	app.GET(paths.Home, a.homeHandler())
	app.GET(paths.Profile, a.profile)
	app.POST(paths.Password, a.passwordPost)
	// Connecting and disconnecting SSO providers (app/web/sso_profile.go).
	// They answer 404 while SSO is not started.
	app.POST(paths.ProfileConnectPattern, a.ssoConnectPost)
	app.POST(paths.ProfileDisconnectPattern, a.ssoDisconnectPost)
	// The person's sessions (app/web/sessions.go).
	app.POST(paths.ProfileSessionEndPattern, a.profileSessionEndPost)
	app.POST(paths.ProfileSessionsEndOthers, a.profileSessionsEndOthersPost)
	app.POST(paths.ProfileNotifications, a.notificationsPost)
	app.GET(paths.ProfileTwoFactor, a.twoFactorPage)
	app.POST(paths.ProfileTwoFactor, a.twoFactorConfirm)
	app.POST(paths.ProfileTwoFactorDisable, a.twoFactorDisable)
	app.POST(paths.ProfileTwoFactorRecovery, a.twoFactorRecoveryCodes)

	admin := app.Group("", a.requireAdmin)
	admin.GET(paths.AdminUsers, a.adminUsers)
	admin.GET(paths.AdminUsersNew, a.adminUserNew)
	admin.POST(paths.AdminUsers, a.adminUserCreate)
	admin.GET(paths.AdminUserPattern, a.adminUserEdit)
	admin.POST(paths.AdminUserPattern, a.adminUserUpdate)
	admin.POST(paths.AdminUserSessionEndPattern, a.adminSessionEndPost) // app/web/sessions.go
	admin.POST(paths.AdminUserSessionsEndAll, a.adminSessionsEndAllPost)
	admin.POST(paths.AdminUserInvitationPattern, a.adminUserInvitationPost) // app/web/admin_invitations.go
	admin.POST(paths.AdminUserInvitationRevokePattern, a.adminUserInvitationRevokePost)
	admin.GET(paths.AdminSignInLocks, a.adminSignInLocks)
	admin.POST(paths.AdminSignInLocksClear, a.adminSignInLocksClear)
	app.GET(paths.AdminSettings, a.adminSettings, a.require(policy.ManageSettings))
	// SCIM tokens on the settings page (app/web/admin_scim.go).
	app.POST(paths.AdminSCIMTokens, a.adminSCIMTokenCreate, a.require(policy.ManageSettings))
	app.POST(paths.AdminSCIMTokenRevokePattern, a.adminSCIMTokenRevoke, a.require(policy.ManageSettings))
	admin.GET(paths.AdminMail, a.adminMail) // app/web/admin_mail.go
	admin.POST(paths.AdminMailTest, a.adminMailTestPost)
	admin.GET(paths.AdminAudit, a.adminAudit) // app/web/admin_audit.go
	admin.GET(paths.AdminAuditCSV, a.adminAuditCSV)
	a.devMailRoutes(pages) // development only (app/web/devmail.go)

	// The modules' pages (app/module): each module lists its routes in
	// its own routes function, on this signed-in group.
	for _, p := range a.modules {
		if p.Routes != nil {
			p.Routes(app)
		}
	}

	// Unknown URLs answer 404 Not Found to everyone, as the Mendix tutorial says the
	// SSO URLs do until the SSO startup routine registers them. Echo gives
	// every Group("", middleware…) above a catch-all "not found" route with
	// that group's middleware, and the last one (admin's) would answer 403 to
	// non-admins and send signed-out visitors to sign in. This one, with the
	// page middleware only, replaces them all.
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound }, middleware.NoStore, a.loadViewer, a.csrf())
	return e
}

// hasOwnBodyLimit reports whether a module gave the request's route a body
// limit of its own (module.Pages.BodyLimits).
func (a *Application) hasOwnBodyLimit(c echo.Context) bool {
	_, ok := a.bodyLimits[c.Path()]
	return ok
}

// moduleBodyLimits applies the body limits modules gave their routes.
func (a *Application) moduleBodyLimits(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if limit, ok := a.bodyLimits[c.Path()]; ok {
			return limit(next)(c)
		}
		return next(c)
	}
}

// methodNotAllowed answers 405 Method Not Allowed, with the Allow header, to
// a request for a URL the app serves but not with that method (PUT
// /expenses, DELETE /expenses/1), and 204 with the Allow header to OPTIONS.
// Echo's router prefers the catch-all "not found" route at the end of
// routes to its own 405 answer, and that route's CSRF check would refuse
// such a request as an expired form (400) before its handler could even say
// 404. This runs after routing and before any route's own middleware. The answer is a page
// like the others, with the signed-in person loaded but no CSRF check:
// nothing is changed.
func (a *Application) methodNotAllowed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		method := c.Request().Method
		// Only the catch-all "/*" can stand for a method mismatch; every
		// other match is a real route, so skip the route walk below.
		if c.Path() != "/*" || isRoute(c.Echo(), method, c.Path()) {
			return next(c)
		}
		allow := allowedMethods(c.Echo(), c.Request())
		if len(allow) == 0 {
			return next(c) // no route at this URL: the catch-all says 404
		}
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
		if method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		refuse := func(echo.Context) error { return echo.ErrMethodNotAllowed }
		return middleware.NoStore(a.loadViewer(refuse))(c)
	}
}

// isRoute reports whether e has a route for method with the pattern path
// (as c.Path() names it), rather than only a "not found" catch-all.
func isRoute(e *echo.Echo, method, path string) bool {
	for _, r := range e.Routes() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}

// allowedMethods lists the methods e has a route for at the URL of r.
func allowedMethods(e *echo.Echo, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		c := e.NewContext(r, nil)
		e.Router().Find(m, echo.GetPath(r), c)
		if isRoute(e, m, c.Path()) {
			allow = append(allow, m)
		}
	}
	return allow
}
