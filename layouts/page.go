// Package layouts holds the master layout that every full page renders
// through, the navigation widget it embeds, and the view model they share.
//
// This mirrors the Mendix tutorial's AppCloudMasterLayout: apply Master to every page,
// including error pages and pages reached by deep links, and the navigation
// widget comes with it.
package layouts

// Page is the request-scoped view model every page receives: who is signed
// in, the CSRF token for forms, the menu, and flash messages. Handlers build
// it once per request (app/web) and pages add their own data beside it.
type Page struct {
	Title   string
	AppName string
	// Env is "development" or "production"; development shows a badge.
	Env       string
	CSRFToken string
	// Path is the request path, to mark the current menu entry.
	Path   string
	Viewer *Viewer
	Apps   []AppLink
	Menu   []MenuItem
	Flash  []Flash
}

// Viewer is the signed-in person as the navigation widget shows them.
type Viewer struct {
	ID        uint
	Name      string
	Email     string
	Initials  string
	AvatarURL string
	Roles     []string
	// AccountKind is "Local account" or "SSO · <provider name>".
	AccountKind string
	IsSSO       bool
}

// AppLink is one entry of the app switcher.
type AppLink struct {
	Name    string
	URL     string
	Current bool
}

// MenuItem is one entry of the role-aware main menu. Badge is a pending count
// (0 hides it).
type MenuItem struct {
	Label  string
	URL    string
	Badge  int64
	Active bool
}

// FlashKind styles a flash message.
type FlashKind string

// Flash kinds.
const (
	FlashSuccess FlashKind = "success"
	FlashInfo    FlashKind = "info"
	FlashError   FlashKind = "error"
)

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    FlashKind
	Message string
}

// IsDevelopment reports whether the environment badge should show.
func (p Page) IsDevelopment() bool { return p.Env == "development" }

// WithTitle returns a copy of p with the given title.
func (p Page) WithTitle(title string) Page {
	p.Title = title
	return p
}
