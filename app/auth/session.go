package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// ErrNoSession means the cookie named no live session: never issued, revoked,
// signed out, expired, or tampered with.
var ErrNoSession = errors.New("no live session")

// Sessions stores signed-in browsers in the database. The cookie holds a
// random token; the table holds its SHA-256 hash.
type Sessions struct {
	db   *gorm.DB
	idle time.Duration
	max  time.Duration
	now  func() time.Time
}

// NewSessions returns a session store. A session ends after idle without a
// request, and at the latest max after sign-in.
func NewSessions(db *gorm.DB, idle, max time.Duration) *Sessions {
	return &Sessions{db: db, idle: idle, max: max, now: func() time.Time { return time.Now().UTC() }}
}

// MaxAge is the absolute lifetime of a session, for the cookie's Max-Age.
func (s *Sessions) MaxAge() time.Duration { return s.max }

// Create starts a session for userID and returns the token for the cookie.
// Signing in always creates a new token (the id rotates), so a token planted
// before sign-in is worthless after it.
func (s *Sessions) Create(ctx context.Context, userID uint, method, userAgent, ip string) (string, error) {
	return s.CreateFederated(ctx, userID, method, userAgent, ip, Federation{})
}

// Federation is the identity provider's side of an SSO sign-in, kept with
// the session for single sign-out (see models.Session).
type Federation struct {
	Issuer, Subject, SessionID string
	// IDToken is kept only when RP-initiated logout will need it.
	IDToken string
}

// CreateFederated is Create for an SSO sign-in: the session also keeps
// what the provider said (f), so that the provider can end it later
// (EndProviderSessions) and the app can end the provider's session with it.
func (s *Sessions) CreateFederated(ctx context.Context, userID uint, method, userAgent, ip string, f Federation) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	row := models.Session{
		TokenHash:  hashToken(token),
		UserID:     userID,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.max),
		AuthMethod: method,
		UserAgent:  truncate(userAgent, 300),
		IP:         truncate(ip, 64),
		// Longer values than the columns hold would not match a logout
		// anyway; they are cut, not refused, so sign-in never fails on them.
		ProviderIssuer:  truncate(f.Issuer, 500),
		ProviderSubject: truncate(f.Subject, 255),
		ProviderSID:     truncate(f.SessionID, 255),
		IDToken:         f.IDToken,
	}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return "", err
	}
	return token, nil
}

// Lookup returns the live session for token and marks it as seen. An expired
// session is deleted.
func (s *Sessions) Lookup(ctx context.Context, token string) (*models.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	var row models.Session
	// The ID token (kilobytes) is read only at sign-out (Federation).
	err := s.db.WithContext(ctx).Omit("id_token").Where("token_hash = ?", hashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	return s.Live(ctx, &row)
}

// HashToken is what the sessions table stores for a cookie's token, for
// callers that read the session row together with other rows (app/web's
// loadViewer) and then hand it to Live.
func HashToken(token string) string { return hashToken(token) }

// Live applies the absolute and idle expiry to a session row read from the
// table, deleting it when it is past either, and marks it as seen. Lookup is
// a query plus Live.
func (s *Sessions) Live(ctx context.Context, row *models.Session) (*models.Session, error) {
	now := s.now()
	if now.After(row.ExpiresAt) || now.Sub(row.LastSeenAt) > s.idle {
		s.db.WithContext(ctx).Where("token_hash = ?", row.TokenHash).Delete(&models.Session{})
		return nil, ErrNoSession
	}
	// last_seen_at is the moment the idle timer counts from, and the check
	// above uses it exactly: idle for more than s.idle is out, to the
	// second. Writing it on every request would make every page view a
	// write (on SQLite, a turn at the database's single write lock), so it
	// is refreshed only once more than a small fraction of the timeout has
	// passed. The cost is at most one write per session per idle/100 (72 s
	// for the default 2 h), and the error only ever runs early: a session
	// may end up to idle/100 sooner than the last request plus the timeout
	// (1 %), never later, so an idle session is never kept too long.
	if now.Sub(row.LastSeenAt) > s.refreshAfter() {
		row.LastSeenAt = now
		s.db.WithContext(ctx).Model(&models.Session{}).Where("token_hash = ?", row.TokenHash).Update("last_seen_at", now)
	}
	return row, nil
}

// Delete ends the session for token. Deleting an unknown token is not an
// error: signing out twice is fine.
func (s *Sessions) Delete(ctx context.Context, token string) error {
	return s.db.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&models.Session{}).Error
}

// DeleteForUser ends every session of a user, for example when an
// administrator deactivates the account, or SCIM deprovisions it: the one
// function that signs a person out everywhere.
func (s *Sessions) DeleteForUser(ctx context.Context, userID uint) error {
	return s.db.WithContext(ctx).Where("user_id = ?", userID).Delete(&models.Session{}).Error
}

// DeleteOthers ends every session of a user except the one for keepToken,
// for example when the person changes their password: other browsers, which
// may be someone else's, are out, while this one stays signed in.
func (s *Sessions) DeleteOthers(ctx context.Context, userID uint, keepToken string) error {
	return s.db.WithContext(ctx).Where("user_id = ? AND token_hash <> ?", userID, hashToken(keepToken)).Delete(&models.Session{}).Error
}

// DeleteExpired removes sessions past their absolute or idle expiry.
func (s *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.db.WithContext(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-s.idle)).Delete(&models.Session{})
	return res.RowsAffected, res.Error
}

// refreshAfter is how stale last_seen_at may be before Lookup rewrites it;
// see Lookup.
func (s *Sessions) refreshAfter() time.Duration { return s.idle / 100 }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
