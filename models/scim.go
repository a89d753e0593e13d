package models

import "time"

// SCIMToken is a bearer token an identity provider uses to provision people
// through SCIM (app/scim). Only the SHA-256 hash of the token is stored: the
// token is 32 random bytes, so a hash without salt or stretching cannot be
// reversed or guessed (stretching protects low-entropy passwords, and a
// random 256-bit token has no dictionary to try), while it lets a request
// be checked with one indexed look-up.
type SCIMToken struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"size:100;not null"`
	// TokenHash is the hex SHA-256 of the token as the provider sends it.
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	// CreatedByID is the administrator who made it.
	CreatedByID *uint
	CreatedBy   *User `gorm:"constraint:OnDelete:SET NULL"`
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	// RevokedAt is set when an administrator revokes the token; a revoked
	// token is kept so that the list shows who used what until when.
	RevokedAt *time.Time `gorm:"index"`
}

// SCIMUser is a person as a SCIM client (an identity provider) provisioned
// them: the SCIM resource id the provider addresses them by, and the
// provider's own id (externalId), which links their first SSO sign-in to
// this account (see app/scim's SSO matching).
type SCIMUser struct {
	UserID uint `gorm:"primaryKey;autoIncrement:false"`
	User   User `gorm:"constraint:OnDelete:CASCADE"`
	// ResourceID is the SCIM "id": a random UUID, never reused.
	ResourceID string `gorm:"size:36;not null;uniqueIndex"`
	// ExternalID is the provider's immutable id (Entra: the user's
	// objectId, Okta: the user id), or empty.
	ExternalID string `gorm:"size:255;not null;default:'';index"`
	// UserName is the SCIM userName as sent; UserNameKey is it lower-cased,
	// unique, because userName is case-insensitive (RFC 7643 §4.1.1).
	UserName    string `gorm:"size:254;not null"`
	UserNameKey string `gorm:"size:254;not null;uniqueIndex"`
	GivenName   string `gorm:"size:200;not null;default:''"`
	FamilyName  string `gorm:"size:200;not null;default:''"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SCIMGroup is a group a SCIM client pushed. A group whose display name (or
// externalId) SSO_ROLE_MAP names grants that role to its members.
type SCIMGroup struct {
	ID          uint   `gorm:"primaryKey"`
	ResourceID  string `gorm:"size:36;not null;uniqueIndex"`
	DisplayName string `gorm:"size:255;not null"`
	ExternalID  string `gorm:"size:255;not null;default:''"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SCIMGroupMember is one person in one SCIM group.
type SCIMGroupMember struct {
	GroupID uint      `gorm:"primaryKey;autoIncrement:false"`
	Group   SCIMGroup `gorm:"constraint:OnDelete:CASCADE"`
	UserID  uint      `gorm:"primaryKey;autoIncrement:false;index"`
	User    User      `gorm:"constraint:OnDelete:CASCADE"`
}
