package web

import (
	"context"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// auditClient puts the client's address and user agent into the request's
// context, where audit.Record finds them, so that the services that record
// events (app/people, the first-login hook) need no HTTP. It runs after
// echo's IPExtractor is chosen (routes), so the address is the one the
// throttle uses too.
func (a *Application) auditClient(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(audit.WithClient(r.Context(), c.RealIP(), r.UserAgent())))
		return next(c)
	}
}

// record writes an event that is a change of its own (a sign-in, a
// sign-out), not part of a transaction.
func (a *Application) record(c echo.Context, e audit.Event) error {
	return audit.Record(c.Request().Context(), a.db, e)
}

// userIDByEmail returns the id of the account with this login e-mail, or 0,
// for the events about an address someone typed (a failed sign-in).
func (a *Application) userIDByEmail(ctx context.Context, email string) (uint, error) {
	var ids []uint
	err := a.db.WithContext(ctx).Model(&models.User{}).Where("email = ?", models.NormalizeEmail(email)).Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// RecordIdentityChange is the SSO module's OnIdentityChange hook
// (app/app.go): it records connecting and disconnecting a provider in the
// module's own transaction.
func RecordIdentityChange(ctx context.Context, tx *gorm.DB, ch sso.IdentityChange) error {
	kind := audit.SSOLinked
	if ch.Removed {
		kind = audit.SSOUnlinked
	}
	return audit.Record(ctx, tx, audit.Event{
		Kind: kind, Actor: audit.ByUser(ch.UserID), SubjectID: ch.UserID,
		Detail: ch.Identity.Provider + " · subject " + ch.Identity.Subject + " · " + ch.Identity.Email,
	})
}

// RecordSSORefusal is the SSO module's OnSignInRefused hook (app/app.go):
// a sign-in or connection the account rules refused goes into the audit
// log as a failed sign-in, about the account the address belongs to (or
// the person who was connecting). The refusal page is shown whatever
// happens here, so a failure to record is logged.
func (a *Application) RecordSSORefusal(ctx context.Context, r sso.SignInRefusal) {
	subject := r.LinkUserID
	if subject == 0 && r.Email != "" {
		id, err := a.userIDByEmail(ctx, r.Email)
		if err != nil {
			a.log.ErrorContext(ctx, "audit a refused SSO sign-in", "err", err)
		}
		subject = id
	}
	what := "single sign-on refused"
	if r.LinkUserID != 0 {
		what = "connecting single sign-on refused"
	}
	err := audit.Record(ctx, a.db, audit.Event{Kind: audit.SignInFailed, Actor: audit.Provider(r.Provider), SubjectID: subject,
		Detail: what + " (" + r.Code + "); e-mail " + r.Email + "; subject " + r.Subject})
	if err != nil {
		a.log.ErrorContext(ctx, "audit a refused SSO sign-in", "err", err)
	}
}
