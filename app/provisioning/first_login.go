// Package provisioning creates and updates Company Expenses' people from
// single sign-on. It is the app's side of the SSO package's hooks.
//
// "Provisioning" is the identity-management word for creating an account
// from what an identity provider says ("just-in-time provisioning"). That is
// the job of the Mendix tutorial's OnFirstLoginAppCloudUser, which the
// tutorial moves out of the AppCloudServices module into the Expenses module
// (Mendix tutorial, step 5). The same line runs here: app/sso knows nothing
// of Employee, this package knows Employee, and app/app.go hands OnFirstLogin
// to the SSO package in one line (Mendix tutorial, step 6:
// InvokeOnFirstLoginAppCloudUser). To provision people differently (another
// default role, a list of who may join), change this file.
//
// Both hooks also keep a person's roles and directory attributes in step
// with the identity provider at every sign-in (directory.go): the roles
// SSO_ROLE_MAP names, department, job title and manager.
package provisioning

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/rolemap"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// DefaultRole is the role of everyone provisioned by single sign-on. An
// administrator grants more on the People page.
const DefaultRole = models.RoleEmployee

// Hooks are the SSO package's first-login and returning-login hooks, with
// what they need to follow the identity provider. The zero value maps no
// roles and accepts anyone active as a manager.
type Hooks struct {
	// RoleMap is SSO_ROLE_MAP: the roles it names follow the provider's
	// groups at every sign-in.
	RoleMap rolemap.Map
	// Roles is the app's role registry; its manager role (if any) is
	// required of a manager taken from the directory, as the admin form
	// requires it.
	Roles models.Roles
	// Log receives one line per role change and per thing left alone
	// (group overage, an unknown manager); nil discards them.
	Log *slog.Logger
}

func (h *Hooks) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// OnFirstLogin creates the Employee of someone who signs in with single
// sign-on for the first time. It is the Mendix tutorial's
// OnFirstLoginAppCloudUser and its Create action (Mendix tutorial, steps
// 8–9): the entity is Employee, FullName comes from the identity provider,
// and IsLocalUser is false.
//
// The account has no password (an empty hash never verifies), so the person
// signs in through SSO only, and the password form tells them so. It runs
// inside the SSO package's transaction, which also stores the identity.
func (h *Hooks) OnFirstLogin(ctx context.Context, tx *gorm.DB, p sso.Profile) (uint, error) {
	name := p.Name
	if name == "" {
		// A provider that releases no name: the mailbox is better than
		// nothing, and the person's first SSO refresh with a name fixes it.
		name, _, _ = strings.Cut(p.Email, "@")
	}
	e := &models.Employee{
		User:        models.User{Email: p.Email, Active: true},
		FullName:    name,
		IsLocalUser: false,
		AvatarURL:   p.AvatarURL,
	}
	e.User.SetRoles([]models.Role{DefaultRole})
	// CreateEmployee, not tx.Create: it makes sure IsLocalUser=false is
	// stored as false rather than replaced by the column's default (true).
	if err := models.CreateEmployee(tx.WithContext(ctx), e); err != nil {
		return 0, fmt.Errorf("provision employee %s: %w", p.Email, err)
	}
	// In the sign-in's transaction: no event for an account that was not
	// kept, none missing for one that was.
	if err := audit.Record(ctx, tx, audit.Event{Kind: audit.AccountCreated, Actor: audit.Provider(p.Provider), SubjectID: e.UserID,
		Detail: "first single sign-on of " + p.Email + " (subject " + p.Subject + "); roles +" + string(DefaultRole)}); err != nil {
		return 0, err
	}
	if err := h.follow(ctx, tx, e.UserID, p); err != nil {
		return 0, err
	}
	return e.UserID, nil
}

// OnReturningLogin refreshes a returning person from their identity
// provider, at every SSO sign-in.
//
// For accounts provisioned by SSO (IsLocalUser = false) the provider is the
// source of truth: name, avatar and login e-mail follow it. The admin form
// warns that edits to these fields are overwritten. Local accounts that
// connected a provider keep the name and e-mail their administrator gave
// them, and only take the provider's picture.
//
// When the provider's new e-mail belongs to someone else here, the e-mail is
// not changed: the person still signs in (they are matched on the provider's
// subject, not on e-mail) and is told why their address stayed the same.
func (h *Hooks) OnReturningLogin(ctx context.Context, tx *gorm.DB, userID uint, p sso.Profile) (string, error) {
	tx = tx.WithContext(ctx)
	if err := h.follow(ctx, tx, userID, p); err != nil {
		return "", err
	}
	var e models.Employee
	if err := tx.Preload("User").Where("user_id = ?", userID).Take(&e).Error; err != nil {
		return "", fmt.Errorf("load employee %d: %w", userID, err)
	}
	updates := map[string]any{}
	if p.AvatarURL != "" || !e.IsLocalUser {
		updates["avatar_url"] = p.AvatarURL
	}
	if !e.IsLocalUser && p.Name != "" {
		updates["full_name"] = p.Name
	}
	if len(updates) > 0 {
		if err := tx.Model(&models.Employee{}).Where("user_id = ?", userID).Updates(updates).Error; err != nil {
			return "", fmt.Errorf("refresh employee %d: %w", userID, err)
		}
	}
	// Only an address the provider vouches for becomes the login e-mail (and
	// so, for example, a BOOTSTRAP_ADMINS match).
	if e.IsLocalUser || p.Email == "" || p.Email == e.User.Email || !p.EmailVerified {
		return "", nil
	}
	var taken int64
	if err := tx.Model(&models.User{}).Where("email = ? AND id <> ?", p.Email, userID).Count(&taken).Error; err != nil {
		return "", err
	}
	if taken > 0 {
		return fmt.Sprintf("Your identity provider now gives your e-mail address as %s, but another account here already uses it, so you are still known here as %s. Ask an administrator to sort it out.",
			p.Email, e.User.Email), nil
	}
	if err := tx.Model(&models.User{}).Where("id = ?", userID).
		Updates(map[string]any{"email": p.Email, "updated_at": time.Now().UTC()}).Error; err != nil {
		return "", fmt.Errorf("refresh e-mail of user %d: %w", userID, err)
	}
	return "", nil
}
