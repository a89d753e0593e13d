package admin

// The choices of the new-person form's password question.
const (
	// SetupInvite sends an invitation: the person chooses their password.
	SetupInvite = "invite"
	// SetupPassword sets a password now, typed by the administrator.
	SetupPassword = "password"
)

// Invitation is the invitation part of the page of a local person who has
// no password yet.
type Invitation struct {
	UserID uint
	Name   string
	// Pending is true while a link exists, expired or not; Sent and Expires
	// say when it was sent and when it stops (or stopped) working.
	Pending bool
	Expired bool
	Sent    string
	Expires string
}
