package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
	authviews "github.com/company-expenses/company-expenses/views/auth"
	"github.com/company-expenses/company-expenses/views/ui"
)

// demoAccounts are listed on the sign-in page in development; app/seed
// creates them.
var demoAccounts = []authviews.DemoAccount{
	{Email: "employee@example.com", Role: "employee"},
	{Email: "manager@example.com", Role: "manager of the employee"},
	{Email: "finance@example.com", Role: "finance"},
	{Email: "admin@example.com", Role: "administrator"},
}

func (a *Application) login(c echo.Context) error {
	next := paths.SafeNext(c.QueryParam("next"))
	if viewer(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	// SSO only, with a single provider: there is nothing to choose, so go
	// straight to it, keeping next. Not just after signing out, though: the
	// provider would sign the person straight back in, say when they press
	// Back to a page that needs them signed in.
	if a.justSignedOut(c) {
		return a.renderLogin(c, http.StatusOK, authviews.LoginForm{Next: next})
	}
	if a.cfg.LoginMode == config.LoginSSO && a.sso != nil {
		if ps := a.sso.Providers(); len(ps) == 1 {
			return c.Redirect(http.StatusSeeOther, a.sso.LoginURL(ps[0].Name, next))
		}
	}
	return a.renderLogin(c, http.StatusOK, authviews.LoginForm{Next: next})
}

// signedOutCookie marks a browser that signed out in the last few minutes;
// see login. Signing in clears it.
const (
	signedOutCookie = "signed_out"
	signedOutFor    = 10 * time.Minute
)

func (a *Application) justSignedOut(c echo.Context) bool {
	ck, err := c.Cookie(signedOutCookie)
	return err == nil && ck.Value == "1"
}

// setSignedOut sets (on) or clears (off) the signed-out mark.
func (a *Application) setSignedOut(c echo.Context, on bool) {
	ck := &http.Cookie{
		Name: signedOutCookie, Value: "1", Path: "/", MaxAge: int(signedOutFor.Seconds()),
		HttpOnly: true, Secure: a.cfg.IsProduction(), SameSite: http.SameSiteLaxMode,
	}
	if !on {
		ck.Value, ck.MaxAge = "", -1
	}
	c.SetCookie(ck)
}

func (a *Application) renderLogin(c echo.Context, status int, f authviews.LoginForm) error {
	if f.Next == paths.Home {
		f.Next = ""
	}
	d := authviews.LoginData{
		Form:         f,
		ShowPassword: a.cfg.LoginMode != config.LoginSSO,
		SSO:          a.ssoButtons(f.Next),
	}
	if !d.ShowPassword && len(d.SSO) == 0 {
		d.Notice = "This app signs in with single sign-on only, but no identity provider is configured. Ask your administrator."
	}
	if d.Notice == "" && c.Request().Method == http.MethodGet && a.justSignedOut(c) {
		d.Notice = "You signed out. Sign in again when you are ready."
	}
	if !a.cfg.IsProduction() && a.cfg.Seed && d.ShowPassword {
		d.Demo, d.DemoPassword = demoAccounts, a.demoPass
	}
	return a.render(c, status, authviews.Login(a.page(c, "Sign in"), d))
}

// ssoButtons lists the "Sign in with …" buttons, one per configured
// provider, each returning to next after the round trip. Until the SSO
// package is started, and in the local-only login mode, there are none.
func (a *Application) ssoButtons(next string) []authviews.SSOButton {
	if a.sso == nil || a.cfg.LoginMode == config.LoginLocal {
		return nil
	}
	var buttons []authviews.SSOButton
	for _, p := range a.sso.Providers() {
		b := authviews.SSOButton{
			Label: "Sign in with " + p.DisplayName,
			URL:   a.sso.LoginURL(p.Name, next),
		}
		if !p.Available {
			b.Unreachable = p.DisplayName + " is unreachable right now; sign in with your password."
		}
		buttons = append(buttons, b)
	}
	return buttons
}

func (a *Application) loginPost(c echo.Context) error {
	f := authviews.LoginForm{
		Email:  strings.TrimSpace(c.FormValue("email")),
		Next:   paths.SafeNext(c.FormValue("next")),
		Errors: ui.FieldErrors{},
	}
	if a.cfg.LoginMode == config.LoginSSO {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	password := c.FormValue("password")
	if msg := checkLoginEmail(f.Email); msg != "" {
		f.Errors["email"] = msg
	}
	switch {
	case password == "":
		f.Errors["password"] = "Enter your password."
	case utf8.RuneCountInString(password) > auth.MaxPasswordLength:
		f.Errors["password"] = fmt.Sprintf("Passwords here have at most %d characters.", auth.MaxPasswordLength)
	}
	if f.Errors.Any() {
		return a.renderLogin(c, http.StatusUnprocessableEntity, f)
	}
	u, err := a.checkPassword(c, f.Email, password)
	var tooMany *tooManyAttempts
	switch {
	case errors.As(err, &tooMany):
		f.Problem = tooMany.Error()
		return a.renderLogin(c, http.StatusTooManyRequests, f)
	case errors.Is(err, people.ErrBadCredentials):
		f.Problem = "Wrong e-mail or password."
		return a.renderLogin(c, http.StatusUnauthorized, f)
	case errors.Is(err, people.ErrNoPassword):
		f.Problem = "This account signs in with single sign-on and has no password. Use the single sign-on button instead."
		return a.renderLogin(c, http.StatusUnauthorized, f)
	case err != nil:
		return err
	}
	if !u.Active {
		f.Problem = "Your account is deactivated. Ask an administrator if you need access again."
		return a.renderLogin(c, http.StatusForbidden, f)
	}
	if err := a.SignIn(c, u.ID, "password"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// tooManyAttempts is checkPassword's answer while the throttle refuses
// another try. Its message is for the person at the keyboard.
type tooManyAttempts struct{ wait time.Duration }

func (e *tooManyAttempts) Error() string {
	return fmt.Sprintf("Too many failed sign-in attempts. Wait %d minutes and try again, or ask an administrator to help.", int(e.wait.Minutes()))
}

// checkPassword checks email's password the way every password prompt must,
// the sign-in form and the forms that ask for the current password again
// alike: refused unchecked while the throttle blocks email from this
// address, each wrong password counted, and this address's failures for
// email forgotten once it is right. Without the throttle on every prompt,
// a stolen session could guess the password on a form that does not count.
//
// It returns the user, or an error: *tooManyAttempts, people.ErrBadCredentials
// or people.ErrNoPassword (both counted as failures), or one the person did
// not cause.
func (a *Application) checkPassword(c echo.Context, email, password string) (*models.User, error) {
	ctx := c.Request().Context()
	email, ip := models.NormalizeEmail(email), c.RealIP()
	blocked, wait, err := a.throttle.Blocked(ctx, email, ip)
	if err != nil {
		return nil, err
	}
	if blocked {
		return nil, &tooManyAttempts{wait: wait}
	}
	var u *models.User
	if utf8.RuneCountInString(password) > auth.MaxPasswordLength {
		err = people.ErrBadCredentials // no password is this long; do not spend a hash on it
	} else {
		u, err = a.people.Authenticate(ctx, email, password)
	}
	if errors.Is(err, people.ErrBadCredentials) || errors.Is(err, people.ErrNoPassword) {
		if ferr := a.throttle.Fail(ctx, email, ip); ferr != nil {
			return nil, ferr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := a.throttle.Succeed(ctx, email, ip); err != nil {
		return nil, err
	}
	return u, nil
}

func checkLoginEmail(email string) string {
	switch {
	case email == "":
		return "Enter your e-mail address."
	case len(email) > 254:
		return "E-mail addresses have at most 254 characters."
	case !strings.Contains(email, "@"):
		return "Enter an e-mail address such as name@example.com."
	}
	return ""
}

// logoutPost ends the session and shows the signed-out page. It never sends
// the person back into SSO, which would sign them straight in again, and
// marks the browser as just signed out so that the sign-in page does not
// either.
func (a *Application) logoutPost(c echo.Context) error {
	if err := a.signOut(c.Request().Context(), c); err != nil {
		return err
	}
	a.setSignedOut(c, true)
	return c.Redirect(http.StatusSeeOther, paths.SignedOut)
}

func (a *Application) signedOut(c echo.Context) error {
	if viewer(c) != nil {
		return c.Redirect(http.StatusSeeOther, paths.Home)
	}
	return a.render(c, http.StatusOK, authviews.SignedOut(a.page(c, "Signed out")))
}

func (a *Application) healthz(c echo.Context) error {
	sqlDB, err := a.db.DB()
	if err == nil {
		err = sqlDB.PingContext(c.Request().Context())
	}
	if err != nil {
		a.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}
