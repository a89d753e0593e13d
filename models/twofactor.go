package models

import "time"

// TOTPCredential is a person's authenticator app (TOTP, RFC 6238): the
// second factor of a local account's password sign-in (app/twofactor).
//
// Secret is kept as the authenticator app has it (base32). It is not
// encrypted: the second factor guards against a guessed, reused or phished
// password, and whoever can read this table can also read the sessions
// table, so a key kept next to the database would add little. Recovery
// codes, which are shown once, are stored hashed.
type TOTPCredential struct {
	UserID uint   `gorm:"primaryKey;autoIncrement:false"`
	Secret string `gorm:"size:64;not null"`
	// ConfirmedAt is set once the person typed a code from the app; until
	// then the credential is an enrolment in progress and not asked for.
	ConfirmedAt *time.Time
	// LastStep is the 30-second step of the last code accepted, so that a
	// code seen over someone's shoulder cannot be used again.
	LastStep  int64 `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// RecoveryCode is one single-use code that stands in for the authenticator
// app. Hash is the SHA-256 of the code (high-entropy random codes need no
// slow hash).
type RecoveryCode struct {
	ID     uint   `gorm:"primaryKey"`
	UserID uint   `gorm:"not null;index"`
	Hash   string `gorm:"size:64;not null;uniqueIndex"`
	UsedAt *time.Time
}
