package web

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	errorviews "github.com/company-expenses/company-expenses/views/errors"
	startviews "github.com/company-expenses/company-expenses/views/start"
)

// Application is the module.Host of the modules' pages: they render through
// the same master layout, flashes and 403 page as the template's.
var _ module.Host = (*Application)(nil)

// plugModules builds the modules' pages on a, before routes lists them.
func (a *Application) plugModules(mods []module.Module) {
	a.bodyLimits = map[string]echo.MiddlewareFunc{}
	for _, m := range mods {
		if m.Pages == nil {
			continue
		}
		p := m.Pages(a)
		a.modules = append(a.modules, p)
		for pattern, limit := range p.BodyLimits {
			a.bodyLimits[pattern] = echomw.BodyLimit(limit)
		}
	}
}

// homeHandler is the first module's home page (the demo's dashboards), or
// the template's plain one.
func (a *Application) homeHandler() echo.HandlerFunc {
	for _, p := range a.modules {
		if p.Home != nil {
			return p.Home
		}
	}
	return a.home
}

// home is the template's plain home page.
func (a *Application) home(c echo.Context) error {
	n, err := needingManager(c, a.people)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, startviews.Page(a.page(c, "Home"), n))
}

// needingManager counts, for an administrator's home page, the SSO people
// who have no manager yet; 0 for everyone else, who cannot fix it. (The
// expenses demo's dashboard counts them the same way.)
func needingManager(c echo.Context, ps *people.Service) (int, error) {
	if !policy.Can(viewer(c), policy.ManageUsers) {
		return 0, nil
	}
	n, err := ps.CountNeedingManager(c.Request().Context())
	return int(n), err
}

// Render writes comp as the response (module.Host).
func (a *Application) Render(c echo.Context, status int, comp templ.Component) error {
	return a.render(c, status, comp)
}

// Page builds the master layout's view model (module.Host).
func (a *Application) Page(c echo.Context, title string) layouts.Page { return a.page(c, title) }

// Flash shows msg on the next page (module.Host).
func (a *Application) Flash(c echo.Context, kind layouts.FlashKind, msg string) {
	a.flash(c, kind, msg)
}

// Forbidden answers 403 with reason (module.Host).
func (a *Application) Forbidden(c echo.Context, reason string) error { return a.forbidden(c, reason) }

// Viewer is the signed-in person (module.Host).
func (a *Application) Viewer(c echo.Context) *models.Employee { return viewer(c) }

// People is the people service (module.Host).
func (a *Application) People() *people.Service { return a.people }

// require lets through only the people the policy allows to perform
// action, and tells everyone else why not.
func (a *Application) require(action policy.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if d := policy.Decide(viewer(c), action); !d.Allowed {
				return a.forbidden(c, d.Reason)
			}
			return next(c)
		}
	}
}

// forbidden answers 403 with the policy's reason, inside the master layout.
func (a *Application) forbidden(c echo.Context, reason string) error {
	if reason == "" {
		reason = "You do not have permission to do this."
	}
	return a.render(c, http.StatusForbidden, errorviews.Page(a.page(c, "Not allowed"), http.StatusForbidden, "Not allowed", reason))
}

// BaseURL is the app's public URL, for links in mail (module.Host).
func (a *Application) BaseURL() string { return a.cfg.BaseURL }

// AppName is the app's name (module.Host).
func (a *Application) AppName() string { return a.cfg.AppName }
