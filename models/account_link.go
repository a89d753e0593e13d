package models

import "time"

// AccountLink is a single-use link that lets a person choose their own
// password: a password reset they asked for, or an invitation an
// administrator sent (Purpose). The mail carries a random token; the table
// holds only its SHA-256 hash, so a leaked database holds no usable link.
//
// A person has at most one outstanding link per purpose (the unique index
// on user and purpose): asking again replaces the old link, which stops
// working at once. Using a link deletes it, so it works once.
type AccountLink struct {
	ID        uint      `gorm:"primaryKey"`
	UserID    uint      `gorm:"not null;uniqueIndex:idx_account_links_user_purpose,priority:1"`
	User      User      `gorm:"constraint:OnDelete:CASCADE"`
	Purpose   string    `gorm:"size:16;not null;uniqueIndex:idx_account_links_user_purpose,priority:2"`
	TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
	// CreatedBy is the administrator who sent an invitation; nil for a
	// reset the person asked for.
	CreatedBy *uint
}
