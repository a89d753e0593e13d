package devidp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// Limits that keep a misbehaving client from growing the store without
// bound; a development provider never comes near them.
const (
	maxStoredCodes  = 10_000
	maxStoredTokens = 10_000
	purgeInterval   = time.Minute
)

var (
	errStoreFull   = errors.New("too many outstanding codes or tokens")
	errCodeUnknown = errors.New("authorization code is unknown")
	errCodeExpired = errors.New("authorization code has expired")
	errCodeReused  = errors.New("authorization code was already used")
)

// grant is what an authorization code stands for: who signed in, for which
// client, and the request details the token endpoint must check again.
type grant struct {
	ClientID      string
	RedirectURI   string
	Nonce         string
	CodeChallenge string
	Scopes        []string
	Identity      Identity
	AuthTime      time.Time
}

type storedCode struct {
	grant   grant
	expires time.Time
}

// usedCode remembers a redeemed code until the token it bought expires, so a
// replay can revoke that token (RFC 6749 section 4.1.2).
type usedCode struct {
	accessToken string
	expires     time.Time
}

type storedToken struct {
	clientID string
	scopes   []string
	identity Identity
	expires  time.Time
}

// store keeps authorization codes and access tokens in memory, behind one
// mutex. That is enough because the development provider runs in a single
// process: a restart forgets everything, and a second instance would not see
// the first one's codes. Expired entries are purged lazily on writes.
type store struct {
	now func() time.Time

	mu        sync.Mutex
	codes     map[string]storedCode
	used      map[string]usedCode
	tokens    map[string]storedToken
	lastPurge time.Time
}

func newStore(now func() time.Time) *store {
	return &store{
		now:    now,
		codes:  map[string]storedCode{},
		used:   map[string]usedCode{},
		tokens: map[string]storedToken{},
	}
}

// randomToken returns 256 random bits, URL-safe, for codes and tokens.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead.
	return base64.RawURLEncoding.EncodeToString(b)
}

// newCode stores g under a fresh single-use code valid for codeTTL.
func (s *store) newCode(g grant) (string, error) {
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	if len(s.codes) >= maxStoredCodes {
		return "", errStoreFull
	}
	s.codes[code] = storedCode{grant: g, expires: s.now().Add(codeTTL)}
	return code, nil
}

// redeem takes a code out of the store: whatever happens, it can never be
// redeemed again. Replaying a code that already bought a token revokes that
// token.
func (s *store) redeem(code string) (grant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.used[code]; ok {
		delete(s.tokens, u.accessToken)
		delete(s.used, code)
		return grant{}, errCodeReused
	}
	c, ok := s.codes[code]
	if !ok {
		return grant{}, errCodeUnknown
	}
	delete(s.codes, code)
	s.used[code] = usedCode{expires: s.now().Add(accessTokenTTL)}
	if !s.now().Before(c.expires) {
		return grant{}, errCodeExpired
	}
	return c.grant, nil
}

// newAccessToken stores an opaque bearer token bought with code, which
// redeem has just taken. If the code was replayed in between, the replay
// wins and no token is issued.
func (s *store) newAccessToken(code string, t storedToken) (string, error) {
	token := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.used[code]
	if !ok || u.accessToken != "" {
		return "", errCodeReused
	}
	s.purgeLocked()
	if len(s.tokens) >= maxStoredTokens {
		return "", errStoreFull
	}
	s.tokens[token] = t
	u.accessToken = token
	s.used[code] = u
	return token, nil
}

// accessToken returns the live token's details.
func (s *store) accessToken(token string) (storedToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok || !s.now().Before(t.expires) {
		return storedToken{}, false
	}
	return t, true
}

// purgeLocked drops expired entries, at most once per purgeInterval unless a
// map is full. The caller holds s.mu.
func (s *store) purgeLocked() {
	now := s.now()
	full := len(s.codes) >= maxStoredCodes || len(s.tokens) >= maxStoredTokens
	if !full && now.Sub(s.lastPurge) < purgeInterval && now.After(s.lastPurge) {
		return
	}
	s.lastPurge = now
	for k, v := range s.codes {
		if !now.Before(v.expires) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.used {
		if !now.Before(v.expires) {
			delete(s.used, k)
		}
	}
	for k, v := range s.tokens {
		if !now.Before(v.expires) {
			delete(s.tokens, k)
		}
	}
}
