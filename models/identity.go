package models

import "time"

// Identity links a user to an account at a single sign-on provider. A
// returning sign-in is matched on (Provider, Subject), never on e-mail: an
// e-mail address can change hands, a provider's subject cannot.
type Identity struct {
	ID       uint   `gorm:"primaryKey"`
	Provider string `gorm:"size:100;not null;uniqueIndex:idx_identities_provider_subject"`
	Subject  string `gorm:"size:255;not null;uniqueIndex:idx_identities_provider_subject"`
	// Issuer is the OpenID Connect issuer that vouched for Subject (the ID
	// token's "iss"). A subject is unique only per issuer (OpenID Connect
	// Core §2), and Provider is a route name that stays "openid-connect"
	// when SSO_OIDC_ISSUER changes, so the SSO package refuses a sign-in
	// whose issuer differs from the one stored here. It is empty for
	// providers that are not OpenID Connect (GitHub, Google, Microsoft and
	// other goth providers, whose route name already fixes who issues the
	// subject), and for identities stored before issuers were recorded:
	// those take the issuer of their next sign-in.
	Issuer string `gorm:"size:500;not null;default:''"`
	UserID uint   `gorm:"not null;index"`
	User   User   `gorm:"constraint:OnDelete:CASCADE"`
	// The profile fields below are copied from the provider at every sign-in.
	Email       string `gorm:"size:254;not null;default:''"`
	Name        string `gorm:"size:200;not null;default:''"`
	AvatarURL   string `gorm:"size:1000;not null;default:''"`
	CreatedAt   time.Time
	LastLoginAt time.Time
}
