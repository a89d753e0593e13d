package audit

// Kind names one kind of security-relevant event. The constants below are
// the complete list, in the order the admin page's filter offers them; README's
// "Audit log" section repeats it. A fork that records something new adds
// its constant here, with its label in kinds.
type Kind string

// Sign-in and sessions.
const (
	// SignInSucceeded: someone signed in. Detail is the method
	// ("password", "sso:openid-connect", "saml").
	SignInSucceeded Kind = "sign_in.succeeded"
	// SignInFailed: a password prompt refused a password, or a correct
	// password of a deactivated account, or the SSO module's account rules
	// refused a sign-in (actor provider:<name>). Detail holds the e-mail
	// address tried; the subject is set when it belongs to an account. The
	// sign-in page's answer never says whether it does.
	SignInFailed Kind = "sign_in.failed"
	// SignedOut: someone signed out themselves.
	SignedOut Kind = "sign_out"
	// SignInLockCleared: an administrator lifted a sign-in lock.
	SignInLockCleared Kind = "sign_in.lock_cleared"
	// SessionsEnded: sessions ended by someone other than their owner's own
	// sign-out (an administrator, "sign out everywhere else", a deactivation).
	SessionsEnded Kind = "session.ended"
	// BackChannelLogout: the identity provider's back-channel logout ended
	// a person's sessions.
	BackChannelLogout Kind = "sso.backchannel_logout"
)

// Accounts.
const (
	// AccountCreated: an account was made, by an administrator, by a first
	// SSO sign-in (actor provider:<name>), by SCIM, or at start-up.
	AccountCreated Kind = "account.created"
	// RolesChanged: roles granted or taken away. Detail is the difference,
	// "+admin -manager".
	RolesChanged Kind = "account.roles_changed"
	// AccountDeactivated and AccountReactivated: the account's active flag.
	AccountDeactivated Kind = "account.deactivated"
	AccountReactivated Kind = "account.reactivated"
	// PasswordChanged: a person changed their own password (profile) or
	// set a new one through a reset link.
	PasswordChanged Kind = "account.password_changed"
	// PasswordSet: an administrator set someone's password.
	PasswordSet Kind = "account.password_set"
	// PasswordResetRequested: someone asked for a reset link.
	PasswordResetRequested Kind = "account.password_reset_requested"
	// BootstrapAdminGranted: BOOTSTRAP_ADMINS made a person the first
	// administrator.
	BootstrapAdminGranted Kind = "account.bootstrap_admin"
	// InvitationSent, InvitationRevoked and InvitationAccepted: an
	// administrator invited a local person by e-mail, withdrew the
	// invitation, or the person set their password through it.
	InvitationSent     Kind = "account.invitation_sent"
	InvitationRevoked  Kind = "account.invitation_revoked"
	InvitationAccepted Kind = "account.invitation_accepted"
	// TwoFactorEnabled and TwoFactorDisabled: a person turned two-factor
	// sign-in on or off; RecoveryCodesRenewed: they made new recovery
	// codes (the old ones stopped working).
	TwoFactorEnabled     Kind = "account.two_factor_enabled"
	TwoFactorDisabled    Kind = "account.two_factor_disabled"
	RecoveryCodesRenewed Kind = "account.recovery_codes_renewed"
)

// Single sign-on and provisioning.
const (
	// SSOLinked and SSOUnlinked: an identity provider connected to or
	// disconnected from an account. Detail names the provider and subject.
	SSOLinked   Kind = "sso.linked"
	SSOUnlinked Kind = "sso.unlinked"
	// SCIMUserProvisioned, SCIMUserUpdated, SCIMUserDeactivated: SCIM's
	// changes to a person (actor scim:<token name>).
	SCIMUserProvisioned Kind = "scim.user_provisioned"
	SCIMUserUpdated     Kind = "scim.user_updated"
	SCIMUserDeactivated Kind = "scim.user_deactivated"
	// SCIMGroupChanged: a SCIM group's members changed (and with them the
	// roles it maps to).
	SCIMGroupChanged Kind = "scim.group_changed"
	// SCIMTokenCreated and SCIMTokenRevoked: an administrator made or
	// revoked a SCIM bearer token. Detail names the token, never its value.
	SCIMTokenCreated Kind = "scim.token_created"
	SCIMTokenRevoked Kind = "scim.token_revoked"
	// SettingsChanged: an administrator changed a setting. Detail names it.
	SettingsChanged Kind = "settings.changed"
)

// kinds lists every kind with its label, in the filter's order.
var kinds = []struct {
	kind  Kind
	label string
}{
	{SignInSucceeded, "Signed in"},
	{SignInFailed, "Sign-in failed"},
	{SignedOut, "Signed out"},
	{SignInLockCleared, "Sign-in lock cleared"},
	{SessionsEnded, "Sessions ended"},
	{BackChannelLogout, "Signed out by the identity provider"},
	{AccountCreated, "Account created"},
	{RolesChanged, "Roles changed"},
	{AccountDeactivated, "Account deactivated"},
	{AccountReactivated, "Account reactivated"},
	{PasswordChanged, "Password changed"},
	{PasswordSet, "Password set by an administrator"},
	{PasswordResetRequested, "Password reset requested"},
	{BootstrapAdminGranted, "First administrator"},
	{InvitationSent, "Invitation sent"},
	{InvitationRevoked, "Invitation revoked"},
	{InvitationAccepted, "Invitation accepted"},
	{TwoFactorEnabled, "Two-factor sign-in turned on"},
	{TwoFactorDisabled, "Two-factor sign-in turned off"},
	{RecoveryCodesRenewed, "Recovery codes renewed"},
	{SSOLinked, "SSO connected"},
	{SSOUnlinked, "SSO disconnected"},
	{SCIMUserProvisioned, "SCIM: person provisioned"},
	{SCIMUserUpdated, "SCIM: person updated"},
	{SCIMUserDeactivated, "SCIM: person deactivated"},
	{SCIMGroupChanged, "SCIM: group changed"},
	{SCIMTokenCreated, "SCIM token created"},
	{SCIMTokenRevoked, "SCIM token revoked"},
	{SettingsChanged, "Settings changed"},
}

// Kinds returns every kind, in the order the admin page offers them.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.kind
	}
	return out
}

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool {
	for _, d := range kinds {
		if d.kind == k {
			return true
		}
	}
	return false
}

// Label is the kind as administrators read it ("Sign-in failed").
func (k Kind) Label() string {
	for _, d := range kinds {
		if d.kind == k {
			return d.label
		}
	}
	return string(k)
}
