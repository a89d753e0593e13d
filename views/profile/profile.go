// Package profile holds the signed-in person's own profile page.
package profile

import (
	"github.com/company-expenses/company-expenses/views/sessions"
	"github.com/company-expenses/company-expenses/views/ui"
)

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
	// MailNotifications is the person's "e-mail me notifications" choice.
	MailNotifications bool
	// TwoFactor is the two-factor sign-in card (accounts with a password).
	TwoFactor TwoFactor
	// SSO is the "Single sign-on" card: connected providers, and the
	// providers one may connect.
	SSO SSO
	// Sessions are the browsers where the person is signed in.
	Sessions sessions.List
}

// SSO is what the profile shows about single sign-on.
type SSO struct {
	// Enabled is false when no SSO provider is configured; the card is
	// then left out.
	Enabled bool
	// Linked are the providers connected to the account.
	Linked []LinkedProvider
	// Connect are the configured providers not connected yet.
	Connect []ConnectOption
	// CanConnect is true for accounts with a password: connecting asks for
	// it, so that someone at an unlocked computer cannot attach their own
	// SSO account to yours.
	CanConnect bool
	// ConnectError is the message beside the password field.
	ConnectError string
}

// LinkedProvider is one connected provider.
type LinkedProvider struct {
	Provider string
	Label    string
	Email    string
	LastUsed string
	// DisconnectURL is where the Disconnect button posts.
	DisconnectURL string
	// CanDisconnect is false for the last way to sign in.
	CanDisconnect bool
}

// ConnectOption is one provider the person may connect.
type ConnectOption struct {
	Provider string
	Label    string
	// URL is where the Connect button posts, with the current password.
	URL string
}
