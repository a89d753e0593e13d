package sso

import "time"

// Identity links an account of the app to an account at a single sign-on
// provider. It is the module's own table, identities. A returning sign-in is
// matched on (Provider, Subject), never on e-mail: an e-mail address can
// change hands, a provider's subject cannot.
//
// The table and its columns are the ones models.Identity had before the
// module owned them, so existing databases keep working unchanged.
type Identity struct {
	ID       uint   `gorm:"primaryKey"`
	Provider string `gorm:"size:100;not null;uniqueIndex:idx_identities_provider_subject"`
	Subject  string `gorm:"size:255;not null;uniqueIndex:idx_identities_provider_subject"`
	// Issuer is the OpenID Connect issuer that vouched for Subject (the ID
	// token's "iss"). A subject is unique only per issuer (OpenID Connect
	// Core §2), and Provider is a route name that stays "openid-connect"
	// when SSO_OIDC_ISSUER changes, so the module refuses a sign-in whose
	// issuer differs from the one stored here. It is empty for providers
	// that are not OpenID Connect (GitHub, Google, Microsoft and other goth
	// providers, whose route name already fixes who issues the subject),
	// and for identities stored before issuers were recorded: those take
	// the issuer of their next sign-in.
	Issuer string `gorm:"size:500;not null;default:''"`
	// UserID is the app's account: the id the hooks return and take.
	UserID uint `gorm:"not null;index"`
	// User makes user_id a foreign key to the app's users(id), deleted
	// with the account. It is only the reference: the module never reads
	// accounts itself, it asks the App hooks.
	User AccountRef `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	// The profile fields below are copied from the provider at every sign-in.
	Email       string `gorm:"size:254;not null;default:''"`
	Name        string `gorm:"size:200;not null;default:''"`
	AvatarURL   string `gorm:"size:1000;not null;default:''"`
	CreatedAt   time.Time
	LastLoginAt time.Time
}

// TableName fixes the table's name, whatever gorm's naming strategy.
func (Identity) TableName() string { return "identities" }

// AccountRef is the app's account as the identities table references it:
// the table users with an integer primary key id. That is the one thing the
// module assumes about the app's schema; everything else about accounts goes
// through App.
type AccountRef struct {
	ID uint `gorm:"primaryKey"`
}

// TableName is the app's accounts table.
func (AccountRef) TableName() string { return "users" }

// Models are the module's tables, for the app's schema migration (the app
// runs them with its own, under its own migration lock): identities, the
// logout tokens already used (LogoutToken), the SAML assertions already
// used (SAMLAssertionUse) and the SAML sign-ins in progress (SAMLRequest).
// Migrate them after the app's users table, which
// identities references.
func Models() []any { return []any{&Identity{}, &LogoutToken{}, &SAMLAssertionUse{}, &SAMLRequest{}} }
