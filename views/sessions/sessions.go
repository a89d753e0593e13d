// Package sessions holds the list of a person's signed-in sessions, shown
// on their profile (to sign out one, or every other) and to administrators
// on the person's page (to sign out one, or all).
package sessions

// List is a person's live sessions with the forms that end them.
type List struct {
	// Heading and Intro head the card.
	Heading string
	Intro   string
	Rows    []Row
	// EndAllURL and EndAllLabel are the form that ends several sessions at
	// once: "Sign out everywhere else" on the profile, "Sign out of every
	// session" for an administrator. Empty URL: no such form (nothing
	// else to end).
	EndAllURL   string
	EndAllLabel string
	// Empty is said when there are no sessions.
	Empty string
}

// Row is one session in plain words.
type Row struct {
	// Device is the browser and system, "Chrome on macOS".
	Device string
	IP     string
	// Method is "Password" or "SSO · <provider>".
	Method   string
	Started  string
	LastSeen string
	// Current marks the session the page is seen in ("this one").
	Current bool
	// EndURL is where its "Sign out this one" form posts; empty for the
	// current session on the profile (the navigation's sign-out does it).
	EndURL   string
	EndLabel string
}
