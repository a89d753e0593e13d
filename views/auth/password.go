package auth

import "github.com/company-expenses/company-expenses/views/ui"

// ForgotForm is the "Forgot your password?" form: the e-mail address, kept
// as typed, and the answer once it was sent.
type ForgotForm struct {
	Email  string
	Errors ui.FieldErrors
	// Problem is a message about the request as a whole (throttled).
	Problem string
	// Sent shows the answer, which is the same whether or not the address
	// has an account.
	Sent bool
	// Minutes is how long a reset link works, for the answer.
	Minutes int
}

// SetPasswordData is the page a reset or invitation link opens.
type SetPasswordData struct {
	// Action is where the form posts; Token travels in a hidden field.
	Action string
	Token  string
	// Invitation is true for a first password (an invitation), false for a
	// reset.
	Invitation bool
	Name       string
	Email      string
	// New is the new password as typed, kept only when it passed the
	// password rules and the confirmation alone was wrong.
	New     string
	Errors  ui.FieldErrors
	Problem string
}

// LinkInvalidData explains why a reset or invitation link does not work,
// and what to do instead.
type LinkInvalidData struct {
	Heading     string
	Message     string
	ActionURL   string
	ActionLabel string
}
