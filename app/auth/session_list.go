package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// ActiveSession is a live session as its owner, or an administrator, sees
// it on the sessions list.
type ActiveSession struct {
	// Handle names the session in "sign out this one" forms. It is derived
	// from the token hash, never the hash itself: the hash binds the
	// session's CSRF tokens, and an administrator's page shows other
	// people's handles.
	Handle     string
	AuthMethod string
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is true for the session the list was asked from.
	Current bool
}

// List returns the live sessions of userID, the most recently seen first.
// currentHash is the token hash of the asking session (models.Session's
// TokenHash), marked Current; pass "" for someone else's list.
func (s *Sessions) List(ctx context.Context, userID uint, currentHash string) ([]ActiveSession, error) {
	now := s.now()
	var rows []models.Session
	err := s.db.WithContext(ctx).
		Select("token_hash", "auth_method", "user_agent", "ip", "created_at", "last_seen_at").
		Where("user_id = ? AND expires_at >= ? AND last_seen_at >= ?", userID, now, now.Add(-s.idle)).
		Order("last_seen_at DESC, created_at DESC").Limit(100).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ActiveSession, len(rows))
	for i, r := range rows {
		out[i] = ActiveSession{
			Handle: sessionHandle(r.TokenHash), AuthMethod: r.AuthMethod, UserAgent: r.UserAgent, IP: r.IP,
			CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, Current: currentHash != "" && r.TokenHash == currentHash,
		}
	}
	return out, nil
}

// ErrUnknownSession means no session of this person has that handle: it
// ended already, or it is someone else's.
var ErrUnknownSession = errors.New("no such session of this person")

// EndByHandle ends the session of userID that handle names. The handle is
// looked up among userID's own sessions only, so a handle of another
// person's session is ErrUnknownSession, never a way to end it.
func (s *Sessions) EndByHandle(ctx context.Context, userID uint, handle string) error {
	if handle == "" || len(handle) > 64 {
		return ErrUnknownSession
	}
	var hashes []string
	if err := s.db.WithContext(ctx).Model(&models.Session{}).Where("user_id = ?", userID).Pluck("token_hash", &hashes).Error; err != nil {
		return err
	}
	for _, h := range hashes {
		if subtle.ConstantTimeCompare([]byte(sessionHandle(h)), []byte(handle)) == 1 {
			return s.db.WithContext(ctx).Where("user_id = ? AND token_hash = ?", userID, h).Delete(&models.Session{}).Error
		}
	}
	return ErrUnknownSession
}

// EndProviderSessions ends the sessions a back-channel logout names: with
// a provider session id (sid), the sessions that began with it (and with
// subject too, when one is given); with only a subject, every session that
// began through that identity at issuer. It returns how many ended.
// Sessions of the same person that began otherwise (a password, another
// provider) are not the provider's to end and stay.
func (s *Sessions) EndProviderSessions(ctx context.Context, issuer, subject, sid string) (int64, error) {
	return s.EndProviderSessionsThen(ctx, issuer, subject, sid, nil)
}

// EndProviderSessionsThen is EndProviderSessions that also calls then, in
// the transaction that ends the sessions, with the people whose sessions
// ended, so that the app can record it (its audit log) with the change.
func (s *Sessions) EndProviderSessionsThen(ctx context.Context, issuer, subject, sid string, then func(tx *gorm.DB, userIDs []uint) error) (int64, error) {
	if issuer == "" || (subject == "" && sid == "") {
		return 0, nil
	}
	var ended int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		match := func() *gorm.DB {
			q := tx.Model(&models.Session{}).Where("provider_issuer = ?", issuer)
			switch {
			case sid != "" && subject != "":
				return q.Where("provider_sid = ? AND provider_subject = ?", sid, subject)
			case sid != "":
				return q.Where("provider_sid = ?", sid)
			}
			return q.Where("provider_subject = ?", subject)
		}
		var users []uint
		if then != nil {
			if err := match().Distinct().Pluck("user_id", &users).Error; err != nil {
				return err
			}
		}
		res := match().Delete(&models.Session{})
		if res.Error != nil {
			return res.Error
		}
		ended = res.RowsAffected
		if then == nil || ended == 0 {
			return nil
		}
		return then(tx, users)
	})
	return ended, err
}

// Federation returns the provider's side of the session for token (zero
// for a password session or an unknown token), for RP-initiated logout at
// sign-out.
func (s *Sessions) Federation(ctx context.Context, token string) (Federation, error) {
	var row models.Session
	err := s.db.WithContext(ctx).Select("provider_issuer", "provider_subject", "provider_sid", "id_token").
		Where("token_hash = ?", hashToken(token)).Limit(1).Find(&row).Error
	return Federation{Issuer: row.ProviderIssuer, Subject: row.ProviderSubject, SessionID: row.ProviderSID, IDToken: row.IDToken}, err
}

func sessionHandle(tokenHash string) string {
	sum := sha256.Sum256([]byte("company-expenses session handle\x00" + tokenHash))
	return hex.EncodeToString(sum[:12])
}
