package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/scim"
	"github.com/company-expenses/company-expenses/layouts"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
)

// The SCIM section of the settings page: the base URL to register at the
// identity provider and the bearer tokens (app/scim).

// renderSettings renders the settings page with the SCIM section as sec
// fills it (a new token, a name to fix).
func (a *Application) renderSettings(c echo.Context, status int, sec adminviews.SCIMSection) error {
	p := a.signInSettings()
	if a.scim != nil {
		tokens, err := a.scim.Tokens(c.Request().Context())
		if err != nil {
			return err
		}
		sec.BaseURL = a.scim.BaseURL()
		sec.StaticToken = a.scim.HasStaticToken()
		sec.HardDelete = a.cfg.SCIM.HardDelete
		sec.RoleMap = a.cfg.SSO.RoleMap.String()
		for _, t := range tokens {
			row := adminviews.SCIMTokenRow{ID: t.ID, Name: t.Name, CreatedAt: stamp(t.CreatedAt), LastUsed: "Never"}
			if t.CreatedBy != nil {
				row.CreatedBy = t.CreatedBy.Email
			}
			if t.LastUsedAt != nil {
				row.LastUsed = stamp(*t.LastUsedAt)
			}
			if t.RevokedAt != nil {
				row.Revoked = stamp(*t.RevokedAt)
			}
			sec.Tokens = append(sec.Tokens, row)
		}
		p.SCIM = &sec
	}
	return a.render(c, status, adminviews.Settings(a.page(c, "Sign-in settings"), p))
}

func stamp(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// adminSCIMTokenCreate makes a bearer token and shows it once, on the page
// itself: it is never stored in clear, not even in a flash cookie.
func (a *Application) adminSCIMTokenCreate(c echo.Context) error {
	if a.scim == nil {
		return echo.ErrNotFound
	}
	name := c.FormValue("name")
	token, t, err := a.scim.CreateToken(c.Request().Context(), viewer(c).UserID, name)
	if errors.Is(err, scim.ErrTokenName) {
		return a.renderSettings(c, http.StatusUnprocessableEntity, adminviews.SCIMSection{Name: name, NameError: scim.TokenNameHelp})
	}
	if err != nil {
		return err
	}
	return a.renderSettings(c, http.StatusOK, adminviews.SCIMSection{NewToken: token, NewTokenName: t.Name})
}

// adminSCIMTokenRevoke revokes a token: the next SCIM request with it gets
// 401.
func (a *Application) adminSCIMTokenRevoke(c echo.Context) error {
	if a.scim == nil {
		return echo.ErrNotFound
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.ErrNotFound
	}
	err = a.scim.RevokeToken(c.Request().Context(), viewer(c).UserID, uint(id))
	if errors.Is(err, scim.ErrTokenNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "Token revoked: requests with it are refused from now on.")
	return c.Redirect(http.StatusSeeOther, paths.AdminSettings+"#scim")
}
