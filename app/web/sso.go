package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/app/sso/ssopages"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// This file is the web side of single sign-on: what the SSO package needs
// from the app (it implements sso.App), and the mount of the development
// identity provider.

var _ sso.App = (*Application)(nil)

// UseSSO hands the started SSO package to the web app, for the sign-in
// buttons, the provider names in the navigation widget and the profile's
// connected providers. app/app.go calls it right after sso.Start.
func (a *Application) UseSSO(s *sso.Service) { a.sso = s }

// PageRoutes is the group of HTML pages (CSRF token, no caching, signed-in
// person loaded), where the SSO startup routine registers its routes.
func (a *Application) PageRoutes() *echo.Group { return a.pages }

// CurrentUserID returns the signed-in person's user id.
func (a *Application) CurrentUserID(c echo.Context) (uint, bool) {
	if v := viewer(c); v != nil {
		return v.UserID, true
	}
	return 0, false
}

// Notify shows a one-time message on the next page.
func (a *Application) Notify(c echo.Context, kind sso.NoticeKind, message string) {
	a.flash(c, layouts.FlashKind(kind), message)
}

// AccountByEmail finds the account with this login e-mail, for the SSO
// module's rule that a first sign-in never takes over an existing account.
func (a *Application) AccountByEmail(ctx context.Context, tx *gorm.DB, email string) (sso.Account, bool, error) {
	var u models.User
	err := tx.WithContext(ctx).Where("email = ?", models.NormalizeEmail(email)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sso.Account{}, false, nil
	}
	if err != nil {
		return sso.Account{}, false, err
	}
	return ssoAccount(u), true, nil
}

// Account returns the account with this id to the SSO module.
func (a *Application) Account(ctx context.Context, tx *gorm.DB, userID uint) (sso.Account, error) {
	var u models.User
	if err := tx.WithContext(ctx).Take(&u, userID).Error; err != nil {
		return sso.Account{}, err
	}
	return ssoAccount(u), nil
}

func ssoAccount(u models.User) sso.Account {
	return sso.Account{ID: u.ID, Active: u.Active, HasPassword: u.HasPassword()}
}

// SSOPages renders the SSO module's pages inside this app's layouts
// (sso.Config.Pages): a signed-out visitor sees the problem in the sign-in
// layout, someone signed in (connecting a provider from the profile) inside
// the master layout with the navigation widget.
func (a *Application) SSOPages() sso.Pages { return ssoPages{a} }

type ssoPages struct{ a *Application }

func (p ssoPages) Problem(c echo.Context, d ssopages.Problem) templ.Component {
	page := p.a.page(c, d.Title)
	if page.Viewer != nil {
		return withChildren(layouts.Master(page), ssopages.ProblemSection("error-page", d))
	}
	return withChildren(layouts.SignIn(page), ssopages.ProblemSection("signin-card", d))
}

// withChildren renders layout around body, as { children... } in templ.
func withChildren(layout, body templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layout.Render(templ.WithChildren(ctx, body), w)
	})
}

// MountDevIdP serves the development identity provider's handler on every
// path under base (its BasePath, "/dev-idp"), without stripping the prefix.
//
// The picker's POST is a browser form, so it gets the app's CSRF protection,
// and the picker page gets the token (see RequestCSRFToken). The app's
// session is not loaded here (the provider is not the app), so the token is
// bound to the browser's pre-session id, the same for the picker page and
// its POST. The token and userinfo endpoints are called server to server
// with no cookie and no token, so CSRF protection skips exactly those two.
func (a *Application) MountDevIdP(base string, h http.Handler) {
	base = strings.TrimSuffix(base, "/")
	csrf := a.csrf()
	serverToServer := map[string]bool{base + "/token": true, base + "/userinfo": true}
	protect := func(next echo.HandlerFunc) echo.HandlerFunc {
		protected := csrf(exposeCSRF(next))
		return func(c echo.Context) error {
			if serverToServer[c.Request().URL.Path] {
				return next(c)
			}
			return protected(c)
		}
	}
	a.echo.Any(base+"/*", echo.WrapHandler(h), protect, middleware.NoStore)
}

type csrfContextKey struct{}

// exposeCSRF copies the CSRF token from echo's context into the request's,
// where a plain http.Handler (the development identity provider) finds it.
func exposeCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), csrfContextKey{}, csrfToken(c))))
		return next(c)
	}
}

// RequestCSRFToken returns the app's CSRF token for a request served through
// MountDevIdP; the development identity provider puts it in its forms.
func RequestCSRFToken(r *http.Request) string {
	s, _ := r.Context().Value(csrfContextKey{}).(string)
	return s
}

// allowSSOFormActions widens the page's Content-Security-Policy form-action
// to the identity providers. The profile's "Connect" form posts here and is
// redirected on to the provider, and browsers check form-action along the
// whole redirect chain.
func (a *Application) allowSSOFormActions(c echo.Context) {
	if a.sso == nil {
		return
	}
	origins := a.sso.FormActionOrigins()
	if len(origins) == 0 {
		return
	}
	csp := strings.Replace(middleware.ContentSecurityPolicy, "form-action 'self'",
		"form-action 'self' "+strings.Join(origins, " "), 1)
	c.Response().Header().Set("Content-Security-Policy", csp)
}
