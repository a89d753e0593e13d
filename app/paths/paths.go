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
	// ForgotPassword asks for a password-reset link; PasswordReset is the
	// page that link opens (the token in the query string, which the
	// request log leaves out) and Invitation the page an invitation opens.
	ForgotPassword = "/password/forgot"
	PasswordReset  = "/password/reset"
	Invitation     = "/invitation"
	// ProfileConnectPattern starts linking an SSO provider to the signed-in
	// person; ProfileDisconnectPattern removes a linked identity.
	ProfileConnectPattern    = Profile + "/sso/:provider/connect"
	ProfileDisconnectPattern = Profile + "/sso/identities/:id/disconnect"
	// The signed-in person's sessions (app/web/sessions.go): sign out one
	// of them, or every one but this.
	ProfileSessionEndPattern = Profile + "/sessions/:handle/end"
	ProfileSessionsEndOthers = Profile + "/sessions/end-others"
	// An administrator ends a person's sessions: one, or all of them.
	AdminUserSessionEndPattern = AdminUserPattern + "/sessions/:handle/end"
	AdminUserSessionsEndAll    = AdminUserPattern + "/sessions/end-all"
	// LoginCode is the second step of a password sign-in with two-factor
	// sign-in on; ProfileTwoFactor sets it up (GET, and POST to confirm),
	// and the two below turn it off and replace the recovery codes.
	LoginCode        = Login + "/code"
	ProfileTwoFactor = Profile + "/two-factor"
	// ProfileNotifications (POST) turns the person's notification mails on
	// or off.
	ProfileNotifications     = Profile + "/notifications"
	ProfileTwoFactorDisable  = ProfileTwoFactor + "/disable"
	ProfileTwoFactorRecovery = ProfileTwoFactor + "/recovery-codes"

	AdminUsers       = "/admin/users"
	AdminUsersNew    = "/admin/users/new"
	AdminUserPattern = "/admin/users/:id"
	// AdminUserInvitationPattern (POST) sends a person a new invitation;
	// AdminUserInvitationRevokePattern (POST) revokes the pending one.
	AdminUserInvitationPattern       = AdminUserPattern + "/invitation"
	AdminUserInvitationRevokePattern = AdminUserInvitationPattern + "/revoke"
	AdminSettings                    = "/admin/settings"
	// AdminSCIMTokens (POST) makes a SCIM bearer token;
	// AdminSCIMTokenRevokePattern (POST) revokes one.
	AdminSCIMTokens             = AdminSettings + "/scim-tokens"
	AdminSCIMTokenRevokePattern = AdminSCIMTokens + "/:id/revoke"
	// AdminSignInLocks lists the sign-in throttle's current locks;
	// AdminSignInLocksClear (POST) lifts one.
	AdminSignInLocks      = "/admin/sign-in-locks"
	AdminSignInLocksClear = AdminSignInLocks + "/clear"
	// AdminMail lists mail not delivered; AdminMailTest (POST) sends the
	// administrator a test mail. DevMail is the development mail viewer.
	AdminMail     = "/admin/mail"
	AdminMailTest = AdminMail + "/test"
	DevMail       = "/dev/mail"
	// AdminAudit is the audit log; AdminAuditCSV exports it with the same
	// filters.
	AdminAudit            = "/admin/audit"
	AdminAuditCSV         = "/admin/audit.csv"
	DevMailMessagePattern = DevMail + "/:id"
)

// AdminUser is the edit page of one user.
func AdminUser(id uint) string { return AdminUsers + "/" + strconv.FormatUint(uint64(id), 10) }

// AdminUserInvitation is where a person's page posts to send a new
// invitation.
func AdminUserInvitation(id uint) string { return AdminUser(id) + "/invitation" }

// AdminUserInvitationRevoke is where a person's page posts to revoke it.
func AdminUserInvitationRevoke(id uint) string { return AdminUserInvitation(id) + "/revoke" }

// PasswordResetLink is the page a password-reset mail links to.
func PasswordResetLink(token string) string {
	return PasswordReset + "?token=" + url.QueryEscape(token)
}

// InvitationLink is the page an invitation mail links to.
func InvitationLink(token string) string { return Invitation + "?token=" + url.QueryEscape(token) }

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

// ProfileSessionEnd signs out the signed-in person's session with this
// handle (auth.ActiveSession.Handle).
func ProfileSessionEnd(handle string) string {
	return Profile + "/sessions/" + url.PathEscape(handle) + "/end"
}

// AdminUserSessionEnd ends one session of the person with this user id.
func AdminUserSessionEnd(id uint, handle string) string {
	return AdminUser(id) + "/sessions/" + url.PathEscape(handle) + "/end"
}

// AdminUserSessionsEnd ends every session of the person with this user id.
func AdminUserSessionsEnd(id uint) string { return AdminUser(id) + "/sessions/end-all" }

// AdminAuditFiltered is the audit log with a query string (person, kind,
// before or after).
func AdminAuditFiltered(query url.Values) string { return WithQuery(AdminAudit, query) }

// AdminAuditCSVFiltered is the audit log's CSV export with a query string.
func AdminAuditCSVFiltered(query url.Values) string { return WithQuery(AdminAuditCSV, query) }

// AdminUsersNeedingManager is the People page filtered to the people who
// sign in with SSO and have no manager yet.
const AdminUsersNeedingManager = AdminUsers + "?needs=manager"

// withQuery adds an encoded query string to path, if there is one.
func WithQuery(path string, query url.Values) string {
	if len(query) == 0 {
		return path
	}
	return path + "?" + query.Encode()
}

// AdminSCIMTokenRevoke is the URL that revokes SCIM token id.
func AdminSCIMTokenRevoke(id uint) string {
	return AdminSCIMTokens + "/" + strconv.FormatUint(uint64(id), 10) + "/revoke"
}
