// Package ssopages holds the single sign-on module's own pages: the page
// that explains why a sign-in with an identity provider did not go ahead.
//
// ProblemPage is a plain, complete HTML page, the module's default. An app
// shows the problem inside its own layout instead through sso.Config.Pages,
// rendering ProblemSection in it (app/web does).
package ssopages

// Problem is what the SSO error page shows: a title, what happened and what
// to do, and the ways on.
type Problem struct {
	// Code names the problem ("state", "no_access", …) for tests and
	// support; the page carries it in data-problem.
	Code    string
	Title   string
	Message string
	// TryAgainURL starts a new sign-in; empty when trying again cannot help
	// (a deactivated account, an address outside the allowed domains).
	TryAgainURL string
	// BackURL and BackLabel lead back to the sign-in page or the profile.
	BackURL   string
	BackLabel string
	// SignedIn is true when someone is signed in (connecting a provider
	// from their profile): an app shows them its full layout.
	SignedIn bool
}
