package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	profileviews "github.com/company-expenses/company-expenses/views/profile"
)

// profileSSO builds the profile's "Single sign-on" card.
func (a *Application) profileSSO(c echo.Context, v *models.Employee) profileviews.SSO {
	if a.sso == nil {
		return profileviews.SSO{}
	}
	providers := a.sso.Providers()
	ids, err := a.sso.Identities(c.Request().Context(), v.UserID)
	if err != nil {
		a.log.ErrorContext(c.Request().Context(), "list identities", "user_id", v.UserID, "err", err)
	}
	d := profileviews.SSO{
		Enabled:    len(providers) > 0 || len(ids) > 0,
		CanConnect: v.User.HasPassword(),
	}
	linked := map[string]bool{}
	for _, id := range ids {
		linked[id.Provider] = true
		l := profileviews.LinkedProvider{
			Provider:      id.Provider,
			Label:         a.sso.DisplayName(id.Provider),
			Email:         id.Email,
			DisconnectURL: paths.ProfileDisconnect(id.ID),
			CanDisconnect: sso.CanDisconnect(len(ids), v.User.HasPassword()),
		}
		if !id.LastLoginAt.IsZero() {
			l.LastUsed = id.LastLoginAt.Format("2 Jan 2006")
		}
		d.Linked = append(d.Linked, l)
	}
	for _, p := range providers {
		if !linked[p.Name] {
			d.Connect = append(d.Connect, profileviews.ConnectOption{
				Provider: p.Name, Label: p.DisplayName, URL: paths.ProfileConnect(p.Name),
			})
		}
	}
	return d
}

// ssoConnectPost starts connecting a provider to the signed-in account. It
// asks for the current password first: a first SSO sign-in never links to an
// existing account by e-mail, so this is the one way to link, and it must
// prove that the account's owner is at the keyboard. The SSO package then
// runs the usual round trip and, back at its callback, connects the identity
// if the same person is still signed in.
func (a *Application) ssoConnectPost(c echo.Context) error {
	provider := c.Param("provider")
	if a.sso == nil || !a.sso.Has(provider) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	v := viewer(c)
	refuse := func(status int, msg string) error {
		d, err := a.profileData(c)
		if err != nil {
			return err
		}
		d.SSO.ConnectError = msg
		return a.renderProfile(c, status, d)
	}
	if !v.User.HasPassword() {
		return refuse(http.StatusUnprocessableEntity, "Your account has no password to confirm with. Ask an administrator to connect another provider.")
	}
	linked, err := a.sso.Identities(ctx, v.UserID)
	if err != nil {
		return err
	}
	for _, id := range linked {
		if id.Provider == provider {
			a.flash(c, layouts.FlashInfo, a.sso.DisplayName(provider)+" is already connected to your account.")
			return c.Redirect(http.StatusSeeOther, paths.Profile)
		}
	}

	password := c.FormValue("password")
	if password == "" {
		return refuse(http.StatusUnprocessableEntity, "Enter your current password.")
	}
	_, err = a.checkPassword(c, v.User.Email, password)
	var tooMany *tooManyAttempts
	switch {
	case errors.As(err, &tooMany):
		return refuse(http.StatusTooManyRequests, tooMany.Error())
	case errors.Is(err, auth.ErrBusy):
		return a.renderBusy(c, func() error { return refuse(http.StatusServiceUnavailable, busyMessage) })
	case errors.Is(err, people.ErrBadCredentials), errors.Is(err, people.ErrNoPassword):
		return refuse(http.StatusUnprocessableEntity, "This is not your current password.")
	case err != nil:
		return err
	}
	target, err := a.sso.BeginLink(c, provider, v.UserID)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// ssoDisconnectPost removes a connected provider, but never the last way to
// sign in.
func (a *Application) ssoDisconnectPost(c echo.Context) error {
	if a.sso == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v := viewer(c)
	removed, err := a.sso.Disconnect(c.Request().Context(), v.UserID, uint(id))
	switch {
	case errors.Is(err, sso.ErrIdentityNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.Is(err, sso.ErrLastSignInMethod):
		a.flash(c, layouts.FlashError, "This provider is your only way to sign in, so it stays connected. Connect another one first, or ask an administrator.")
	case err != nil:
		return err
	default:
		a.flash(c, layouts.FlashSuccess, a.sso.DisplayName(removed.Provider)+" is disconnected. You can no longer sign in with it.")
	}
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}
