package models

import "time"

// Session is a signed-in browser. The cookie holds a random id; the table holds
// only its SHA-256 hash, so a leaked database does not leak usable cookies.
// Because sessions live in the database, any instance can serve any request,
// an administrator can revoke them, and a deactivated user is out at once.
type Session struct {
	TokenHash  string    `gorm:"primaryKey;size:64"`
	UserID     uint      `gorm:"not null;index"`
	User       User      `gorm:"constraint:OnDelete:CASCADE"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	// ExpiresAt is the absolute expiry; idle expiry is checked against LastSeenAt.
	ExpiresAt time.Time `gorm:"not null;index"`
	// AuthMethod says how the session signed in: "password" or "sso:<provider>".
	AuthMethod string `gorm:"size:100;not null;default:''"`
	UserAgent  string `gorm:"size:300;not null;default:''"`
	IP         string `gorm:"size:64;not null;default:''"`
	// The provider's side of an SSO session, for single sign-out: the
	// issuer, subject and session id ("sid") of the sign-in, which a
	// back-channel logout names, and its ID token, which RP-initiated
	// logout sends back as id_token_hint. They stay in this table, never
	// in a cookie. The ID token is kept only where RP-initiated logout is
	// on (SSO_OIDC_END_SESSION).
	ProviderIssuer  string `gorm:"size:500;not null;default:'';index:idx_sessions_provider_subject,priority:1;index:idx_sessions_provider_sid,priority:1"`
	ProviderSubject string `gorm:"size:255;not null;default:'';index:idx_sessions_provider_subject,priority:2"`
	ProviderSID     string `gorm:"column:provider_sid;size:255;not null;default:'';index:idx_sessions_provider_sid,priority:2"`
	IDToken         string `gorm:"column:id_token;not null;default:''"`
}

// LoginAttempt records a sign-in attempt, for throttling per account, per
// IP address and per trusted device: reserved before the password is
// checked, kept when the check fails. It is a table rather than memory so
// that throttling holds when several instances serve the same users.
type LoginAttempt struct {
	ID    uint      `gorm:"primaryKey"`
	Email string    `gorm:"size:254;not null;index:idx_login_attempts_email_at"`
	IP    string    `gorm:"size:64;not null;index:idx_login_attempts_ip_at"`
	At    time.Time `gorm:"not null;index:idx_login_attempts_email_at;index:idx_login_attempts_ip_at;index:idx_login_attempts_device_at"`
	// Device is the id of the trusted-device cookie the attempt came with,
	// or "" from an untrusted client; see auth.Throttle.
	Device string `gorm:"size:64;not null;default:'';index:idx_login_attempts_device_at,priority:1"`
}
