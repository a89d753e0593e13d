package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
)

// Invitations (app/accountlink): an administrator adds a local person
// without a password, the person gets a link to choose one. These routes
// are in the administrators' group (routes.go) and CSRF-checked.

// mailReachesPeople reports whether mail goes anywhere (SMTP, or the
// development viewer): then the new-person form offers the invitation
// first.
func (a *Application) mailReachesPeople() bool { return a.cfg.SMTPURL != "" || !a.cfg.IsProduction() }

// defaultPasswordSetup is the new-person form's first choice.
func (a *Application) defaultPasswordSetup() string {
	if a.mailReachesPeople() {
		return adminviews.SetupInvite
	}
	return adminviews.SetupPassword
}

// invitationOf is the invitation card of a local person without a
// password, or nil for anyone else.
func (a *Application) invitationOf(c echo.Context, e *models.Employee) (*adminviews.Invitation, error) {
	if !e.IsLocalUser || e.User.HasPassword() || !e.User.Active {
		return nil, nil
	}
	link, err := a.accounts.Links().Outstanding(c.Request().Context(), e.UserID, accountlink.Invitation)
	if err != nil {
		return nil, err
	}
	in := &adminviews.Invitation{UserID: e.UserID, Name: e.DisplayName()}
	if link != nil {
		in.Pending, in.Expired = true, !time.Now().Before(link.ExpiresAt)
		in.Sent, in.Expires = when(link.CreatedAt), when(link.ExpiresAt)
	}
	return in, nil
}

func when(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 MST") }

// createInvited adds a person from the new-person form and sends their
// invitation in the same transaction.
func (a *Application) createInvited(c echo.Context, pf people.Form) (*models.Employee, error) {
	ctx := c.Request().Context()
	inviter := viewer(c)
	return a.people.CreateInvited(ctx, inviter.UserID, pf, func(tx *gorm.DB, e *models.Employee) error {
		_, err := a.accounts.Invite(ctx, tx, e, inviter)
		return err
	})
}

// adminUserInvitationPost sends a person a new invitation; the old link
// stops working.
func (a *Application) adminUserInvitationPost(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	_, err = a.accounts.Resend(c.Request().Context(), e.UserID, viewer(c))
	if errors.Is(err, accountlink.ErrNotInvitable) {
		a.flash(c, layouts.FlashError, e.DisplayName()+" cannot be invited: invitations are for active local people without a password.")
		return c.Redirect(http.StatusSeeOther, paths.AdminUser(e.UserID))
	}
	if err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "A new invitation is on its way to "+e.User.Email+"; it works for 7 days, and earlier invitation links no longer do.")
	return c.Redirect(http.StatusSeeOther, paths.AdminUser(e.UserID))
}

// adminUserInvitationRevokePost revokes a person's pending invitation.
func (a *Application) adminUserInvitationRevokePost(c echo.Context) error {
	e, err := a.personParam(c)
	if err != nil {
		return err
	}
	revoked, err := a.accounts.Revoke(c.Request().Context(), e.UserID, viewer(c).UserID)
	if err != nil {
		return err
	}
	msg := e.DisplayName() + " had no pending invitation."
	if revoked {
		msg = "The invitation of " + e.DisplayName() + " is revoked: its link no longer works."
	}
	a.flash(c, layouts.FlashSuccess, msg)
	return c.Redirect(http.StatusSeeOther, paths.AdminUser(e.UserID))
}
