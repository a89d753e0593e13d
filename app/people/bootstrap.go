package people

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/models"
)

// A fresh production deployment has no administrator: demo data is refused
// there, and SSO provisions plain employees. BOOTSTRAP_ADMINS names the
// people who become administrators; these two functions make it so.

// GrantBootstrapAdmin gives userID the admin role when their e-mail is one
// of emails, the address is verified, and the app has no active
// administrator at all. The web layer calls it at every sign-in, so a
// listed person becomes the first administrator at their first sign-in,
// without a restart; once there is an administrator, BOOTSTRAP_ADMINS does
// nothing more, so taking the role away from a listed person sticks.
//
// emailVerified says the address is proven to be the person's: true for a
// local account (the address is its login, set by an administrator), and
// for SSO what the identity provider asserts (email_verified). An
// unverified address could be anyone's claim, so it never grants the role.
// It reports whether it granted the role.
func (s *Service) GrantBootstrapAdmin(ctx context.Context, userID uint, emails []string, emailVerified bool) (bool, error) {
	if len(emails) == 0 || !emailVerified {
		return false, nil
	}
	db := s.db.WithContext(ctx)
	var u models.User
	if err := db.Take(&u, userID).Error; err != nil {
		return false, fmt.Errorf("load user %d: %w", userID, err)
	}
	if !u.Active || !slices.Contains(emails, models.NormalizeEmail(u.Email)) {
		return false, nil
	}
	// A cheap read first: once the app has an administrator, which is
	// almost always, no sign-in takes the write lock below.
	if n, err := activeAdmins(db); err != nil || n > 0 {
		return false, err
	}
	granted := false
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := lockAdmins(tx); err != nil {
			return err
		}
		// Checked again under the lock: two listed people signing in at
		// the same moment must not both become administrators.
		if n, err := activeAdmins(tx); err != nil || n > 0 {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&models.UserRole{UserID: userID, Role: models.RoleAdmin})
		granted = res.Error == nil && res.RowsAffected == 1
		if !granted {
			return res.Error
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.BootstrapAdminGranted, Actor: audit.System, SubjectID: userID,
			Detail: "+admin: " + u.Email + " is in BOOTSTRAP_ADMINS and the app had no active administrator"})
	})
	if err != nil {
		return false, fmt.Errorf("grant admin to user %d: %w", userID, err)
	}
	return granted, nil
}

// EnsureBootstrapAdmin creates a local administrator account for email with
// password at start-up, unless an account with that e-mail exists. It is for
// deployments that sign in with passwords only; with SSO, listing the e-mail
// in BOOTSTRAP_ADMINS is enough. It reports whether it created the account.
func (s *Service) EnsureBootstrapAdmin(ctx context.Context, email, fullName, password string) (bool, error) {
	email = models.NormalizeEmail(email)
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.User{}).Where("email = ?", email).Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return false, err
	}
	e := models.NewLocalEmployee(email, fullName, models.RoleEmployee, models.RoleAdmin)
	e.User.PasswordHash = hash
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateEmployee(tx, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.AccountCreated, Actor: audit.System, SubjectID: e.UserID,
			Detail: "bootstrap administrator " + email + " from BOOTSTRAP_ADMIN_PASSWORD; roles +admin +employee"})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil // another instance created it at the same moment
	}
	if err != nil {
		return false, fmt.Errorf("create bootstrap admin %s: %w", email, err)
	}
	return true, nil
}
