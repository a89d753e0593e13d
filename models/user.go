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

// The roles of Company Expenses. Adding a role means adding it here, to
// AllRoles(), and teaching app/policy what it may do.
const (
	RoleEmployee Role = "employee"
	RoleManager  Role = "manager"
	RoleFinance  Role = "finance"
	RoleAdmin    Role = "admin"
)

// AllRoles lists every role in the order screens show them.
func AllRoles() []Role {
	return []Role{RoleEmployee, RoleManager, RoleFinance, RoleAdmin}
}

// Label is the role's name as people read it.
func (r Role) Label() string {
	switch r {
	case RoleEmployee:
		return "Employee"
	case RoleManager:
		return "Manager"
	case RoleFinance:
		return "Finance"
	case RoleAdmin:
		return "Administrator"
	}
	return string(r)
}

// Valid reports whether r is one of AllRoles().
func (r Role) Valid() bool { return slices.Contains(AllRoles(), r) }

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
	PasswordHash string     `gorm:"size:255;not null;default:''"`
	Active       bool       `gorm:"not null;index"`
	Roles        []UserRole `gorm:"constraint:OnDelete:CASCADE"`
	LastLoginAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
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

// RoleList returns the user's roles in the order of AllRoles().
func (u *User) RoleList() []Role {
	var out []Role
	for _, r := range AllRoles() {
		if u.HasRole(r) {
			out = append(out, r)
		}
	}
	return out
}

// SetRoles replaces the user's roles. Unknown roles are dropped.
func (u *User) SetRoles(roles []Role) {
	u.Roles = u.Roles[:0]
	for _, r := range AllRoles() {
		if slices.Contains(roles, r) {
			u.Roles = append(u.Roles, UserRole{UserID: u.ID, Role: r})
		}
	}
}

// HasPassword reports whether the account can sign in with a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }
