// Package profile holds the signed-in person's own profile page.
package profile

import "github.com/company-expenses/company-expenses/views/ui"

// Data is what the profile page shows.
type Data struct {
	Name        string
	Email       string
	Department  string
	Manager     string
	Roles       []string
	LastLogin   string
	IsLocalUser bool
	// HasPassword decides whether "change password" is offered: SSO accounts
	// have no password here.
	HasPassword    bool
	PasswordErrors ui.FieldErrors
}
