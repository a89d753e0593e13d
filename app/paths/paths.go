// Package paths names every URL of the template once. Routes are
// registered with these constants and pages link with these functions, so a
// URL is never typed twice and renaming one is a one-line change. A module
// names its own URLs in a package of its own (the expenses demo's:
// app/expenses/expensepaths), so that deleting the module deletes them.
package paths

import (
	"net/url"
	"strconv"
)

// Fixed paths. The route patterns with parameters are the *Pattern constants.
const (
	Home      = "/"
	Healthz   = "/healthz"
	Readyz    = "/readyz"
	Login     = "/login"
	Logout    = "/logout"
	SignedOut = "/signed-out"
	Profile   = "/profile"
	Password  = "/profile/password"
	// ProfileConnectPattern starts linking an SSO provider to the signed-in
	// person; ProfileDisconnectPattern removes a linked identity.
	ProfileConnectPattern    = Profile + "/sso/:provider/connect"
	ProfileDisconnectPattern = Profile + "/sso/identities/:id/disconnect"

	AdminUsers       = "/admin/users"
	AdminUsersNew    = "/admin/users/new"
	AdminUserPattern = "/admin/users/:id"
	AdminSettings    = "/admin/settings"
	// AdminSignInLocks lists the sign-in throttle's current locks;
	// AdminSignInLocksClear (POST) lifts one.
	AdminSignInLocks      = "/admin/sign-in-locks"
	AdminSignInLocksClear = AdminSignInLocks + "/clear"
	// AdminMail lists mail not delivered; AdminMailTest (POST) sends the
	// administrator a test mail. DevMail is the development mail viewer.
	AdminMail             = "/admin/mail"
	AdminMailTest         = AdminMail + "/test"
	DevMail               = "/dev/mail"
	DevMailMessagePattern = DevMail + "/:id"
)

// AdminUser is the edit page of one user.
func AdminUser(id uint) string { return AdminUsers + "/" + strconv.FormatUint(uint64(id), 10) }

// LoginNext is the sign-in page that returns to next afterwards.
func LoginNext(next string) string {
	if next == "" || next == Home {
		return Login
	}
	return Login + "?next=" + url.QueryEscape(next)
}

// SafeNext returns next when it is a path on this site, and Home otherwise.
// It refuses absolute URLs, scheme-relative "//host" and "/\host" forms
// (browsers treat a backslash as a slash), and anything with control
// characters, so a return target can never send someone off-site.
func SafeNext(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' {
		return Home
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return Home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return Home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return Home
	}
	return next
}

// ProfileConnect is where the profile page posts to link provider.
func ProfileConnect(provider string) string {
	return Profile + "/sso/" + url.PathEscape(provider) + "/connect"
}

// ProfileDisconnect is where the profile page posts to unlink an identity.
func ProfileDisconnect(identityID uint) string {
	return Profile + "/sso/identities/" + strconv.FormatUint(uint64(identityID), 10) + "/disconnect"
}

// DevMailMessage is one mail in the development mail viewer.
func DevMailMessage(id uint) string { return DevMail + "/" + strconv.FormatUint(uint64(id), 10) }
