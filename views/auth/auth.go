// Package auth holds the pages of signing in and out.
package auth

import "github.com/company-expenses/company-expenses/views/ui"

// LoginForm is the e-mail and password form, re-rendered with what the
// person typed (never the password) and the messages for each field.
type LoginForm struct {
	Email  string
	Next   string
	Errors ui.FieldErrors
	// Problem is a message about the attempt as a whole ("wrong e-mail or
	// password", "too many attempts").
	Problem string
}

// SSOButton is one "Sign in with …" button.
type SSOButton struct {
	Label string
	URL   string
	// Unreachable, when set, says the provider cannot be reached now; the
	// button is shown disabled with this note.
	Unreachable string
}

// DemoAccount is listed on the sign-in page in development.
type DemoAccount struct {
	Email string
	Role  string
}

// LoginData is everything the sign-in page shows.
type LoginData struct {
	Form         LoginForm
	ShowPassword bool
	SSO          []SSOButton
	Demo         []DemoAccount
	DemoPassword string
	Notice       string
}
