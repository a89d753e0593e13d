// Package models holds the gorm models of Company Expenses and the invariants
// that belong to the data itself. It knows nothing of HTTP or HTML.
package models

import (
	"slices"
	"strings"
	"time"
)

// Role names a set of permissions. A person may hold several roles.
type Role string

// The template's own roles. Modules add theirs (the expenses demo: manager
// and finance) through module.Module.Roles; app/app.go collects them into
// the Roles registry (roles.go) that screens and validation use.
const (
	// RoleEmployee is everybody's base role: every person created in the
	// app (seed, admin screen, first SSO login) holds it.
	RoleEmployee Role = "employee"
	RoleAdmin    Role = "admin"
)

// User is the account that signs in: the Go counterpart of Mendix's
// System.User. It holds only what authentication needs; the person behind the
// account lives in Employee, which extends User.
type User struct {
	ID uint `gorm:"primaryKey"`
	// Email is the login name, stored lower-cased so that comparisons behave
	// the same on SQLite and PostgreSQL.
	Email string `gorm:"size:254;not null;uniqueIndex"`
	// PasswordHash is empty for accounts that sign in only through SSO: an
	// empty hash never verifies.
	PasswordHash string `gorm:"size:255;not null;default:''"`
	Active       bool   `gorm:"not null;index"`
	// MailNotifications is the person's "e-mail me" choice on their
	// profile: the notification mails of the app's modules ("something
	// waits for you") go out only while it is on. New accounts have it on
	// (the column's default; gorm leaves the zero value out of an INSERT).
	MailNotifications bool       `gorm:"not null;default:true"`
	Roles             []UserRole `gorm:"constraint:OnDelete:CASCADE"`
	LastLoginAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// UserRole is one role held by one user.
type UserRole struct {
	UserID uint `gorm:"primaryKey;autoIncrement:false"`
	Role   Role `gorm:"primaryKey;size:32"`
}

// NormalizeEmail trims and lower-cases an e-mail address.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// HasRole reports whether the user holds role r.
func (u *User) HasRole(r Role) bool {
	for _, ur := range u.Roles {
		if ur.Role == r {
			return true
		}
	}
	return false
}

// RoleList returns the user's roles, each once, in the order they were
// set (Roles.Of orders them as screens show them).
func (u *User) RoleList() []Role {
	var out []Role
	for _, ur := range u.Roles {
		if !slices.Contains(out, ur.Role) {
			out = append(out, ur.Role)
		}
	}
	return out
}

// SetRoles replaces the user's roles, each kept once. Which roles exist is
// the Roles registry's business: callers that take roles from people
// (app/people) check them against it first.
func (u *User) SetRoles(roles []Role) {
	u.Roles = u.Roles[:0]
	for _, r := range roles {
		if r != "" && !u.HasRole(r) {
			u.Roles = append(u.Roles, UserRole{UserID: u.ID, Role: r})
		}
	}
}

// HasPassword reports whether the account can sign in with a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }
