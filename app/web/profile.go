package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	profileviews "github.com/company-expenses/company-expenses/views/profile"
	"github.com/company-expenses/company-expenses/views/ui"
)

func (a *Application) profileData(c echo.Context) profileviews.Data {
	v := viewer(c)
	d := profileviews.Data{
		Name:        v.DisplayName(),
		Email:       v.User.Email,
		IsLocalUser: v.IsLocalUser,
		HasPassword: v.User.HasPassword(),
	}
	if v.Department != nil {
		d.Department = v.Department.Name
	}
	if v.Manager != nil {
		d.Manager = v.Manager.DisplayName()
	}
	for _, r := range v.User.RoleList() {
		d.Roles = append(d.Roles, r.Label())
	}
	if v.User.LastLoginAt != nil {
		d.LastLogin = v.User.LastLoginAt.Format("2 Jan 2006, 15:04 MST")
	}
	d.SSO = a.profileSSO(c, v)
	return d
}

func (a *Application) profile(c echo.Context) error {
	return a.renderProfile(c, http.StatusOK, a.profileData(c))
}

// renderProfile shows the profile page. Its "Connect" form leads to the
// identity providers, so their origins join the page's form-action.
func (a *Application) renderProfile(c echo.Context, status int, d profileviews.Data) error {
	if len(d.SSO.Connect) > 0 {
		a.allowSSOFormActions(c)
	}
	return a.render(c, status, profileviews.Page(a.page(c, "Your profile"), d))
}

func (a *Application) passwordPost(c echo.Context) error {
	v := viewer(c)
	err := a.people.ChangePassword(c.Request().Context(), v.UserID,
		c.FormValue("current"), c.FormValue("new"), c.FormValue("confirm"))
	var ve *people.ValidationError
	if errors.As(err, &ve) {
		d := a.profileData(c)
		d.PasswordErrors = ui.FieldErrors(ve.Fields)
		return a.renderProfile(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "Your password has been changed.")
	return c.Redirect(http.StatusSeeOther, paths.Profile)
}
