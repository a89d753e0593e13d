// Package admin holds the administrators' pages: people, categories and
// sign-in settings.
package admin

import (
	"github.com/company-expenses/company-expenses/views/sessions"
	"github.com/company-expenses/company-expenses/views/ui"
)

// UserRow is one line of the people list.
type UserRow struct {
	ID          uint
	FullName    string
	Email       string
	Roles       string
	Department  string
	LastLogin   string
	Active      bool
	IsLocalUser bool
	Providers   []string
}

// Option is one choice of a select box.
type Option struct {
	Value string
	Label string
}

// UserForm is the create/edit form of a person, as typed.
type UserForm struct {
	ID           uint // 0 when creating
	FullName     string
	Email        string
	DepartmentID string
	ManagerID    string
	Roles        map[string]bool
	Active       bool
	IsLocalUser  bool
	HasPassword  bool
	Providers    []string
	Errors       ui.FieldErrors
	Departments  []Option
	Managers     []Option
	RoleOptions  []Option
	// Sessions are the person's live sessions (app/web/sessions.go); nil
	// leaves the card out.
	Sessions *sessions.List
	// PasswordSetup is SetupInvite or SetupPassword on the new-person
	// form; Invitation, on a local person's page, their invitation
	// (app/web/admin_invitations.go).
	PasswordSetup string
	Invitation    *Invitation
}

// Creating reports whether the form creates a new person.
func (f UserForm) Creating() bool { return f.ID == 0 }
