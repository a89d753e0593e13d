package sso

import (
	"cmp"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

// flowTTL bounds a sign-in's round trip through the identity provider. Ten
// minutes is enough to type a password and answer a second factor.
const flowTTL = 10 * time.Minute

// flowCookiePrefix starts the name of every flow cookie. Each sign-in in
// progress has its own cookie, named after its state, so that two tabs
// signing in at once do not overwrite each other.
const flowCookiePrefix = "sso_"

// maxFlows is how many sign-ins in progress one browser keeps: a few tabs
// at once. Each start beyond it drops the oldest, so repeated starts never
// pile up cookies until every request to /auth is refused as too large
// (431).
const maxFlows = 3

// flow is a sign-in in progress: what the callback must check and where it
// goes afterwards. It travels in an encrypted, signed cookie.
type flow struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	// Nonce and Verifier (PKCE) are set for OpenID Connect providers.
	Nonce    string `json:"n,omitempty"`
	Verifier string `json:"v,omitempty"`
	// Next is the local path to return to, already checked by
	// Service.safeNext.
	Next string `json:"r,omitempty"`
	// LinkUserID is set when a signed-in person connects the provider to
	// their account from the profile page.
	LinkUserID uint `json:"l,omitempty"`
	// Session is goth's session, marshalled.
	Session string `json:"g"`
	Started int64  `json:"t"`
}

// Reasons a callback's state is refused.
var (
	errNoFlow        = errors.New("no sign-in in progress for this state (cookie missing, expired or not ours)")
	errStateMismatch = errors.New("state does not match the sign-in in progress")
	errStateReplayed = errors.New("state was already used")
	errWrongProvider = errors.New("the sign-in was started with another provider")
)

// flowStore keeps sign-ins in progress in cookies, and remembers the states
// already used so that each is accepted once.
type flowStore struct {
	cookies *sessions.CookieStore
	now     func() time.Time

	mu   sync.Mutex
	used map[string]time.Time // state → when it may be forgotten
}

// newFlowStore builds the cookie store from the app's secret. The signing and
// encryption keys are derived from it with HKDF, so the secret is never used
// directly as a key and the two keys differ.
func newFlowStore(secret string, secure bool) (*flowStore, error) {
	hashKey, err := hkdf.Key(sha256.New, []byte(secret), nil, "company-expenses sso flow cookie: hmac", 64)
	if err != nil {
		return nil, fmt.Errorf("sso: derive cookie keys: %w", err)
	}
	blockKey, err := hkdf.Key(sha256.New, []byte(secret), nil, "company-expenses sso flow cookie: aes", 32)
	if err != nil {
		return nil, fmt.Errorf("sso: derive cookie keys: %w", err)
	}
	store := sessions.NewCookieStore(hashKey, blockKey)
	store.Options = &sessions.Options{
		// Only the SSO routes need the cookie.
		Path:     "/auth",
		HttpOnly: true,
		Secure:   secure,
		// Lax, not Strict: the identity provider's redirect back is a
		// cross-site navigation, and Strict cookies are not sent with it.
		SameSite: http.SameSiteLaxMode,
	}
	// MaxAge sets both the cookie's lifetime and the signed timestamp check.
	store.MaxAge(int(flowTTL / time.Second))
	return &flowStore{cookies: store, now: time.Now, used: map[string]time.Time{}}, nil
}

// randomToken returns 32 random bytes, base64url-encoded (43 characters): a
// state, a nonce.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b)
}

func flowCookieName(state string) string {
	return flowCookiePrefix + state[:16]
}

// save writes f's cookie on the response, and deletes the oldest flow
// cookies the browser sent beyond maxFlows-1, so that at most maxFlows
// remain with f's.
func (fs *flowStore) save(c echo.Context, f flow) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	fs.dropOldest(c, maxFlows-1)
	sess := sessions.NewSession(fs.cookies, flowCookieName(f.State))
	opts := *fs.cookies.Options
	sess.Options = &opts
	sess.IsNew = true
	sess.Values["flow"] = string(b)
	return fs.cookies.Save(c.Request(), c.Response(), sess)
}

// dropOldest deletes all but the keep most recent flow cookies of the
// request. Cookies that are not readable flows (expired, forged, from
// another key) go first.
func (fs *flowStore) dropOldest(c echo.Context, keep int) {
	type found struct {
		name    string
		started int64
	}
	var all []found
	for _, ck := range c.Request().Cookies() {
		if !strings.HasPrefix(ck.Name, flowCookiePrefix) || slices.ContainsFunc(all, func(f found) bool { return f.name == ck.Name }) {
			continue
		}
		var started int64 // unreadable: oldest
		// New decodes the cookie without touching the request's registry.
		if sess, err := fs.cookies.New(c.Request(), ck.Name); err == nil && !sess.IsNew {
			var f flow
			if raw, ok := sess.Values["flow"].(string); ok && json.Unmarshal([]byte(raw), &f) == nil {
				started = f.Started
			}
		}
		all = append(all, found{ck.Name, started})
	}
	if len(all) <= keep {
		return
	}
	slices.SortStableFunc(all, func(a, b found) int { return cmp.Compare(b.started, a.started) })
	for _, f := range all[keep:] {
		c.SetCookie(&http.Cookie{Name: f.name, Value: "", Path: fs.cookies.Options.Path, MaxAge: -1,
			HttpOnly: true, Secure: fs.cookies.Options.Secure, SameSite: fs.cookies.Options.SameSite})
	}
}

// take returns the sign-in in progress for state and ends it: its cookie is
// deleted and the state is remembered as used, so a replayed callback (even
// with a copy of the old cookie) is refused.
func (fs *flowStore) take(c echo.Context, provider, state string) (flow, error) {
	var f flow
	if len(state) != 43 {
		return f, errNoFlow
	}
	name := flowCookieName(state)
	sess, err := fs.cookies.Get(c.Request(), name)
	if err != nil || sess.IsNew {
		return f, errNoFlow
	}
	raw, _ := sess.Values["flow"].(string)
	if json.Unmarshal([]byte(raw), &f) != nil {
		return f, errNoFlow
	}
	if subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) != 1 {
		// A cookie with our name but another state: leave it for its own
		// callback.
		return flow{}, errStateMismatch
	}
	// From here on the sign-in is spent, whatever happens next.
	sess.Options.MaxAge = -1
	sess.Values = map[any]any{}
	if err := fs.cookies.Save(c.Request(), c.Response(), sess); err != nil {
		return flow{}, err
	}
	if !fs.markUsed(state) {
		return flow{}, errStateReplayed
	}
	if fs.now().Sub(time.Unix(f.Started, 0)) > flowTTL {
		return flow{}, errNoFlow
	}
	if f.Provider != provider {
		return flow{}, errWrongProvider
	}
	return f, nil
}

// markUsed records state as used and reports whether it was new. Entries
// are forgotten once their cookie has expired anyway.
//
// The set lives in this process's memory. With several instances a replay
// could reach another instance; it would still fail there, because the
// identity provider redeems an authorization code only once.
func (fs *flowStore) markUsed(state string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.now()
	if len(fs.used) > 1000 {
		for s, until := range fs.used {
			if now.After(until) {
				delete(fs.used, s)
			}
		}
	}
	if until, seen := fs.used[state]; seen && now.Before(until) {
		return false
	}
	fs.used[state] = now.Add(flowTTL + time.Minute)
	return true
}
