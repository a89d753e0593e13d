package scim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/models"
)

// tokenPrefix marks the app's SCIM tokens, so that one pasted in the wrong
// place (a log, a ticket) is recognised by secret scanners and people.
const tokenPrefix = "ce_scim_"

// MinStaticTokenLength is the shortest SCIM_TOKEN accepted.
const MinStaticTokenLength = 32

// StaticTokenName is how the token from SCIM_TOKEN is named in events.
const StaticTokenName = "SCIM_TOKEN"

// lastUsedEvery is how stale a token's last use may be before a request
// records it again: one write per token per minute, not one per request.
const lastUsedEvery = time.Minute

// ErrTokenName is returned by CreateToken for a missing or unusable name;
// TokenNameHelp is the message shown at the field.
var ErrTokenName = errors.New("scim: the token needs a name of at most 100 characters")

// TokenNameHelp tells an administrator what to type as a token's name.
const TokenNameHelp = "Name the token after the system that will use it (at most 100 characters), for example Entra ID."

// ErrTokenNotFound means there is no such token to revoke.
var ErrTokenNotFound = errors.New("this token does not exist")

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new bearer token called name for administrator
// actorID. The token itself is returned once, here; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, actorID uint, name string) (string, models.SCIMToken, error) {
	name, problem := textcheck.Clean(name, false)
	if problem != "" || name == "" || utf8.RuneCountInString(name) > 100 {
		return "", models.SCIMToken{}, ErrTokenName
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", models.SCIMToken{}, err
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := models.SCIMToken{Name: name, TokenHash: hashToken(token), CreatedAt: s.now()}
	if actorID != 0 {
		t.CreatedByID = &actorID
	}
	if err := s.db.WithContext(ctx).Create(&t).Error; err != nil {
		return "", models.SCIMToken{}, fmt.Errorf("store scim token: %w", err)
	}
	s.emit(ctx, Event{Action: ActionTokenCreated, Token: name, ActorID: actorID})
	return token, t, nil
}

// Tokens lists the tokens, newest first, revoked ones included.
func (s *Service) Tokens(ctx context.Context) ([]models.SCIMToken, error) {
	var ts []models.SCIMToken
	err := s.db.WithContext(ctx).Preload("CreatedBy").Order("created_at DESC, id DESC").Find(&ts).Error
	return ts, err
}

// RevokeToken revokes token id: the next request with it gets 401.
func (s *Service) RevokeToken(ctx context.Context, actorID, id uint) error {
	var t models.SCIMToken
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrTokenNotFound
	}
	if err != nil {
		return err
	}
	if t.RevokedAt != nil {
		return nil
	}
	if err := s.db.WithContext(ctx).Model(&t).Update("revoked_at", s.now()).Error; err != nil {
		return err
	}
	s.emit(ctx, Event{Action: ActionTokenRevoked, Token: t.Name, ActorID: actorID})
	return nil
}

// authenticate returns the name of the token in an Authorization header
// value, or false. SCIM_TOKEN is compared in constant time. Stored tokens
// are found by the SHA-256 of what was sent: the look-up's timing can only
// tell an attacker about hashes, which says nothing about any token.
func (s *Service) authenticate(ctx context.Context, header string) (string, bool, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 500 {
		return "", false, nil
	}
	if s.static != "" {
		want, got := sha256.Sum256([]byte(s.static)), sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(want[:], got[:]) == 1 {
			return StaticTokenName, true, nil
		}
	}
	var t models.SCIMToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashToken(token)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	now := s.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > lastUsedEvery {
		if err := s.db.WithContext(ctx).Model(&t).Update("last_used_at", now).Error; err != nil {
			s.log.WarnContext(ctx, "record scim token use", "token", t.Name, "err", err)
		}
	}
	return t.Name, true, nil
}
