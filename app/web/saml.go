package web

import (
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/sso"
)

// CrossSitePosts is where the SSO startup routine registers SAML's assertion
// consumer service, POST /auth/saml/acs: on the root router, with the page
// middleware (no caching, the signed-in person loaded) but without the CSRF
// check, route by route. The identity provider's page posts there cross-site
// and cannot carry our token; the SSO module binds the post to the browser
// that started the sign-in instead (the server-side request RelayState names,
// the browser's binding cookie and InResponseTo, see
// app/sso/saml_requests.go). Every other POST keeps its CSRF check: this
// router registers single routes, not a group, so it adds no catch-all that
// would shadow the page group's.
func (a *Application) CrossSitePosts() sso.PostRouter { return crossSitePosts{a} }

type crossSitePosts struct{ a *Application }

func (p crossSitePosts) POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return p.a.echo.POST(path, h, append([]echo.MiddlewareFunc{middleware.NoStore, p.a.loadViewer}, m...)...)
}
