package sso

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// SAMLRequest is a SAML sign-in in progress, kept server-side in the table
// sso_saml_requests from GET /auth/saml until the assertion consumer service
// takes it, once, or it expires.
//
// Its ID is the RelayState the identity provider carries back: random and
// opaque, so that nothing in it can be changed into another destination. The
// return path, the AuthnRequest the response must answer and the browser
// that asked stay here, where only the app reads or writes them. Being in the
// database, a RelayState spent on one instance of the app is spent on all.
type SAMLRequest struct {
	// ID is the RelayState: 32 random bytes, base64url (43 characters).
	ID string `gorm:"primaryKey;size:64"`
	// Provider is the route name that started it.
	Provider string `gorm:"size:100;not null"`
	// RequestID is the AuthnRequest's ID: the response's InResponseTo must
	// be this, and nothing else.
	RequestID string `gorm:"size:100;not null"`
	// ReturnPath is the local path to return to, already checked by
	// Service.safeNext (and at most maxNextBytes long).
	ReturnPath string `gorm:"size:512;not null;default:''"`
	// LinkUserID is set when a signed-in person connects SAML to their
	// account from the profile page.
	LinkUserID uint `gorm:"not null;default:0"`
	// BrowserHash is the SHA-256 (hex) of the browser's binding cookie: the
	// row is good only in the browser that started the sign-in, and the
	// database never holds the cookie itself.
	BrowserHash string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
	ExpiresAt   time.Time `gorm:"not null;index"`
}

// TableName fixes the table's name, whatever gorm's naming strategy.
func (SAMLRequest) TableName() string { return "sso_saml_requests" }

// errRefusedRelay wraps the reasons a RelayState is refused: the person's
// "start again", unlike a database that does not answer.
var errRefusedRelay = errors.New("RelayState refused")

// Reasons a RelayState is refused, for the log; the person sees "start
// again" for each.
var (
	errRelayUnknown       = fmt.Errorf("%w: no sign-in in progress for it (never started, expired or already completed)", errRefusedRelay)
	errRelayExpired       = fmt.Errorf("%w: the sign-in it names has expired", errRefusedRelay)
	errOtherBrowser       = fmt.Errorf("%w: it names a sign-in started in another browser", errRefusedRelay)
	errRelaySpent         = fmt.Errorf("%w: it was taken at the same moment by another request", errRefusedRelay)
	errRelayWrongProvider = fmt.Errorf("%w: the sign-in was started with another provider", errRefusedRelay)
)

// samlRequestsPerBrowser is how many sign-ins one browser may have in
// progress (tabs started one after the other); starting another forgets
// its oldest, as the OpenID Connect flow cookie does. It bounds what a
// client that keeps its cookies can store; one that drops them gets a new
// binding each time, which only a rate limit in front of /auth stops.
const samlRequestsPerBrowser = 5

// saveSAMLRequest stores r, after deleting the rows that have expired: each
// start purges, so the table holds at most the sign-ins of the last
// flowTTL, with no schedule to run. It keeps at most
// samlRequestsPerBrowser rows of r's browser.
func saveSAMLRequest(ctx context.Context, db *gorm.DB, r SAMLRequest) error {
	db = db.WithContext(ctx)
	if err := db.Where("expires_at < ?", r.CreatedAt).Delete(&SAMLRequest{}).Error; err != nil {
		return fmt.Errorf("forget expired SAML requests: %w", err)
	}
	if err := db.Create(&r).Error; err != nil {
		return fmt.Errorf("record the SAML request: %w", err)
	}
	newest := db.Model(&SAMLRequest{}).Select("id").Where("browser_hash = ?", r.BrowserHash).
		Order("created_at DESC, id DESC").Limit(samlRequestsPerBrowser)
	if err := db.Where("browser_hash = ? AND id NOT IN (?)", r.BrowserHash, newest).Delete(&SAMLRequest{}).Error; err != nil {
		return fmt.Errorf("forget the browser's oldest SAML requests: %w", err)
	}
	return nil
}

// takeSAMLRequest returns the sign-in relay names, if browserHash started
// it, and deletes it: whatever the response turns out to be, the RelayState
// is spent. The delete is conditional and its row count decides, so of two
// requests with the same RelayState, on one instance or two, exactly one
// gets the row. A row of another browser stays for its own browser (a
// response pushed into this one must not cost the person their sign-in).
func takeSAMLRequest(ctx context.Context, db *gorm.DB, now time.Time, provider, relay, browserHash string) (SAMLRequest, error) {
	var r SAMLRequest
	if !isRandomToken(relay) {
		return r, errRelayUnknown
	}
	if browserHash == "" {
		return r, fmt.Errorf("%w (no binding cookie)", errOtherBrowser)
	}
	db = db.WithContext(ctx)
	err := db.Where("id = ?", relay).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SAMLRequest{}, errRelayUnknown
	}
	if err != nil {
		return SAMLRequest{}, fmt.Errorf("read the SAML request: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(r.BrowserHash), []byte(browserHash)) != 1 {
		return SAMLRequest{}, errOtherBrowser
	}
	res := db.Where("id = ? AND browser_hash = ?", relay, browserHash).Delete(&SAMLRequest{})
	switch {
	case res.Error != nil:
		return SAMLRequest{}, fmt.Errorf("take the SAML request: %w", res.Error)
	case res.RowsAffected != 1:
		return SAMLRequest{}, errRelaySpent
	case !now.Before(r.ExpiresAt):
		return SAMLRequest{}, errRelayExpired
	case r.Provider != provider:
		return SAMLRequest{}, errRelayWrongProvider
	}
	return r, nil
}

// isRandomToken reports whether s has the shape of randomToken's output, so
// that nothing else (a URL an IdP put in RelayState, say) reaches the
// database.
func isRandomToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// samlBinding is the cookie that binds SAML sign-ins in progress to the
// browser that started them: a random value, whose hash each SAMLRequest
// row of the browser keeps. One value serves every sign-in the browser has
// in progress, so that two tabs signing in at once do not undo each other.
//
// With https it is SameSite=None, because the identity provider's page posts
// the response cross-site and browsers send Lax cookies with cross-site
// GETs only, and it is a __Host- cookie (Secure, Path=/, no Domain), so that
// a sibling subdomain cannot plant a value of its own choosing (cookie
// tossing) and pass its own sign-in off as this browser's. Without https
// (development) it is a Lax cookie at /auth, which works there because the
// development identity provider, or one on localhost, is the same site.
type samlBinding struct{ secure bool }

func (b samlBinding) cookieName() string {
	if b.secure {
		return "__Host-saml_binding"
	}
	return "saml_binding"
}

// value is the binding the browser sent, or "".
func (b samlBinding) value(c echo.Context) string {
	ck, err := c.Cookie(b.cookieName())
	if err != nil || !isRandomToken(ck.Value) {
		return ""
	}
	return ck.Value
}

// ensure returns the browser's binding, making one when it has none, and
// (re)sets the cookie for another flowTTL.
func (b samlBinding) ensure(c echo.Context) string {
	v := b.value(c)
	if v == "" {
		v = randomToken()
	}
	ck := &http.Cookie{Name: b.cookieName(), Value: v, Path: "/auth", MaxAge: int(flowTTL / time.Second),
		HttpOnly: true, Secure: b.secure, SameSite: http.SameSiteLaxMode}
	if b.secure {
		ck.Path, ck.SameSite = "/", http.SameSiteNoneMode
	}
	c.SetCookie(ck)
	return v
}

// hashBinding is what the database keeps of a binding cookie's value.
func hashBinding(v string) string {
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}
