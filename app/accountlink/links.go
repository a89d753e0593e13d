// Package accountlink holds the single-use links that let a person choose
// their own password: the password reset a person asks for when they forgot
// it, and the invitation an administrator sends to someone they added. Both
// are rows of one table (models.AccountLink) told apart by their Purpose,
// issued, checked and redeemed by the same code, so that a fix to one is a
// fix to both.
//
// A link is 32 random bytes in the mail and their SHA-256 in the database;
// it lives for its purpose's Lifetime, works once, and a new link of the same
// purpose replaces the old one.
package accountlink

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// Purpose says what a link is for.
type Purpose string

// The purposes of links.
const (
	// Reset sets a new password for a person who forgot theirs.
	Reset Purpose = "reset"
	// Invitation sets the first password of a person an administrator
	// added without one.
	Invitation Purpose = "invitation"
)

// Lifetime is how long a link of purpose p works: a reset link half an hour
// (it arrives at once, and a mailbox read later by someone else must not
// hold a working one), an invitation a week (the person may be on leave).
func (p Purpose) Lifetime() time.Duration {
	if p == Invitation {
		return 7 * 24 * time.Hour
	}
	return 30 * time.Minute
}

// Errors of Check and Redeem. Their messages are for the person who opened
// the link.
var (
	// ErrInvalid means no live link has this token: it never existed, was
	// used, revoked or replaced by a newer one, or its person can no longer
	// sign in. These are not told apart: the page says what to do next.
	ErrInvalid = errors.New("this link is not valid: it was already used, revoked or replaced by a newer one")
	// ErrExpired means the link is known but its time is up.
	ErrExpired = errors.New("this link has expired")
)

// tokenBytes is the length of a token before encoding: 256 bits, beyond
// guessing.
const tokenBytes = 32

// Links issues, checks and redeems account links.
type Links struct {
	db  *gorm.DB
	now func() time.Time
}

// NewLinks returns the links of db.
func NewLinks(db *gorm.DB) *Links {
	return &Links{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Issue makes a new link of purpose p for userID through tx (the
// transaction that also enqueues the mail carrying it), replacing any
// outstanding link of that purpose, and returns the token for the mail.
// by is the administrator who sent an invitation, or nil.
func (l *Links) Issue(ctx context.Context, tx *gorm.DB, userID uint, p Purpose, by *uint) (string, models.AccountLink, error) {
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", models.AccountLink{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := l.now()
	row := models.AccountLink{
		UserID: userID, Purpose: string(p), TokenHash: hashToken(token),
		CreatedAt: now, ExpiresAt: now.Add(p.Lifetime()), CreatedBy: by,
	}
	// One row per person and purpose: an upsert rather than delete and
	// insert, so that two requests at once cannot both insert (on
	// PostgreSQL the loser's unique violation would abort its transaction).
	// The old token's hash is overwritten, so the old link stops working.
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "purpose"}},
		DoUpdates: clause.AssignmentColumns([]string{"token_hash", "created_at", "expires_at", "created_by"}),
	}).Create(&row).Error
	if err != nil {
		return "", models.AccountLink{}, fmt.Errorf("issue %s link: %w", p, err)
	}
	return token, row, nil
}

// Check returns the live link of purpose p for token, ErrExpired when its
// time is up, or ErrInvalid.
func (l *Links) Check(ctx context.Context, p Purpose, token string) (models.AccountLink, error) {
	var row models.AccountLink
	if token == "" || len(token) > 100 {
		return row, ErrInvalid
	}
	err := l.db.WithContext(ctx).Where("token_hash = ? AND purpose = ?", hashToken(token), string(p)).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return row, ErrInvalid
	case err != nil:
		return row, fmt.Errorf("check %s link: %w", p, err)
	case !l.now().Before(row.ExpiresAt):
		return row, ErrExpired
	}
	return row, nil
}

// Redeem uses the link of purpose p for token through tx: it deletes every
// link of the person (a reset asked for meanwhile dies with the invitation,
// and the other way round) and returns whose it was. Of two requests with
// the same token at once, only one finds the row to delete, so a link works
// exactly once.
func (l *Links) Redeem(ctx context.Context, tx *gorm.DB, p Purpose, token string) (uint, error) {
	var row models.AccountLink
	err := tx.WithContext(ctx).Where("token_hash = ? AND purpose = ?", hashToken(token), string(p)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, ErrInvalid
	}
	if err != nil {
		return 0, err
	}
	if !l.now().Before(row.ExpiresAt) {
		return 0, ErrExpired
	}
	res := tx.WithContext(ctx).Where("id = ? AND token_hash = ?", row.ID, row.TokenHash).Delete(&models.AccountLink{})
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected != 1 {
		return 0, ErrInvalid // someone else redeemed it a moment ago
	}
	if err := tx.WithContext(ctx).Where("user_id = ?", row.UserID).Delete(&models.AccountLink{}).Error; err != nil {
		return 0, err
	}
	return row.UserID, nil
}

// Outstanding returns the person's link of purpose p, expired or not, or
// nil when there is none.
func (l *Links) Outstanding(ctx context.Context, userID uint, p Purpose) (*models.AccountLink, error) {
	var rows []models.AccountLink
	if err := l.db.WithContext(ctx).Where("user_id = ? AND purpose = ?", userID, string(p)).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read %s link of %d: %w", p, userID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// Revoke deletes the person's link of purpose p and reports whether there
// was one.
func (l *Links) Revoke(ctx context.Context, userID uint, p Purpose) (bool, error) {
	res := l.db.WithContext(ctx).Where("user_id = ? AND purpose = ?", userID, string(p)).Delete(&models.AccountLink{})
	return res.RowsAffected > 0, res.Error
}

// DeleteExpired removes reset links past their expiry. Expired invitations
// stay until replaced or revoked: the person's page says "expired" and
// offers to send a new one.
func (l *Links) DeleteExpired(ctx context.Context) (int64, error) {
	res := l.db.WithContext(ctx).Where("purpose = ? AND expires_at <= ?", string(Reset), l.now()).Delete(&models.AccountLink{})
	return res.RowsAffected, res.Error
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
