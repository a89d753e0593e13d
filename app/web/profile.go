package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	profileviews "github.com/company-expenses/company-expenses/views/profile"
	"github.com/company-expenses/company-expenses/views/ui"
)

// profileData loads the signed-in person in full (the request's viewer
// carries no department or manager) for the profile page.
func (a *Application) profileData(c echo.Context) (profileviews.Data, error) {
	v, err := a.people.Get(c.Request().Context(), viewer(c).UserID)
	if err != nil {
		return profileviews.Data{}, err
	}
	d := profileviews.Data{
		MailNotifications: v.User.MailNotifications,
		Name:              v.DisplayName(),
		Email:             v.User.Email,
		IsLocalUser:       v.IsLocalUser,
		HasPassword:       v.User.HasPassword(),
	}
	if v.Department != nil {
		d.Department = v.Department.Name
	}
	if v.Manager != nil {
		d.Manager = v.Manager.DisplayName()
	}
	d.Roles = a.people.Roles().Labels(&v.User)
	if v.User.LastLoginAt != nil {
		d.LastLogin = v.User.LastLoginAt.Format("2 Jan 2006, 15:04 MST")
	}
	d.SSO = a.profileSSO(c, v)
	if d.Sessions, err = a.ownSessions(c); err != nil {
		return profileviews.Data{}, err
	}
	if d.HasPassword {
		if d.TwoFactor, err = a.twoFactorStatus(c, v); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (a *Application) profile(c echo.Context) error {
	d, err := a.profileData(c)
	if err != nil {
		return err
	}
	return a.renderProfile(c, http.StatusOK, d)
}

// renderProfile shows the profile page. Its "Connect" form leads to the
// identity providers, so their origins join the page's form-action.
func (a *Application) renderProfile(c echo.Context, status int, d profileviews.Data) error {
	if len(d.SSO.Connect) > 0 {
		a.allowSSOFormActions(c)
	}
	return a.render(c, status, profileviews.Page(a.page(c, "Your profile"), d))
}

// passwordPost changes the signed-in person's password. The current
// password is checked under the sign-in throttle, so that someone at an
// unlocked screen cannot guess it here faster than at the sign-in form.
// Every other session of the person then ends: a changed password is often
// the answer to someone else being signed in.
func (a *Application) passwordPost(c echo.Context) error {
	ctx := c.Request().Context()
	v := viewer(c)
	current := c.FormValue("current")
	refuse := func(status int, errs ui.FieldErrors) error {
		d, err := a.profileData(c)
		if err != nil {
			return err
		}
		d.PasswordErrors = errs
		return a.renderProfile(c, status, d)
	}
	// An empty field, or an account without a password, gets its message
	// from ChangePassword without counting as a failure.
	if current != "" && v.User.HasPassword() {
		_, err := a.checkPassword(c, v.User.Email, current)
		var tooMany *tooManyAttempts
		switch {
		case errors.As(err, &tooMany):
			return refuse(http.StatusTooManyRequests, ui.FieldErrors{"current": tooMany.Error()})
		case errors.Is(err, auth.ErrBusy):
			return a.renderBusy(c, func() error { return refuse(http.StatusServiceUnavailable, ui.FieldErrors{"current": busyMessage}) })
		case errors.Is(err, people.ErrBadCredentials), errors.Is(err, people.ErrNoPassword):
			return refuse(http.StatusUnprocessableEntity, ui.FieldErrors{"current": "This is not your current password."})
		case err != nil:
			return err
		}
	}
	// ChangePassword hashes twice (the current password again, and the
	// new one), one after the other, so in one slot.
	err := a.hasher.Do(ctx, func() error {
		return a.people.ChangePassword(ctx, v.UserID, current, c.FormValue("new"), c.FormValue("confirm"))
	})
	var ve *people.ValidationError
	if errors.Is(err, auth.ErrBusy) {
		return a.renderBusy(c, func() error { return refuse(http.StatusServiceUnavailable, ui.FieldErrors{"current": busyMessage}) })
	}
	if errors.As(err, &ve) {
		return refuse(http.StatusUnprocessableEntity, ui.FieldErrors(ve.Fields))
	}
	if err != nil {
		return err
	}
	token, _ := c.Get(ctxToken).(string)
	if err := a.sessions.DeleteOthers(ctx, v.UserID, token); err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "Your password has been changed, and any other browser signed in to your account has been signed out.")
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}

// notificationsPost saves the person's "e-mail me notifications" choice.
func (a *Application) notificationsPost(c echo.Context) error {
	on := c.FormValue("mail_notifications") == "on"
	// A map, not a struct: gorm would leave out false, the zero value.
	err := a.db.WithContext(c.Request().Context()).Model(&models.User{}).Where("id = ?", viewer(c).UserID).
		Updates(map[string]any{"mail_notifications": on}).Error
	if err != nil {
		return err
	}
	msg := "You will get notification mails."
	if !on {
		msg = "You will get no more notification mails. Password and security mails still reach you."
	}
	a.flash(c, layouts.FlashSuccess, msg)
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}
