package sso

import (
	"errors"
	"fmt"
	"time"

	"github.com/crewjam/saml"
	"gorm.io/gorm"
)

// SAMLAssertionUse records a SAML assertion this app accepted, until it
// expires: the table saml_assertion_uses. An assertion is a bearer token; a
// copy of one (from a proxy log, a shared computer's history, a malicious
// browser extension) would sign its holder in again for as long as it is
// valid. The row makes each assertion good for one sign-in, on every
// instance of the app, because they share the database.
type SAMLAssertionUse struct {
	// Key is the provider's route name and the assertion's ID.
	Key       string    `gorm:"primaryKey;size:400"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

// TableName fixes the table's name, whatever gorm's naming strategy.
func (SAMLAssertionUse) TableName() string { return "saml_assertion_uses" }

// Consume is crewjam's replay cache (saml.AssertionReplayCache) on that
// table: it records id as used, and refuses it when it already was. The
// primary key decides, so two instances receiving the same assertion at the
// same moment cannot both accept it.
func (sp *samlProvider) Consume(id string, expiresAt time.Time) error {
	if sp.db == nil {
		return errors.New("sso: no database for the SAML replay check")
	}
	now := sp.now().UTC()
	// Expired rows can go: their assertions are refused as expired anyway.
	if err := sp.db.Where("expires_at < ?", now).Delete(&SAMLAssertionUse{}).Error; err != nil {
		return fmt.Errorf("forget expired assertions: %w", err)
	}
	err := sp.db.Create(&SAMLAssertionUse{Key: sp.name + " " + id, ExpiresAt: expiresAt.UTC()}).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return saml.ErrAssertionReplayed
	}
	if err != nil {
		return fmt.Errorf("record the assertion: %w", err)
	}
	return nil
}
