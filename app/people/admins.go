package people

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// adminLockID is the PostgreSQL advisory lock that serialises changes to
// the set of active administrators (bootstrap grants, demotions,
// deactivations). Any fixed number unique in the app does.
const adminLockID int64 = 0x61646d696e73 // "admins"

// lockAdmins makes the rest of transaction tx the only one changing who is
// an active administrator, so that "is there another admin?" and the
// change it allows are one step.
//
// SQLite needs nothing: the DSN's _txlock=immediate takes the database's
// write lock at BEGIN, so write transactions already run one at a time.
// PostgreSQL at READ COMMITTED would let two administrators demote each
// other, each counting the other as still there. Locking the admin rows
// (SELECT … FOR UPDATE) would not cover the bootstrap case, where there is
// no admin row to lock; a transaction-scoped advisory lock covers both and
// is released by COMMIT or ROLLBACK. Each statement after it sees what the
// previous holder committed.
func lockAdmins(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", adminLockID).Error; err != nil {
		return fmt.Errorf("lock administrators: %w", err)
	}
	return nil
}

// activeAdmins counts the active people who hold the admin role.
func activeAdmins(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&models.UserRole{}).
		Joins("JOIN users ON users.id = user_roles.user_id").
		Where("user_roles.role = ? AND users.active = ?", models.RoleAdmin, true).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count administrators: %w", err)
	}
	return n, nil
}

// OtherActiveAdmins counts the active administrators other than userID,
// under the same lock as the admin form's demotions, for a change in
// transaction tx that takes the role from userID without the form: an SSO
// sign-in following SSO_ROLE_MAP (app/provisioning). The lock is held
// until tx ends, so two last administrators losing their group at once
// cannot both lose the role.
func OtherActiveAdmins(tx *gorm.DB, userID uint) (int64, error) {
	if err := lockAdmins(tx); err != nil {
		return 0, err
	}
	var n int64
	err := tx.Model(&models.UserRole{}).
		Joins("JOIN users ON users.id = user_roles.user_id").
		Where("user_roles.role = ? AND users.active = ? AND users.id <> ?", models.RoleAdmin, true, userID).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count administrators: %w", err)
	}
	return n, nil
}
