package people

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/models"
)

// A fresh production deployment has no administrator: demo data is refused
// there, and SSO provisions plain employees. BOOTSTRAP_ADMINS names the
// people who become administrators; these two functions make it so.

// GrantBootstrapAdmin gives userID the admin role when their e-mail is one
// of emails. The web layer calls it at every sign-in, so a listed person is
// an administrator from their first SSO sign-in on, without a restart. It
// reports whether it granted the role.
func (s *Service) GrantBootstrapAdmin(ctx context.Context, userID uint, emails []string) (bool, error) {
	if len(emails) == 0 {
		return false, nil
	}
	var u models.User
	if err := s.db.WithContext(ctx).Preload("Roles").Take(&u, userID).Error; err != nil {
		return false, fmt.Errorf("load user %d: %w", userID, err)
	}
	if u.HasRole(models.RoleAdmin) || !slices.Contains(emails, models.NormalizeEmail(u.Email)) {
		return false, nil
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.UserRole{UserID: userID, Role: models.RoleAdmin}).Error
	if err != nil {
		return false, fmt.Errorf("grant admin to user %d: %w", userID, err)
	}
	return true, nil
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
	err = models.CreateEmployee(s.db.WithContext(ctx), e)
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil // another instance created it at the same moment
	}
	if err != nil {
		return false, fmt.Errorf("create bootstrap admin %s: %w", email, err)
	}
	return true, nil
}
