package mail

import "strconv"

// Reset is what the password-reset mail says: the link that sets a new
// password, and how long it works.
type Reset struct {
	Name    string
	AppName string
	Link    string // absolute, from BASE_URL
	Minutes int
	// ForgotURL asks for a new link once this one has expired.
	ForgotURL string
}

// ResetSSO is the answer to a reset asked for an account that signs in with
// single sign-on only: it has no password here to reset.
type ResetSSO struct {
	Name      string
	AppName   string
	SignInURL string
}

// PasswordChanged tells a person that their password was just changed, so
// that someone who did not do it notices.
type PasswordChanged struct {
	Name      string
	AppName   string
	When      string
	ForgotURL string
}

// Invitation is the mail an administrator's invitation sends: a link to
// choose a password and sign in for the first time.
type Invitation struct {
	Name    string
	AppName string
	Inviter string
	Email   string
	Link    string // absolute, from BASE_URL
	Expires string
}

func minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}
