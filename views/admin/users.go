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
	// Managed are the labels of the person's roles that the identity
	// provider manages (SSO_ROLE_MAP), and ManagedBy names the provider.
	Managed   []string
	ManagedBy string
	// NeedsManager marks an active SSO person without a manager.
	NeedsManager bool
}

// UserList is the people page: the rows shown, and the "Needs a manager"
// filter.
type UserList struct {
	Rows []UserRow
	// NeedsManagerOnly is set when the list shows only the people who need
	// a manager.
	NeedsManagerOnly bool
	// NeedsManager counts the active SSO people without a manager.
	NeedsManager int
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
	// JobTitle is what the identity provider's directory says; read-only.
	JobTitle  string
	Providers []string
	// Managed are the roles the identity provider manages for this person
	// (their boxes are disabled), and ManagedNote says why, next to them.
	Managed     map[string]bool
	ManagedNote string
	Errors      ui.FieldErrors
	Departments []Option
	Managers    []Option
	RoleOptions []Option
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
