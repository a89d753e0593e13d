package sso

import (
	"context"

	"time"

	"gorm.io/gorm"
)

// ExampleOnFirstLogin shows the shape of a first-login hook. It is the
// Mendix tutorial's excluded Example_OnFirstLoginAppCloudUser and is deliberately NOT
// wired in anywhere.
//
// It creates a bare account in the app's users table (the table the
// identities reference; see AccountRef): signed in by SSO only (no password
// hash, so no password ever verifies), active, with no roles and no
// app-specific data. The module knows nothing else of the app's accounts,
// so the example writes the few columns every users table here has through a
// struct of its own. A real app needs more, and uses its own models. Company Expenses' hook, app/provisioning's
// OnFirstLogin, creates an Employee (the Mendix tutorial, step 9: the Create action on
// Expenses.Employee, with FullName and IsLocalUser = false), and app/app.go
// hands it to Start as Config.OnFirstLogin (the Mendix tutorial, step 6).
//
// To write your own hook:
//
//   - Create the account through tx, the sign-in's transaction, so that a
//     failure leaves nothing behind. Return the new user's id.
//   - Use p.Email as the login e-mail. It is lower-cased and verified, no
//     account uses it yet, and it passes Config.AllowedDomains.
//   - Return a *Problem to refuse the person with a message of your own, for
//     example when your company keeps a list of who may use the app.
//   - Do not store the identity yourself. The package stores it after your
//     hook returns, in the same transaction.
func ExampleOnFirstLogin(ctx context.Context, tx *gorm.DB, p Profile) (uint, error) {
	now := time.Now().UTC()
	u := exampleUser{Email: p.Email, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := tx.WithContext(ctx).Create(&u).Error; err != nil {
		return 0, err
	}
	return u.ID, nil
}

// exampleUser is the part of an app's users row that ExampleOnFirstLogin
// writes.
type exampleUser struct {
	ID        uint `gorm:"primaryKey"`
	Email     string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (exampleUser) TableName() string { return "users" }
