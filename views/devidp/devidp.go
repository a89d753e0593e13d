// Package devidp holds the pages of the development identity provider
// (app/devidp): the identity picker and its error page.
//
// The provider is conceptually another web site, the company's SSO, that
// happens to be served by the app in development. Its pages therefore stand
// alone and do not use the app's master layout or navigation widget.
package devidp

// Form field names shared by the picker page and the handler that reads it.
// They live here, next to the markup, so the two cannot drift apart.
const (
	// FieldRequest carries the signed authorization request through the
	// picker, so the handler never trusts re-posted raw parameters.
	FieldRequest = "authz"
	// FieldSubject names the demo identity the visitor picked.
	FieldSubject = "subject"
	// FieldName and FieldEmail describe "someone new".
	FieldName  = "name"
	FieldEmail = "email"
	// FieldGroups lists someone new's groups, separated by commas.
	FieldGroups = "groups"
	// FieldUnverified asks for email_verified: false.
	FieldUnverified = "unverified"
	// FieldCSRF is the host app's CSRF token field.
	FieldCSRF = "_csrf"
)

// DefaultStylesheet is the app's stylesheet, linked when the provider was
// given no fingerprinted URL.
const DefaultStylesheet = "/static/css/app.css"

// Identity is one demo identity offered as a button on the picker.
type Identity struct {
	Subject   string
	Name      string
	Email     string
	AvatarURL string
	// EmailUnverified marks an identity whose address is sent unverified.
	EmailUnverified bool
	// Groups are sent in the groups claim; GroupsOverage sends Entra ID's
	// overage pointer instead.
	Groups        []string
	GroupsOverage bool
	// Status is what signing in as the identity will do in the app; the
	// zero Status shows nothing.
	Status Status
}

// StatusKind names what signing in as an identity will do in the app. It is
// also the data-status attribute of the identity's status, for tests.
type StatusKind string

// The kinds of Status; the empty kind shows nothing.
const (
	StatusLinked      StatusKind = "linked"
	StatusNew         StatusKind = "new"
	StatusClash       StatusKind = "clash"
	StatusDeactivated StatusKind = "deactivated"
	StatusOtherIssuer StatusKind = "other-issuer"
)

// Status is what the app says about an identity; app/devidp shows its
// Config.Status answer as it is (devidp.Status is this type).
type Status struct {
	Kind StatusKind
	// Name is the account's name in the app (linked, deactivated).
	Name string
	// Issuer is the issuer the identity is linked with (other-issuer).
	Issuer string
	// HasPassword: the clashing account signs in with a password.
	HasPassword bool
	// Relinks: the app re-links the identity to this provider when it
	// starts (other-issuer).
	Relinks bool
}

// Picker is everything the identity picker page shows.
type Picker struct {
	// Stylesheet is the URL of the app's stylesheet.
	Stylesheet string
	// ClientID is the application asking for a sign-in.
	ClientID string
	// RedirectURI is where the chosen identity will be sent, shown so a
	// developer can see which callback is in play.
	RedirectURI string
	// Action is the URL the picker's forms post to.
	Action string
	// Request is the signed authorization request, echoed in every form.
	Request string
	// CSRFToken is the host app's CSRF token; no field is rendered when empty.
	CSRFToken string
	// Identities are the demo identities, one button each.
	Identities []Identity
	// NewName and NewEmail keep what was typed into "Someone new".
	NewName       string
	NewEmail      string
	NewGroups     string
	NewUnverified bool
	// NameError and EmailError are validation messages shown by the fields.
	NameError   string
	EmailError  string
	GroupsError string
	// CancelURL returns error=access_denied to the application.
	CancelURL string
}

// Error is a page for requests that cannot be sent back to the application,
// for example an unknown client or an unregistered redirect URI.
type Error struct {
	Stylesheet string
	Heading    string
	Message    string
}
