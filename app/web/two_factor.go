package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/twofactor"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	authviews "github.com/company-expenses/company-expenses/views/auth"
	profileviews "github.com/company-expenses/company-expenses/views/profile"
)

// Two-factor sign-in (app/twofactor) for local accounts: after a right
// password, a person with an authenticator app gets no session yet, only a
// short-lived signed cookie naming them, and is asked for the code at
// paths.LoginCode. The session starts when the code is right too.

// pendingCookie names the cookie between the password and the code.
func (a *Application) pendingCookie() string {
	if a.cfg.IsProduction() {
		return "__Host-second-factor"
	}
	return "second-factor"
}

// askSecondFactor sends a person whose password was right to the code step.
func (a *Application) askSecondFactor(c echo.Context, u *models.User, next string) error {
	c.SetCookie(&http.Cookie{
		Name: a.pendingCookie(), Value: a.pending.New(u.ID, time.Now().Add(twofactor.PendingFor)), Path: "/",
		MaxAge: int(twofactor.PendingFor.Seconds()), HttpOnly: true, Secure: a.cfg.IsProduction(), SameSite: http.SameSiteLaxMode,
	})
	return c.Redirect(http.StatusSeeOther, paths.LoginCode+"?next="+url.QueryEscape(next))
}

func (a *Application) clearPending(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: a.pendingCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.IsProduction(), SameSite: http.SameSiteLaxMode})
}

// pendingUser returns the person whose password was right a moment ago.
func (a *Application) pendingUser(c echo.Context) (uint, bool) {
	ck, err := c.Cookie(a.pendingCookie())
	if err != nil {
		return 0, false
	}
	return a.pending.Check(ck.Value, time.Now())
}

func (a *Application) loginCode(c echo.Context) error {
	if _, ok := a.pendingUser(c); !ok {
		return c.Redirect(http.StatusSeeOther, paths.Login)
	}
	return a.render(c, http.StatusOK, authviews.Code(a.page(c, "Two-factor sign-in"), authviews.CodeForm{Next: paths.SafeNext(c.QueryParam("next"))}))
}

// loginCodePost checks the code. Wrong codes count under the sign-in
// throttle, per account and address as wrong passwords do (a separate
// count, so that the password's allowance is not spent on typos here).
func (a *Application) loginCodePost(c echo.Context) error {
	ctx := c.Request().Context()
	f := authviews.CodeForm{Next: paths.SafeNext(c.FormValue("next"))}
	userID, ok := a.pendingUser(c)
	if !ok {
		a.flash(c, layouts.FlashInfo, "That sign-in took too long. Sign in again.")
		return c.Redirect(http.StatusSeeOther, paths.Login)
	}
	render := func(status int) error {
		return a.render(c, status, authviews.Code(a.page(c, "Two-factor sign-in"), f))
	}
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" {
		f.Error = "Enter the code from your authenticator app, or a recovery code."
		return render(http.StatusUnprocessableEntity)
	}
	u, err := a.people.Get(ctx, userID)
	if errors.Is(err, people.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, paths.Login)
	}
	if err != nil {
		return err
	}
	att := auth.Attempt{Email: "second-factor:" + u.User.Email, IP: c.RealIP()}
	res, err := a.throttle.Reserve(ctx, att)
	var blocked *auth.BlockedError
	if errors.As(err, &blocked) {
		f.Problem = (&tooManyAttempts{wait: blocked.Wait}).Error()
		return render(http.StatusTooManyRequests)
	}
	if err != nil {
		return err
	}
	switch err := a.twoFactor.Verify(ctx, userID, code); {
	case errors.Is(err, twofactor.ErrWrongCode):
		f.Error = "That code is not right, or was used already. Codes change every 30 seconds: try the one the app shows now."
		return render(http.StatusUnauthorized) // the reservation stays: it is the failure
	case err != nil:
		return errors.Join(err, a.throttle.Cancel(ctx, res))
	}
	if err := a.throttle.Succeed(ctx, res, att); err != nil {
		return err
	}
	if !u.User.Active {
		f.Problem = "Your account is deactivated. Ask an administrator if you need access again."
		return render(http.StatusForbidden)
	}
	a.clearPending(c)
	if err := a.SignIn(c, userID, "password"); err != nil {
		return err
	}
	a.trustDevice(c, u.User.Email)
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// twoFactorStatus is the profile card's data.
func (a *Application) twoFactorStatus(c echo.Context, v *models.Employee) (profileviews.TwoFactor, error) {
	st, err := a.twoFactor.Status(c.Request().Context(), v.UserID)
	return profileviews.TwoFactor{Enabled: st.Enabled, RecoveryCodesLeft: st.RecoveryCodesLeft, Required: a.mustUseTwoFactor(v)}, err
}

// mustUseTwoFactor reports whether TWO_FACTOR_ADMINS applies to v: an
// administrator who can sign in with a password.
func (a *Application) mustUseTwoFactor(v *models.Employee) bool {
	return a.cfg.TwoFactorForAdmins && v.User.HasPassword() && v.User.HasRole(models.RoleAdmin)
}

// requireTwoFactor sends an administrator who must use two-factor sign-in
// and has not set it up to the setup page, before any other page. Only
// they pay for the lookup.
func (a *Application) requireTwoFactor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := viewer(c)
		if v == nil || !a.mustUseTwoFactor(v) || strings.HasPrefix(c.Path(), paths.ProfileTwoFactor) {
			return next(c)
		}
		on, err := a.twoFactor.Enabled(c.Request().Context(), v.UserID)
		if err != nil {
			return err
		}
		if !on {
			return c.Redirect(http.StatusSeeOther, paths.ProfileTwoFactor)
		}
		return next(c)
	}
}

// twoFactorPage shows the setup page, or the management page once it is on.
func (a *Application) twoFactorPage(c echo.Context) error {
	v := viewer(c)
	if !v.User.HasPassword() {
		return echo.NewHTTPError(http.StatusNotFound, "Two-factor sign-in is for accounts with a password; your identity provider looks after yours.")
	}
	t, err := a.twoFactorStatus(c, v)
	if err != nil {
		return err
	}
	if t.Enabled {
		return a.renderManage(c, http.StatusOK, profileviews.TwoFactorManage{TwoFactor: t})
	}
	en, err := a.twoFactor.Pending(c.Request().Context(), v.UserID, v.User.Email)
	if errors.Is(err, twofactor.ErrNotEnrolling) {
		en, err = a.twoFactor.Begin(c.Request().Context(), v.UserID, v.User.Email)
	}
	if err != nil {
		return err
	}
	return a.renderSetup(c, http.StatusOK, en, profileviews.TwoFactorSetup{Required: t.Required})
}

func (a *Application) renderSetup(c echo.Context, status int, en twofactor.Enrolment, s profileviews.TwoFactorSetup) error {
	s.QR, s.Key, s.URI = en.QR, en.Key, en.URI
	return a.render(c, status, profileviews.TwoFactorSetupPage(a.page(c, "Set up two-factor sign-in"), s))
}

// twoFactorConfirm turns the setup on with a code from the app, and shows
// the recovery codes once.
func (a *Application) twoFactorConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	v := viewer(c)
	if !v.User.HasPassword() {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	code := strings.TrimSpace(c.FormValue("code"))
	codes, err := a.twoFactor.Confirm(ctx, v.UserID, code)
	switch {
	case errors.Is(err, twofactor.ErrNotEnrolling):
		return c.Redirect(http.StatusSeeOther, paths.ProfileTwoFactor)
	case errors.Is(err, twofactor.ErrWrongCode):
		en, perr := a.twoFactor.Pending(ctx, v.UserID, v.User.Email)
		if perr != nil {
			return perr
		}
		msg := "That code is not right. Type the 6 digits the app shows now."
		if code == "" {
			msg = "Enter the 6-digit code the app shows."
		}
		return a.renderSetup(c, http.StatusUnprocessableEntity, en, profileviews.TwoFactorSetup{Code: code, Error: msg, Required: a.mustUseTwoFactor(v)})
	case err != nil:
		return err
	}
	// Other sessions began with the password alone; end them.
	token, _ := c.Get(ctxToken).(string)
	if err := a.sessions.DeleteOthers(ctx, v.UserID, token); err != nil {
		return err
	}
	t, err := a.twoFactorStatus(c, v)
	if err != nil {
		return err
	}
	return a.renderManage(c, http.StatusOK, profileviews.TwoFactorManage{TwoFactor: t, RecoveryCodes: codes})
}

// withPassword runs f after checking the signed-in person's password under
// the sign-in throttle, or shows the management page with the message.
func (a *Application) withPassword(c echo.Context, f func() error) error {
	v := viewer(c)
	refuse := func(status int, msg string) error {
		t, err := a.twoFactorStatus(c, v)
		if err != nil {
			return err
		}
		return a.renderManage(c, status, profileviews.TwoFactorManage{TwoFactor: t, PasswordError: msg})
	}
	password := c.FormValue("password")
	if password == "" {
		return refuse(http.StatusUnprocessableEntity, "Enter your password.")
	}
	_, err := a.checkPassword(c, v.User.Email, password)
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
	return f()
}

func (a *Application) twoFactorDisable(c echo.Context) error {
	v := viewer(c)
	if a.mustUseTwoFactor(v) {
		return echo.NewHTTPError(http.StatusForbidden, "Administrators need two-factor sign-in here (TWO_FACTOR_ADMINS), so it cannot be turned off.")
	}
	return a.withPassword(c, func() error {
		if err := a.twoFactor.Disable(c.Request().Context(), v.UserID); err != nil {
			return err
		}
		a.flash(c, layouts.FlashSuccess, "Two-factor sign-in is off: your password alone signs you in.")
		return c.Redirect(http.StatusSeeOther, paths.Profile)
	})
}

func (a *Application) twoFactorRecoveryCodes(c echo.Context) error {
	v := viewer(c)
	return a.withPassword(c, func() error {
		if on, err := a.twoFactor.Enabled(c.Request().Context(), v.UserID); err != nil || !on {
			if err == nil {
				err = echo.NewHTTPError(http.StatusConflict, "Two-factor sign-in is off, so there are no recovery codes to replace.")
			}
			return err
		}
		codes, err := a.twoFactor.NewRecoveryCodes(c.Request().Context(), v.UserID)
		if err != nil {
			return err
		}
		t, err := a.twoFactorStatus(c, v)
		if err != nil {
			return err
		}
		return a.renderManage(c, http.StatusOK, profileviews.TwoFactorManage{TwoFactor: t, RecoveryCodes: codes})
	})
}

// renderManage shows the page of an enabled second factor.
func (a *Application) renderManage(c echo.Context, status int, m profileviews.TwoFactorManage) error {
	return a.render(c, status, profileviews.TwoFactorManagePage(a.page(c, "Two-factor sign-in"), m))
}
