package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
	authviews "github.com/company-expenses/company-expenses/views/auth"
	"github.com/company-expenses/company-expenses/views/ui"
)

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
		// While the provider is unreachable, show the page instead: its
		// button says so, where a redirect would only land on an error.
		if ps := a.sso.Providers(); len(ps) == 1 && ps[0].Available {
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
		d.Demo, d.DemoPassword = a.demoAccounts, a.demoPass
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
	case errors.Is(err, auth.ErrBusy):
		f.Problem = busyMessage
		return a.renderBusy(c, func() error { return a.renderLogin(c, http.StatusServiceUnavailable, f) })
	case errors.Is(err, people.ErrBadCredentials), errors.Is(err, people.ErrNoPassword):
		// One answer for a wrong password, an unknown e-mail and an
		// account that signs in only through SSO, so that the form does
		// not tell which addresses have accounts, or of which kind. The
		// page's SSO help says where SSO accounts sign in.
		f.Problem = "Wrong e-mail or password."
		return a.renderLogin(c, http.StatusUnauthorized, f)
	case err != nil:
		return err
	}
	if !u.Active {
		if err := a.record(c, audit.Event{Kind: audit.SignInFailed, Actor: audit.Anonymous, SubjectID: u.ID,
			Detail: "right password of a deactivated account; e-mail tried: " + f.Email}); err != nil {
			return err
		}
		f.Problem = "Your account is deactivated. Ask an administrator if you need access again."
		return a.renderLogin(c, http.StatusForbidden, f)
	}
	// With two-factor sign-in on, the right password opens only the code
	// step (app/web/two_factor.go), not a session.
	if on, err := a.twoFactor.Enabled(c.Request().Context(), u.ID); err != nil {
		return err
	} else if on {
		return a.askSecondFactor(c, u, f.Next)
	}
	if err := a.SignIn(c, u.ID, "password"); err != nil {
		return err
	}
	a.trustDevice(c, u.Email)
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// tooManyAttempts is checkPassword's answer while the throttle refuses
// another try. Its message is for the person at the keyboard.
type tooManyAttempts struct{ wait time.Duration }

func (e *tooManyAttempts) Error() string {
	minutes := int(math.Ceil(e.wait.Minutes()))
	unit := "minutes"
	if minutes <= 1 {
		minutes, unit = 1, "minute"
	}
	return fmt.Sprintf("Too many failed sign-in attempts. Wait %d %s and try again, or ask an administrator to help.", minutes, unit)
}

// busyMessage is the answer to a password prompt while every hashing slot
// is taken (auth.ErrBusy).
const busyMessage = "Too many sign-ins at once, try again in a few seconds."

// busyRetryAfter is the Retry-After of that answer, in seconds.
const busyRetryAfter = "3"

// renderBusy sends a password prompt's page, rendered by render with status
// 503, with Retry-After, so that clients and proxies back off instead of
// retrying at once.
func (a *Application) renderBusy(c echo.Context, render func() error) error {
	c.Response().Header().Set("Retry-After", busyRetryAfter)
	return render()
}

// hashing runs f, which may hash a password, in one of the Hasher's slots,
// for the forms that are not password prompts (an administrator setting a
// password). When none comes free it answers 503 with Retry-After.
func (a *Application) hashing(c echo.Context, f func() error) error {
	err := a.hasher.Do(c.Request().Context(), f)
	if errors.Is(err, auth.ErrBusy) {
		c.Response().Header().Set("Retry-After", busyRetryAfter)
		return echo.NewHTTPError(http.StatusServiceUnavailable, busyMessage).SetInternal(err)
	}
	return err
}

// checkPassword checks email's password the way every password prompt must,
// the sign-in form and the forms that ask for the current password again
// alike: the attempt reserved with the throttle before the hash (refused
// unchecked while the throttle blocks it), each wrong password counted, and
// this address's and device's failures for email forgotten once it is
// right. Without the throttle on every prompt, a stolen session could guess
// the password on a form that does not count. A browser with a device
// cookie for email is counted on its own (see auth.Limits).
//
// The hash runs in one of the Hasher's slots, so that a burst of attempts
// cannot exhaust memory; when none comes free in time the password is not
// checked and nothing is counted.
//
// It returns the user, or an error: *tooManyAttempts, auth.ErrBusy,
// people.ErrBadCredentials or people.ErrNoPassword (both counted as
// failures), or one the person did not cause.
func (a *Application) checkPassword(c echo.Context, email, password string) (*models.User, error) {
	ctx := c.Request().Context()
	email = models.NormalizeEmail(email)
	att := auth.Attempt{Email: email, IP: c.RealIP(), Device: a.trustedDevice(c, email)}
	var u *models.User
	var checkErr error
	// The reservation, too, runs in the slot: it bounds the write
	// transactions a flood starts at once as well as the hashes. Reserving
	// first, outside the slot, let 500 simultaneous sign-ins pile up on
	// SQLite's write lock (7 s sign-ins, 200 MB, a "database is locked").
	err := a.hasher.Do(ctx, func() error {
		res, err := a.throttle.Reserve(ctx, att)
		if err != nil {
			return err
		}
		if utf8.RuneCountInString(password) > auth.MaxPasswordLength {
			checkErr = people.ErrBadCredentials // no password is this long; do not spend a hash on it
		} else {
			u, checkErr = a.people.Authenticate(ctx, email, password)
		}
		switch {
		case errors.Is(checkErr, people.ErrBadCredentials), errors.Is(checkErr, people.ErrNoPassword):
			return nil // the reservation stays: it is the failure
		case checkErr != nil:
			return errors.Join(checkErr, a.throttle.Cancel(ctx, res))
		}
		return a.throttle.Succeed(ctx, res, att)
	})
	var blocked *auth.BlockedError
	switch {
	case errors.As(err, &blocked):
		return nil, &tooManyAttempts{wait: blocked.Wait}
	case err != nil:
		return nil, err
	case checkErr != nil:
		if err := a.recordFailedPassword(c, email, checkErr); err != nil {
			return nil, err
		}
		return nil, checkErr
	}
	return u, nil
}

// recordFailedPassword puts a refused password into the audit log, with the
// address tried, and the account when one has it: the log is for
// administrators, who may know what the sign-in page does not tell.
// Attempts the throttle refuses unchecked are not recorded one by one (a
// flood would fill the table); the sign-in locks page shows them.
func (a *Application) recordFailedPassword(c echo.Context, email string, why error) error {
	ctx := c.Request().Context()
	subject, err := a.userIDByEmail(ctx, email)
	if err != nil {
		return err
	}
	reason := "wrong e-mail or password"
	if errors.Is(why, people.ErrNoPassword) {
		reason = "the account signs in with SSO only"
	}
	return a.record(c, audit.Event{Kind: audit.SignInFailed, Actor: audit.Anonymous, SubjectID: subject,
		Detail: reason + "; e-mail tried: " + email + "; at " + c.Request().URL.Path})
}

// deviceCookie names the trusted-device cookie. In production the
// __Host- prefix makes browsers refuse it unless it is Secure, for the
// whole site and from this host only, so that no sibling subdomain can
// plant one.
func (a *Application) deviceCookie() string {
	if a.cfg.IsProduction() {
		return "__Host-device"
	}
	return "device"
}

// deviceCookieFor is how long a browser stays trusted after a sign-in
// (browsers cap cookies at 400 days).
const deviceCookieFor = 365 * 24 * time.Hour

// trustedDevice returns the device id of the browser's device cookie when
// it is valid for email, or "".
func (a *Application) trustedDevice(c echo.Context, email string) string {
	ck, err := c.Cookie(a.deviceCookie())
	if err != nil {
		return ""
	}
	return a.devices.Device(ck.Value, email)
}

// trustDevice gives the browser a device cookie for email after it proved
// the password: from then on its attempts for email count only against
// its own allowance, whatever guessing at the account goes on elsewhere.
func (a *Application) trustDevice(c echo.Context, email string) {
	c.SetCookie(&http.Cookie{
		Name: a.deviceCookie(), Value: a.devices.New(models.NormalizeEmail(email)), Path: "/",
		MaxAge: int(deviceCookieFor.Seconds()), HttpOnly: true, Secure: a.cfg.IsProduction(), SameSite: http.SameSiteLaxMode,
	})
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
//
// With SSO_OIDC_END_SESSION on, a session that began with an OpenID Connect
// provider that supports it goes on to the provider's end_session_endpoint,
// which ends the provider's session too and comes back to the signed-out
// page (app/web/single_signout.go). The app's own session has ended first,
// so a provider that never sends the browser back leaves nobody signed in.
func (a *Application) logoutPost(c echo.Context) error {
	if v := viewer(c); v != nil {
		if err := a.record(c, audit.Event{Kind: audit.SignedOut, Actor: audit.ByUser(v.UserID), SubjectID: v.UserID}); err != nil {
			return err
		}
	}
	providerLogout := a.providerSignOutURL(c)
	if err := a.signOut(c.Request().Context(), c); err != nil {
		return err
	}
	// On a shared computer nothing of the person may stay behind.
	c.Response().Header().Set("Clear-Site-Data", `"cookies", "storage"`)
	a.setSignedOut(c, true)
	if providerLogout != "" {
		return c.Redirect(http.StatusSeeOther, providerLogout)
	}
	return c.Redirect(http.StatusSeeOther, paths.SignedOut)
}

func (a *Application) signedOut(c echo.Context) error {
	if viewer(c) != nil {
		return c.Redirect(http.StatusSeeOther, paths.Home)
	}
	// Set again here: Clear-Site-Data on the sign-out response may also
	// clear the mark that response set (browsers differ on the order).
	a.setSignedOut(c, true)
	return a.render(c, http.StatusOK, authviews.SignedOut(a.page(c, "Signed out")))
}
