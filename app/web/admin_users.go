package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
	"github.com/company-expenses/company-expenses/views/ui"
)

// requireAdmin lets through only the people the policy allows to manage
// users, and tells everyone else why not, as require does.
func (a *Application) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return a.require(policy.ManageUsers)(next)
}

func (a *Application) adminUsers(c echo.Context) error {
	list, err := a.people.List(c.Request().Context())
	if err != nil {
		return err
	}
	l := adminviews.UserList{NeedsManagerOnly: c.QueryParam("needs") == "manager"}
	for _, e := range list {
		if e.NeedsManager() {
			l.NeedsManager++
		}
		if l.NeedsManagerOnly && !e.NeedsManager() {
			continue
		}
		r := adminviews.UserRow{
			ID: e.UserID, FullName: e.DisplayName(), Email: e.User.Email,
			Active: e.User.Active, IsLocalUser: e.IsLocalUser, Providers: a.providerLabels(e.Providers),
			NeedsManager: e.NeedsManager(),
		}
		roles := a.people.Roles()
		r.Roles = strings.Join(roles.Labels(&e.User), ", ")
		if managed := a.people.ProviderManaged(e.Providers); len(managed) > 0 {
			for _, m := range managed {
				r.Managed = append(r.Managed, roles.Label(m))
			}
			r.ManagedBy = strings.Join(r.Providers, " or ")
		}
		if e.Department != nil {
			r.Department = e.Department.Name
		}
		if e.User.LastLoginAt != nil {
			r.LastLogin = e.User.LastLoginAt.Format("2 Jan 2006 15:04")
		}
		l.Rows = append(l.Rows, r)
	}
	return a.render(c, http.StatusOK, adminviews.Users(a.page(c, "People"), l))
}

// managedRoles returns the roles the identity provider manages for a
// person with these linked providers (route names; labels are their display
// names), and the note the form shows next to their disabled boxes.
func (a *Application) managedRoles(providers, labels []string) (map[string]bool, string) {
	managed := a.people.ProviderManaged(providers)
	if len(managed) == 0 {
		return nil, ""
	}
	roles := a.people.Roles()
	set := map[string]bool{}
	var which, by []string
	for _, r := range managed {
		set[string(r)] = true
		which = append(which, roles.Label(r))
		by = append(by, roles.Label(r)+" by "+strings.Join(a.people.RoleMap().Groups(string(r)), " or "))
	}
	note := "Managed by " + strings.Join(labels, " or ") + " through SSO_ROLE_MAP: " + strings.Join(which, ", ") +
		" follow the person's groups at every sign-in (" + strings.Join(by, "; ") + "). Change their groups there."
	return set, note
}

// userFormChoices fills the select boxes of the person form.
func (a *Application) userFormChoices(c echo.Context, f *adminviews.UserForm) error {
	ctx := c.Request().Context()
	ds, err := a.people.Departments(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		f.Departments = append(f.Departments, adminviews.Option{Value: strconv.FormatUint(uint64(d.ID), 10), Label: d.Name})
	}
	ms, err := a.people.Managers(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.UserID != f.ID {
			f.Managers = append(f.Managers, adminviews.Option{Value: strconv.FormatUint(uint64(m.UserID), 10), Label: m.DisplayName()})
		}
	}
	roles := a.people.Roles()
	for _, r := range roles.All() {
		f.RoleOptions = append(f.RoleOptions, adminviews.Option{Value: string(r), Label: roles.Label(r)})
	}
	return nil
}

func (a *Application) adminUserNew(c echo.Context) error {
	f := adminviews.UserForm{Active: true, IsLocalUser: true, Roles: map[string]bool{string(models.RoleEmployee): true},
		PasswordSetup: a.defaultPasswordSetup()}
	if err := a.userFormChoices(c, &f); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, adminviews.UserEdit(a.page(c, "Add a person"), f))
}

// readUserForm reads the person form as typed, for re-display and for
// people.Form.
func readUserForm(c echo.Context) (people.Form, adminviews.UserForm) {
	params, _ := c.FormParams()
	pf := people.Form{
		FullName:     c.FormValue("full_name"),
		Email:        c.FormValue("email"),
		DepartmentID: c.FormValue("department_id"),
		ManagerID:    c.FormValue("manager_id"),
		Roles:        params["roles"],
		Active:       c.FormValue("active") == "on",
		Password:     c.FormValue("password"),
	}
	vf := adminviews.UserForm{
		FullName: pf.FullName, Email: pf.Email, DepartmentID: pf.DepartmentID, ManagerID: pf.ManagerID,
		Active: pf.Active, Roles: map[string]bool{}, PasswordSetup: c.FormValue("password_setup"),
	}
	pf.Invite = vf.PasswordSetup == adminviews.SetupInvite
	for _, r := range pf.Roles {
		vf.Roles[r] = true
	}
	return pf, vf
}

func (a *Application) adminUserCreate(c echo.Context) error {
	pf, vf := readUserForm(c)
	vf.IsLocalUser = true
	var e *models.Employee
	var err error
	if pf.Invite {
		e, err = a.createInvited(c, pf) // no password to hash
	} else {
		err = a.hashing(c, func() (err error) {
			e, err = a.people.CreateLocalBy(c.Request().Context(), viewer(c).UserID, pf)
			return err
		})
	}
	if errors.Is(err, accountlink.ErrNotInvitable) {
		err = &people.ValidationError{Fields: people.FieldErrors{"active": "An invitation needs an active account: tick Active, or set a password now."}}
	}
	var ve *people.ValidationError
	if errors.As(err, &ve) {
		vf.Errors = ui.FieldErrors(ve.Fields)
		if err := a.userFormChoices(c, &vf); err != nil {
			return err
		}
		return a.render(c, http.StatusUnprocessableEntity, adminviews.UserEdit(a.page(c, "Add a person"), vf))
	}
	if err != nil {
		return err
	}
	msg := e.FullName + " has been added."
	if pf.Invite {
		msg = e.FullName + " has been added, and an invitation to choose a password went to " + e.User.Email + " (it works for 7 days)."
	}
	a.flash(c, layouts.FlashSuccess, msg)
	return c.Redirect(http.StatusSeeOther, paths.AdminUsers)
}

func (a *Application) personParam(c echo.Context) (*models.Employee, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	e, err := a.people.Get(c.Request().Context(), uint(id))
	if errors.Is(err, people.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return e, err
}

func (a *Application) providerLabels(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = a.providerLabel(n)
	}
	return out
}

func (a *Application) adminUserEdit(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	names, err := a.people.LinkedProviders(c.Request().Context(), e.UserID)
	if err != nil {
		return err
	}
	providers := a.providerLabels(names)
	f := adminviews.UserForm{
		ID: e.UserID, FullName: e.FullName, Email: e.User.Email, Active: e.User.Active,
		IsLocalUser: e.IsLocalUser, HasPassword: e.User.HasPassword(), Roles: map[string]bool{},
		Providers: providers, JobTitle: e.JobTitle,
	}
	f.Managed, f.ManagedNote = a.managedRoles(names, providers)
	if e.DepartmentID != nil {
		f.DepartmentID = strconv.FormatUint(uint64(*e.DepartmentID), 10)
	}
	if e.ManagerID != nil {
		f.ManagerID = strconv.FormatUint(uint64(*e.ManagerID), 10)
	}
	for _, r := range e.User.RoleList() {
		f.Roles[string(r)] = true
	}
	if err := a.userFormChoices(c, &f); err != nil {
		return err
	}
	sl, err := a.personSessions(c, e) // app/web/sessions.go
	if err != nil {
		return err
	}
	f.Sessions = &sl
	if f.Invitation, err = a.invitationOf(c, e); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, adminviews.UserEdit(a.page(c, "Edit "+e.DisplayName()), f))
}

func (a *Application) adminUserUpdate(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	pf, vf := readUserForm(c)
	vf.ID, vf.IsLocalUser, vf.HasPassword = e.UserID, e.IsLocalUser, e.User.HasPassword()
	names, err := a.people.LinkedProviders(c.Request().Context(), e.UserID)
	if err != nil {
		return err
	}
	vf.Providers = a.providerLabels(names)
	vf.Managed, vf.ManagedNote = a.managedRoles(names, vf.Providers)
	vf.JobTitle = e.JobTitle
	ctx := c.Request().Context()
	var deactivated bool
	update := func() (err error) {
		deactivated, err = a.people.Update(ctx, viewer(c).UserID, e.UserID, pf)
		return err
	}
	if pf.Password != "" {
		err = a.hashing(c, update) // only a new password is hashed
	} else {
		err = update()
	}
	var ve *people.ValidationError
	if errors.As(err, &ve) {
		vf.Errors = ui.FieldErrors(ve.Fields)
		if err := a.userFormChoices(c, &vf); err != nil {
			return err
		}
		if vf.Invitation, err = a.invitationOf(c, e); err != nil {
			return err
		}
		return a.render(c, http.StatusUnprocessableEntity, adminviews.UserEdit(a.page(c, "Edit "+e.DisplayName()), vf))
	}
	if err != nil {
		return err
	}
	name := strings.TrimSpace(pf.FullName)
	msg := "Changes to " + name + " have been saved."
	switch {
	case deactivated:
		// A deactivated person is out at once, not at their next sign-in.
		if err := a.sessions.DeleteForUser(ctx, e.UserID); err != nil {
			return err
		}
		msg = name + " has been deactivated and signed out everywhere."
	case pf.Password != "":
		// A reset password is often the answer to a stolen one: whoever
		// was signed in with the old one is out at once. An administrator
		// resetting their own keeps this browser.
		if e.UserID == viewer(c).UserID {
			token, _ := c.Get(ctxToken).(string)
			err = a.sessions.DeleteOthers(ctx, e.UserID, token)
			msg += " Your new password is set, and your other browsers have been signed out."
		} else {
			err = a.sessions.DeleteForUser(ctx, e.UserID)
			msg += " The new password is set, and " + name + " has been signed out everywhere."
		}
		if err != nil {
			return err
		}
	}
	a.flash(c, layouts.FlashSuccess, msg)
	return c.Redirect(http.StatusSeeOther, paths.AdminUsers)
}
