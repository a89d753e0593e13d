package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	authviews "github.com/company-expenses/company-expenses/views/auth"
	"github.com/company-expenses/company-expenses/views/ui"
)

// The password reset (app/accountlink): "Forgot password?" on the sign-in
// page asks for an address, the mail's link opens a page that sets a new
// password. Invitations (app/web/admin_invitations.go) open the same page
// with their own link.

// passwordsHere reports whether people sign in with a password at all; in
// the SSO-only login mode the reset pages do not exist, as POST /login
// does not.
func (a *Application) passwordsHere() bool { return a.cfg.LoginMode != config.LoginSSO }

func (a *Application) forgotPassword(c echo.Context) error {
	if !a.passwordsHere() {
		return echo.ErrNotFound
	}
	return a.renderForgot(c, http.StatusOK, authviews.ForgotForm{})
}

func (a *Application) renderForgot(c echo.Context, status int, f authviews.ForgotForm) error {
	f.Minutes = int(accountlink.Reset.Lifetime().Minutes())
	return a.render(c, status, authviews.Forgot(a.page(c, "Forgot your password?"), f))
}

// forgotPasswordPost asks for a reset link. The answer is the same for
// every well-formed address, and accountlink.RequestReset takes the same
// time for all, so the form tells nobody which addresses have accounts.
func (a *Application) forgotPasswordPost(c echo.Context) error {
	if !a.passwordsHere() {
		return echo.ErrNotFound
	}
	f := authviews.ForgotForm{Email: strings.TrimSpace(c.FormValue("email")), Errors: ui.FieldErrors{}}
	if msg := checkLoginEmail(f.Email); msg != "" {
		f.Errors["email"] = msg
		return a.renderForgot(c, http.StatusUnprocessableEntity, f)
	}
	err := a.accounts.RequestReset(c.Request().Context(), f.Email, c.RealIP())
	var throttled *accountlink.ThrottledError
	if errors.As(err, &throttled) {
		f.Problem = fmt.Sprintf("Too many reset requests. Wait %s and try again.", waitMinutes(throttled.Wait.Minutes()))
		return a.renderForgot(c, http.StatusTooManyRequests, f)
	}
	if err != nil {
		return err
	}
	f.Sent = true
	return a.renderForgot(c, http.StatusOK, f)
}

func waitMinutes(m float64) string {
	n := int(math.Ceil(m))
	if n <= 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// linkPage is what differs between the reset page and the invitation page.
type linkPage struct {
	purpose accountlink.Purpose
	action  string
}

var (
	resetPage      = linkPage{purpose: accountlink.Reset, action: paths.PasswordReset}
	invitationPage = linkPage{purpose: accountlink.Invitation, action: paths.Invitation}
)

func (a *Application) passwordReset(c echo.Context) error     { return a.linkGet(c, resetPage) }
func (a *Application) passwordResetPost(c echo.Context) error { return a.linkPost(c, resetPage) }
func (a *Application) invitation(c echo.Context) error        { return a.linkGet(c, invitationPage) }
func (a *Application) invitationPost(c echo.Context) error    { return a.linkPost(c, invitationPage) }

// linkGet shows the set-password form of a live link, or says why the link
// does not work.
func (a *Application) linkGet(c echo.Context, lp linkPage) error {
	if !a.passwordsHere() {
		return echo.ErrNotFound
	}
	token := c.QueryParam("token")
	h, err := a.accounts.Check(c.Request().Context(), lp.purpose, token)
	if err != nil {
		return a.renderLinkProblem(c, lp, err)
	}
	return a.renderSetPassword(c, http.StatusOK, lp, h, authviews.SetPasswordData{Token: token})
}

func (a *Application) renderSetPassword(c echo.Context, status int, lp linkPage, h accountlink.Holder, d authviews.SetPasswordData) error {
	d.Action, d.Invitation, d.Name, d.Email = lp.action, lp.purpose == accountlink.Invitation, h.Name, h.Email
	title := "Choose a new password"
	if d.Invitation {
		title = "Choose your password"
	}
	return a.render(c, status, authviews.SetPassword(a.page(c, title), d))
}

// renderLinkProblem explains a link that does not work (used, expired,
// revoked, replaced), with the way to a new one; anything else is an error.
func (a *Application) renderLinkProblem(c echo.Context, lp linkPage, err error) error {
	expired := errors.Is(err, accountlink.ErrExpired)
	if !expired && !errors.Is(err, accountlink.ErrInvalid) {
		return err
	}
	var d authviews.LinkInvalidData
	switch {
	case lp.purpose == accountlink.Invitation && expired:
		d = authviews.LinkInvalidData{Heading: "This invitation has expired",
			Message: "Invitation links work for 7 days. Ask your administrator to send you a new invitation."}
	case lp.purpose == accountlink.Invitation:
		d = authviews.LinkInvalidData{Heading: "This invitation is no longer valid",
			Message: "It was already used, revoked by your administrator, or replaced by a newer invitation (use the link in the newest mail). Ask your administrator if you need a new one."}
	case expired:
		d = authviews.LinkInvalidData{Heading: "This link has expired",
			Message: fmt.Sprintf("Password reset links work for %d minutes. Ask for a new one; it arrives within a minute.", int(accountlink.Reset.Lifetime().Minutes()))}
	default:
		d = authviews.LinkInvalidData{Heading: "This link is no longer valid",
			Message: "It was already used, or replaced by a newer link (use the link in the newest mail). Ask for a new one if you still need it."}
	}
	d.ActionURL, d.ActionLabel = paths.Login, "Go to sign in"
	if lp.purpose == accountlink.Reset {
		d.ActionURL, d.ActionLabel = paths.ForgotPassword, "Ask for a new link"
	}
	return a.render(c, http.StatusGone, authviews.LinkInvalid(a.page(c, d.Heading), d))
}

// linkPost sets the password of a link's holder. After a reset the person
// signs in with the new password, through the sign-in form: the link proves
// the mailbox, not the rest of what a sign-in checks (the throttle, the
// trusted device, and the second factor that item 6 of issue 12 adds), so
// it does not sign anyone in by itself. An invitation signs the new person
// in at once: their account has nothing else to check yet.
func (a *Application) linkPost(c echo.Context, lp linkPage) error {
	if !a.passwordsHere() {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	token, next := c.FormValue("token"), c.FormValue("new")
	var h accountlink.Holder
	err := a.hasher.Do(ctx, func() (err error) {
		h, err = a.accounts.SetPassword(ctx, lp.purpose, token, next, c.FormValue("confirm"))
		return err
	})
	var ve *people.ValidationError
	switch {
	case errors.Is(err, auth.ErrBusy):
		return a.renderBusy(c, func() error { return a.refuseNewPassword(c, lp, token, "", ui.FieldErrors{}, busyMessage) })
	case errors.As(err, &ve):
		// A refused password must change, so it is not kept; one that
		// passed the rules is, when only its confirmation was wrong.
		kept := ""
		if _, bad := ve.Fields["new"]; !bad {
			kept = next
		}
		return a.refuseNewPassword(c, lp, token, kept, ui.FieldErrors(ve.Fields), "")
	case err != nil:
		return a.renderLinkProblem(c, lp, err)
	}
	if lp.purpose == accountlink.Invitation {
		if err := a.SignIn(c, h.UserID, "password"); err != nil {
			return err
		}
		a.trustDevice(c, h.Email)
		a.flash(c, layouts.FlashSuccess, "Welcome, "+h.Name+". Your password is set and you are signed in.")
		return c.Redirect(http.StatusSeeOther, paths.Home)
	}
	// This browser's session ended with the others (SetPassword).
	a.clearSessionCookie(c)
	a.csrfGuard.Rotate(c)
	a.flash(c, layouts.FlashSuccess, "Your password has been changed, and every browser signed in to your account has been signed out. Sign in with your new password.")
	return c.Redirect(http.StatusSeeOther, paths.Login)
}

// refuseNewPassword shows the set-password form again with the messages at
// the fields; a link that stopped working meanwhile gets its own page.
func (a *Application) refuseNewPassword(c echo.Context, lp linkPage, token, kept string, errs ui.FieldErrors, problem string) error {
	h, err := a.accounts.Check(c.Request().Context(), lp.purpose, token)
	if err != nil {
		return a.renderLinkProblem(c, lp, err)
	}
	status := http.StatusUnprocessableEntity
	if problem == busyMessage {
		status = http.StatusServiceUnavailable
	}
	return a.renderSetPassword(c, status, lp, h, authviews.SetPasswordData{Token: token, New: kept, Errors: errs, Problem: problem})
}
