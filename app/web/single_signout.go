package web

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/sso"
)

// Single sign-out, the app's side (the protocol is in app/sso/logout.go):
// signing out of an SSO session can end the provider's session too
// (RP-initiated logout, SSO_OIDC_END_SESSION), and the provider can end the
// app's sessions (back-channel logout, EndProviderSessions).

// providerSignOutURL is where signing out of the current session sends the
// browser to end the provider's session as well, or "" when it stays with
// the app's signed-out page: a password session, the setting off, or a
// provider without an end_session_endpoint. Call it before the session
// ends: it reads the session's ID token.
func (a *Application) providerSignOutURL(c echo.Context) string {
	s := currentSession(c)
	if s == nil || a.sso == nil {
		return ""
	}
	provider, ok := strings.CutPrefix(s.AuthMethod, "sso:")
	if !ok {
		return ""
	}
	ck, err := c.Cookie(a.sessionCookie())
	if err != nil {
		return ""
	}
	fed, err := a.sessions.Federation(c.Request().Context(), ck.Value)
	if err != nil {
		// Signing out must work even so: the app's session still ends.
		a.log.WarnContext(c.Request().Context(), "read the session's ID token for single sign-out", "err", err)
		return ""
	}
	u, _ := a.sso.EndSessionURL(provider, fed.IDToken, a.cfg.BaseURL+paths.SignedOut)
	return u
}

// signOutLeadsToProvider reports whether the sign-out form on this page may
// lead on to an identity provider, whose origin the page's CSP form-action
// must then allow.
func (a *Application) signOutLeadsToProvider(c echo.Context) bool {
	s := currentSession(c)
	return s != nil && a.sso != nil && strings.HasPrefix(s.AuthMethod, "sso:") && s.ProviderIssuer != ""
}

// EndProviderSessions ends the sessions a verified back-channel logout
// names (sso.Config.OnProviderLogout, wired in app/app.go). Sessions live
// in the database, so this ends them for every instance at once.
func (a *Application) EndProviderSessions(ctx context.Context, l sso.ProviderLogout) (int64, error) {
	return a.sessions.EndProviderSessionsThen(ctx, l.Issuer, l.Subject, l.SessionID, func(tx *gorm.DB, users []uint) error {
		for _, u := range users {
			if err := audit.Record(ctx, tx, audit.Event{Kind: audit.BackChannelLogout, Actor: audit.Provider(l.Provider), SubjectID: u,
				Detail: backChannelDetail(l)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// backChannelDetail says which provider session a back-channel logout named.
func backChannelDetail(l sso.ProviderLogout) string {
	d := "issuer " + l.Issuer
	if l.SessionID != "" {
		d += "; sid " + l.SessionID
	}
	if l.Subject != "" {
		d += "; sub " + l.Subject
	}
	return d
}
