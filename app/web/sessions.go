package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/useragent"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	sessionviews "github.com/company-expenses/company-expenses/views/sessions"
)

// Sessions people can see: the profile lists the signed-in person's live
// sessions, with "Sign out this one" and "Sign out everywhere else"; an
// administrator sees and ends a person's sessions on the person's page.
// Every form is a POST on the CSRF-protected pages, and every handle is
// looked up among the sessions of the person the URL is about only
// (auth.Sessions.EndByHandle), so nobody ends someone else's session by
// guessing or copying a handle.

// ownSessions is the profile's sessions card.
func (a *Application) ownSessions(c echo.Context) (sessionviews.List, error) {
	cur := currentSession(c)
	list, err := a.sessions.List(c.Request().Context(), cur.UserID, cur.TokenHash)
	if err != nil {
		return sessionviews.List{}, err
	}
	l := sessionviews.List{
		Heading: "Where you are signed in",
		Intro:   "Sign out a browser you no longer use, or one that is not yours.",
		Empty:   "You are signed in nowhere else.",
	}
	for _, s := range list {
		r := a.sessionRow(s)
		if !s.Current {
			r.EndURL, r.EndLabel = paths.ProfileSessionEnd(s.Handle), "Sign out this one"
		}
		l.Rows = append(l.Rows, r)
	}
	if len(list) > 1 {
		l.EndAllURL, l.EndAllLabel = paths.ProfileSessionsEndOthers, "Sign out everywhere else"
	}
	return l, nil
}

// personSessions is the sessions card on an administrator's page of e.
func (a *Application) personSessions(c echo.Context, e *models.Employee) (sessionviews.List, error) {
	var mine string
	if cur := currentSession(c); cur != nil && cur.UserID == e.UserID {
		mine = cur.TokenHash
	}
	list, err := a.sessions.List(c.Request().Context(), e.UserID, mine)
	if err != nil {
		return sessionviews.List{}, err
	}
	l := sessionviews.List{
		Heading: "Sessions",
		Intro:   "The browsers where " + e.DisplayName() + " is signed in. Signing one out takes effect at its next request.",
		Empty:   e.DisplayName() + " is not signed in anywhere.",
	}
	for _, s := range list {
		r := a.sessionRow(s)
		r.EndURL, r.EndLabel = paths.AdminUserSessionEnd(e.UserID, s.Handle), "Sign out this one"
		l.Rows = append(l.Rows, r)
	}
	if len(list) > 0 {
		l.EndAllURL, l.EndAllLabel = paths.AdminUserSessionsEnd(e.UserID), "Sign out of every session"
	}
	return l, nil
}

func (a *Application) sessionRow(s auth.ActiveSession) sessionviews.Row {
	method := "Password"
	if provider, ok := strings.CutPrefix(s.AuthMethod, "sso:"); ok {
		method = "SSO · " + a.sso.DisplayName(provider)
	}
	ip := s.IP
	if ip == "" {
		ip = "unknown"
	}
	return sessionviews.Row{
		Device: useragent.Describe(s.UserAgent), IP: ip, Method: method,
		Started: sessionTime(s.CreatedAt), LastSeen: sessionTime(s.LastSeenAt), Current: s.Current,
	}
}

func sessionTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 MST") }

// profileSessionEndPost signs out one of the signed-in person's other
// sessions.
func (a *Application) profileSessionEndPost(c echo.Context) error {
	v := viewer(c)
	err := a.sessions.EndByHandle(c.Request().Context(), v.UserID, c.Param("handle"))
	switch {
	case errors.Is(err, auth.ErrUnknownSession):
		a.flash(c, layouts.FlashInfo, "That session had already ended.")
	case err != nil:
		return err
	default:
		if err := a.recordSessionsEnded(c, v.UserID, "one of their own sessions"); err != nil {
			return err
		}
		a.flash(c, layouts.FlashSuccess, "That browser is signed out.")
	}
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}

// profileSessionsEndOthersPost signs out every session of the signed-in
// person but this one.
func (a *Application) profileSessionsEndOthersPost(c echo.Context) error {
	token, _ := c.Get(ctxToken).(string)
	if err := a.sessions.DeleteOthers(c.Request().Context(), viewer(c).UserID, token); err != nil {
		return err
	}
	if err := a.recordSessionsEnded(c, viewer(c).UserID, "every other session (sign out everywhere else)"); err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "You are signed out everywhere else.")
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}

// adminSessionEndPost ends one session of a person.
func (a *Application) adminSessionEndPost(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	err = a.sessions.EndByHandle(ctx, e.UserID, c.Param("handle"))
	switch {
	case errors.Is(err, auth.ErrUnknownSession):
		a.flash(c, layouts.FlashInfo, "That session had already ended.")
	case err != nil:
		return err
	default:
		a.log.InfoContext(ctx, "administrator ended a session", "by_user_id", viewer(c).UserID, "user_id", e.UserID)
		if err := a.recordSessionsEnded(c, e.UserID, "one session, by an administrator"); err != nil {
			return err
		}
		a.flash(c, layouts.FlashSuccess, "One session of "+e.DisplayName()+" is signed out.")
	}
	return c.Redirect(http.StatusSeeOther, paths.AdminUser(e.UserID))
}

// adminSessionsEndAllPost ends every session of a person (their own
// current one too, when administrators pick themselves).
func (a *Application) adminSessionsEndAllPost(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := a.sessions.DeleteForUser(ctx, e.UserID); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "administrator ended every session of a person", "by_user_id", viewer(c).UserID, "user_id", e.UserID)
	if err := a.recordSessionsEnded(c, e.UserID, "every session, by an administrator"); err != nil {
		return err
	}
	if e.UserID == viewer(c).UserID {
		return c.Redirect(http.StatusSeeOther, paths.Login)
	}
	a.flash(c, layouts.FlashSuccess, e.DisplayName()+" is signed out everywhere.")
	return c.Redirect(http.StatusSeeOther, paths.AdminUser(e.UserID))
}

// recordSessionsEnded puts sessions ended from a sessions list into the
// audit log: by the signed-in person, about the sessions' owner. The
// sessions are gone in a write of their own (auth.Sessions), so this is one
// more write, after it.
func (a *Application) recordSessionsEnded(c echo.Context, owner uint, detail string) error {
	return a.record(c, audit.Event{Kind: audit.SessionsEnded, Actor: audit.ByUser(viewer(c).UserID), SubjectID: owner, Detail: detail})
}
