package sso

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Single sign-out, both ways:
//
//   - RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): when the
//     app signs someone out of a session that began with an OpenID Connect
//     provider, it asks EndSessionURL where to send the browser so that the
//     provider's session ends too.
//   - Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when the
//     provider's session ends (the person signed out there, or an
//     administrator ended it), the provider posts a signed logout token to
//     POST /auth/:provider/backchannel-logout, server to server. The module
//     verifies it and asks the app, through Config.OnProviderLogout, to end
//     the sessions it names. Sessions live in the app's database, so the
//     instance that receives the token ends them for every instance.

// backChannelLogoutEvent is the member of a logout token's events claim
// that makes it one (Back-Channel Logout 1.0, section 2.4).
const backChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// Time rules for logout tokens. A token is refused when its iat lies more
// than logoutClockSkew in the future, or more than logoutTokenMaxAge (plus
// the skew) in the past: providers post the token the moment the session
// ends, so an old one is a replay or a token kept back. Its jti is
// remembered for as long as its iat would pass, so a replay is refused by
// the jti while it is fresh and by the iat afterwards.
const (
	logoutTokenMaxAge = 10 * time.Minute
	logoutClockSkew   = 2 * time.Minute
	maxLogoutToken    = 16 << 10
)

// ProviderLogout is a verified back-channel logout: the provider says that
// the person's session with it has ended. It names the provider session
// (SessionID, the "sid" the sign-in's ID token carried), the person
// (Subject), or both.
type ProviderLogout struct {
	// Provider is the route name, for example "openid-connect".
	Provider string
	// Issuer is the verified issuer of the token.
	Issuer string
	// Subject is the person's "sub" at the provider; empty when the
	// provider sent only a session id.
	Subject string
	// SessionID is the provider's "sid"; empty when the provider sent only
	// a subject.
	SessionID string
}

// ProviderLogoutFunc ends the app sessions a back-channel logout names: with
// a SessionID, the sessions that began with that provider session (and that
// subject, when one is given too); with only a Subject, every session that
// began through that identity. It returns how many it ended.
type ProviderLogoutFunc func(ctx context.Context, l ProviderLogout) (ended int64, err error)

// LogoutToken is a back-channel logout token already used, remembered in
// the database rather than in memory so that a replay to another instance
// is refused too. Hash is the SHA-256 of issuer and jti (a jti is unique
// only per issuer, and its length is not bounded).
type LogoutToken struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

// TableName fixes the table's name, whatever gorm's naming strategy.
func (LogoutToken) TableName() string { return "sso_logout_tokens" }

// BackChannelLogoutURL is the back-channel logout URI to register at the
// identity provider for the provider with this route name.
func BackChannelLogoutURL(baseURL, name string) string {
	return strings.TrimRight(baseURL, "/") + "/auth/" + name + "/backchannel-logout"
}

// EndSessionURL returns the provider's end_session_endpoint with the
// parameters of RP-initiated logout: id_token_hint (the sign-in's ID token,
// Profile.IDToken), post_logout_redirect_uri (an absolute URL registered
// at the provider, the app's signed-out page), client_id and a state. ok is
// false, and the app signs out as usual, when the provider is not OpenID
// Connect, has RP-initiated logout off (OIDC.EndSession), has not been
// discovered, or has no end_session_endpoint (Google, for one), or when
// there is no ID token to send.
//
// The state is random and not checked on return: the signed-out page
// changes nothing, so there is nothing for a forged return to abuse, but
// some providers require the parameter.
func (s *Service) EndSessionURL(name, idToken, postLogoutRedirect string) (string, bool) {
	if s == nil || idToken == "" {
		return "", false
	}
	p, ok := s.providers[name]
	if !ok || p.disc == nil || !p.endSession {
		return "", false
	}
	ep := p.disc.current()
	if ep == nil || ep.endSession == "" {
		return "", false
	}
	u, err := url.Parse(ep.endSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", false
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", postLogoutRedirect)
	q.Set("client_id", p.disc.clientID)
	q.Set("state", randomToken())
	u.RawQuery = q.Encode()
	return u.String(), true
}

// logoutRefusal is why a logout token was refused; its text goes to the
// provider in the 400 answer's error_description and to the log.
type logoutRefusal struct{ reason string }

func (r *logoutRefusal) Error() string { return r.reason }

func refuse(format string, args ...any) error {
	return &logoutRefusal{reason: fmt.Sprintf(format, args...)}
}

// backChannelLogout is POST /auth/:provider/backchannel-logout. It answers
// 200 when the token was verified and the sessions it names are ended
// (none is fine: they may have ended already), and 400 with an OAuth error
// when the token is refused, always with Cache-Control: no-store
// (Back-Channel Logout 1.0, section 2.8).
func (s *Service) backChannelLogout(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	p, ok := s.providers[c.Param("provider")]
	if !ok || p.disc == nil {
		// Only OpenID Connect providers have keys to sign logout tokens.
		return c.NoContent(http.StatusNotFound)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), callbackTimeout)
	defer cancel()
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxLogoutToken)
	// PostFormValue reads an application/x-www-form-urlencoded body only,
	// never the query: the token must not end up in access logs.
	raw := r.PostFormValue("logout_token")
	if raw == "" {
		return s.refuseLogout(c, p, refuse("the request carries no logout_token (form-encoded body)"))
	}
	ep, err := p.disc.ensure(ctx)
	if err != nil {
		return s.refuseLogout(c, p, refuse("the provider's keys are not known yet (discovery failed): %v", err))
	}
	lo, key, until, err := s.verifyLogoutToken(ctx, p, ep, raw)
	if err != nil {
		return s.refuseLogout(c, p, err)
	}
	fresh, err := s.spendLogoutToken(ctx, key, until)
	if err != nil {
		return s.logoutFailed(c, p, fmt.Errorf("remember the logout token: %w", err))
	}
	if !fresh {
		return s.refuseLogout(c, p, refuse("this logout token (jti) was used already"))
	}
	n, err := s.onLogout(ctx, lo)
	if err != nil {
		// Let the provider try again with the same token.
		s.db.WithContext(context.WithoutCancel(ctx)).Where("hash = ?", key).Delete(&LogoutToken{})
		return s.logoutFailed(c, p, fmt.Errorf("end the sessions: %w", err))
	}
	s.log.InfoContext(ctx, "back-channel logout: ended the sessions the provider named",
		"provider", p.name, "sub", lo.Subject, "sid", lo.SessionID, "sessions_ended", n)
	return c.NoContent(http.StatusOK)
}

func (s *Service) refuseLogout(c echo.Context, p *provider, err error) error {
	s.log.WarnContext(c.Request().Context(), "back-channel logout refused", "provider", p.name, "reason", err.Error())
	return c.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
}

func (s *Service) logoutFailed(c echo.Context, p *provider, err error) error {
	s.log.ErrorContext(c.Request().Context(), "back-channel logout failed", "provider", p.name, "err", err)
	return c.JSON(http.StatusInternalServerError, map[string]string{"error": "server_error"})
}

// verifyLogoutToken validates a logout token as Back-Channel Logout 1.0
// section 2.6 says: the signature against the provider's JWKS, iss and aud
// as for an ID token (go-oidc), iat within the time rules above, exp when
// present, a jti, the back-channel logout event, no nonce (so that an ID
// token can never pass for a logout token), and a sub or a sid. It returns
// the logout, the key under which the jti is remembered and until when.
//
// The "typ" header (logout+jwt) is not required: the specification only
// recommends it, and Keycloak and Okta have sent plain "JWT"; the events
// and nonce rules are what keep other JWTs of the provider out.
func (s *Service) verifyLogoutToken(ctx context.Context, p *provider, ep *endpoints, raw string) (ProviderLogout, string, time.Time, error) {
	idt, err := ep.logoutVerifier.Verify(oidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token does not verify: %v", err)
	}
	var cl map[string]json.RawMessage
	if err := idt.Claims(&cl); err != nil {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token's claims are unreadable: %v", err)
	}
	now := s.now()
	if _, ok := cl["iat"]; !ok || idt.IssuedAt.IsZero() {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token has no iat")
	}
	if idt.IssuedAt.After(now.Add(logoutClockSkew)) {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token was issued in the future (iat %s)", idt.IssuedAt.UTC().Format(time.RFC3339))
	}
	until := idt.IssuedAt.Add(logoutTokenMaxAge + logoutClockSkew)
	if now.After(until) {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token is too old (iat %s)", idt.IssuedAt.UTC().Format(time.RFC3339))
	}
	if _, ok := cl["exp"]; ok && now.After(idt.Expiry.Add(logoutClockSkew)) {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token has expired (exp %s)", idt.Expiry.UTC().Format(time.RFC3339))
	}
	if _, ok := cl["nonce"]; ok {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token carries a nonce, which logout tokens must not")
	}
	var events map[string]json.RawMessage
	if err := json.Unmarshal(cl["events"], &events); err != nil || events == nil {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token has no events claim")
	}
	var obj map[string]any
	if ev, ok := events[backChannelLogoutEvent]; !ok || json.Unmarshal(ev, &obj) != nil || obj == nil {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token's events claim lacks %s", backChannelLogoutEvent)
	}
	var jti, sid string
	_ = json.Unmarshal(cl["jti"], &jti)
	_ = json.Unmarshal(cl["sid"], &sid)
	if jti == "" {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token has no jti")
	}
	if idt.Subject == "" && sid == "" {
		return ProviderLogout{}, "", time.Time{}, refuse("the logout token names neither a sub nor a sid")
	}
	sum := sha256.Sum256([]byte(idt.Issuer + "\x00" + jti))
	return ProviderLogout{Provider: p.name, Issuer: idt.Issuer, Subject: idt.Subject, SessionID: sid},
		hex.EncodeToString(sum[:]), until, nil
}

// spendLogoutToken records a logout token's jti and reports whether it was
// new. The insert is the check: the primary key refuses a second one, on
// every instance and database alike. Entries whose iat has passed anyway
// are deleted on the way.
func (s *Service) spendLogoutToken(ctx context.Context, key string, until time.Time) (bool, error) {
	db := s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", s.now().UTC()).Delete(&LogoutToken{}).Error; err != nil {
		return false, err
	}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&LogoutToken{Hash: key, ExpiresAt: until.UTC()})
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return false, nil
		}
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}
