package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// Context keys for what loadViewer finds.
const (
	ctxViewer  = "viewer"
	ctxSession = "session"
	ctxToken   = "session_token"
)

// sessionCookie names the session cookie. In production the __Host- prefix
// makes browsers insist on Secure, Path=/ and no Domain, so a sibling
// subdomain cannot plant or read it.
func (a *Application) sessionCookie() string {
	if a.cfg.IsProduction() {
		return "__Host-session"
	}
	return "session"
}

// newCSRFGuard builds the app's CSRF protection (app/middleware/csrf.go):
// tokens bound to the signed-in session, or for signed-out visitors to a
// pre-session id in a __Host- cookie of its own (production). New builds
// it once; its key is derived from the session secret.
func (a *Application) newCSRFGuard() *middleware.CSRF {
	return middleware.NewCSRF(middleware.CSRFConfig{
		Secret: a.cfg.SessionSecret,
		Secure: a.cfg.IsProduction(),
		Session: func(c echo.Context) string {
			if s := currentSession(c); s != nil {
				return s.TokenHash
			}
			return ""
		},
	})
}

// csrf protects every unsafe request. It runs after loadViewer, which
// finds the session the token is bound to.
func (a *Application) csrf() echo.MiddlewareFunc { return a.csrfGuard.Middleware }

func csrfToken(c echo.Context) string { return middleware.CSRFToken(c) }

// loadViewer finds the signed-in person from the session cookie. A missing,
// tampered, expired or revoked cookie simply means "signed out"; a
// deactivated person's session is ended on the spot.
func (a *Application) loadViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(a.sessionCookie())
		if err != nil || ck.Value == "" {
			return next(c)
		}
		ctx := c.Request().Context()
		s, e, err := a.sessionAndViewer(ctx, ck.Value)
		if errors.Is(err, auth.ErrNoSession) {
			a.clearSessionCookie(c)
			return next(c)
		}
		if err != nil && !errors.Is(err, people.ErrNotFound) {
			return err
		}
		if err != nil || !e.User.Active {
			_ = a.sessions.Delete(ctx, ck.Value)
			a.clearSessionCookie(c)
			return next(c)
		}
		c.Set(ctxViewer, e)
		c.Set(ctxSession, s)
		c.Set(ctxToken, ck.Value)
		return next(c)
	}
}

// sessionAndViewer returns the live session for the cookie's token and its
// person, read in one query (people.SessionViewer), with the expiry rules
// of auth.Sessions applied. It returns auth.ErrNoSession when the token
// names no live session, and people.ErrNotFound (with the session) when
// the session's person is gone.
func (a *Application) sessionAndViewer(ctx context.Context, token string) (*models.Session, *models.Employee, error) {
	row, e, found, err := a.people.SessionViewer(ctx, auth.HashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if !found {
		// No session, or one whose person is gone: Lookup tells which
		// (and deletes it when it expired).
		s, err := a.sessions.Lookup(ctx, token)
		if err != nil {
			return nil, nil, err
		}
		return s, nil, people.ErrNotFound
	}
	s, err := a.sessions.Live(ctx, row)
	if err != nil {
		return nil, nil, err
	}
	return s, e, nil
}

// requireViewer sends signed-out visitors to the sign-in page, remembering
// where they were going so a deep link survives signing in.
func (a *Application) requireViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if viewer(c) != nil {
			return next(c)
		}
		target := paths.Login
		if c.Request().Method == http.MethodGet {
			target = paths.LoginNext(paths.SafeNext(c.Request().URL.RequestURI()))
		}
		if middleware.IsHTMX(c) {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// viewer returns the signed-in person, or nil.
func viewer(c echo.Context) *models.Employee {
	e, _ := c.Get(ctxViewer).(*models.Employee)
	return e
}

func currentSession(c echo.Context) *models.Session {
	s, _ := c.Get(ctxSession).(*models.Session)
	return s
}

// SignIn starts a new session for userID and sets its cookie. Any session the
// browser had is ended first, so the session id always rotates at sign-in.
// method is "password" or "sso:<provider>". The SSO package calls this
// through the hook wired in app/app.go.
//
// For BOOTSTRAP_ADMINS, a password sign-in counts as a verified e-mail
// address (the address is the account's login); an SSO sign-in counts only
// when the provider asserted the address (the profile the SSO package puts
// into the context for this call).
func (a *Application) SignIn(c echo.Context, userID uint, method string) error {
	verified := method == "password"
	var fed auth.Federation
	if p, ok := sso.SignInProfile(c); ok && strings.HasPrefix(method, "sso:") {
		verified = p.EmailVerified
		// Kept with the session for single sign-out (app/web/single_signout.go).
		fed = auth.Federation{Issuer: p.Issuer, Subject: p.Subject, SessionID: p.SessionID, IDToken: p.IDToken}
	}
	return a.signIn(c, userID, method, verified, fed)
}

// SignInVerified is SignIn for a sign-in that knows whether the person's
// e-mail address is verified (an SSO identity's email_verified claim).
// BOOTSTRAP_ADMINS makes only verified addresses administrators: anyone may
// type any address into an identity provider that does not check it.
func (a *Application) SignInVerified(c echo.Context, userID uint, method string, emailVerified bool) error {
	return a.signIn(c, userID, method, emailVerified, auth.Federation{})
}

func (a *Application) signIn(c echo.Context, userID uint, method string, emailVerified bool, fed auth.Federation) error {
	ctx := c.Request().Context()
	if ck, err := c.Cookie(a.sessionCookie()); err == nil && ck.Value != "" {
		_ = a.sessions.Delete(ctx, ck.Value)
	}
	token, err := a.sessions.CreateFederated(ctx, userID, method, c.Request().UserAgent(), c.RealIP(), fed)
	if err != nil {
		return err
	}
	// BOOTSTRAP_ADMINS: while the app has no active administrator, a
	// listed person becomes one at sign-in (how a fresh deployment gets its
	// first one); afterwards administrators manage the role themselves.
	if granted, err := a.people.GrantBootstrapAdmin(ctx, userID, a.cfg.BootstrapAdmins, emailVerified); err != nil {
		return err
	} else if granted {
		a.log.WarnContext(ctx, "granted the admin role from BOOTSTRAP_ADMINS", "user_id", userID)
	}
	if err := a.people.RecordLogin(ctx, userID); err != nil {
		return err
	}
	if err := a.record(c, audit.Event{Kind: audit.SignInSucceeded, Actor: audit.ByUser(userID), SubjectID: userID, Detail: method}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name:     a.sessionCookie(),
		Value:    token,
		Path:     "/",
		MaxAge:   int(a.sessions.MaxAge().Seconds()),
		HttpOnly: true,
		Secure:   a.cfg.IsProduction(),
		SameSite: http.SameSiteLaxMode,
	})
	if a.justSignedOut(c) {
		a.setSignedOut(c, false)
	}
	// Tokens from before sign-in (the sign-in form's) are bound to the
	// pre-session id; drop it. The new session binds new tokens.
	a.csrfGuard.Rotate(c)
	return nil
}

// signOut ends the current session and clears its cookie.
func (a *Application) signOut(ctx context.Context, c echo.Context) error {
	if ck, err := c.Cookie(a.sessionCookie()); err == nil && ck.Value != "" {
		if err := a.sessions.Delete(ctx, ck.Value); err != nil {
			return err
		}
	}
	a.clearSessionCookie(c)
	a.csrfGuard.Rotate(c)
	return nil
}

func (a *Application) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: a.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.IsProduction(), SameSite: http.SameSiteLaxMode,
	})
}
