package middleware

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
)

// CSRF protection with tokens bound to the session.
//
// Why not a double-submit cookie (what echo's middleware does when
// Sec-Fetch-Site is missing or "same-site"): anyone who can set a cookie
// for our host — any sibling subdomain, even over plain HTTP — can plant a
// cookie and send the matching token, and a token that lives in its own
// cookie survives sign-in, sign-out and a change of user. Here the token is
// an HMAC, under the app's secret, of what it is bound to:
//
//   - for a signed-in request, the server-side session (its id changes at
//     every sign-in and dies at sign-out, so do its tokens);
//   - for a signed-out visitor (the sign-in form: login CSRF), a random
//     pre-session id in a cookie of its own, __Host- prefixed in
//     production so that a sibling subdomain cannot plant one. Sign-in and
//     sign-out drop it (Rotate).
//
// Every unsafe request (POST, PUT, PATCH, DELETE) must carry the token in
// the _csrf form field or the X-CSRF-Token header (htmx), never in the URL,
// where it would leak into logs and Referer headers. Sec-Fetch-Site only
// ever makes a refusal earlier: "cross-site" is refused outright (a valid
// token cannot make a cross-site form legitimate), and so is "same-site",
// because a sibling subdomain is same-site yet not ours; without the header
// an Origin naming another host is refused (net/http's
// CrossOriginProtection). Then every request needs its token, whatever the
// headers say, so there is one rule to reason about.

// CSRF field and header names, as the forms (views/ui.CSRF) and
// static/js/app.js send them.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// The refusals. Their texts contain "csrf", which the error page reads to
// say "Form expired".
var (
	ErrCSRFMissing   = echo.NewHTTPError(http.StatusBadRequest, "missing csrf token")
	ErrCSRFInvalid   = echo.NewHTTPError(http.StatusForbidden, "invalid csrf token")
	ErrCSRFCrossSite = echo.NewHTTPError(http.StatusForbidden, "csrf: cross-site request refused")
)

const csrfContextKey = "csrf_token"

// CSRFConfig configures NewCSRF.
type CSRFConfig struct {
	// Secret keys the token HMAC (the app's SESSION_SECRET).
	Secret string
	// Secure is on in production: the pre-session cookie is then Secure
	// and named with the __Host- prefix.
	Secure bool
	// Session returns the server-side id of the request's signed-in
	// session, or "" for a signed-out visitor. The middleware must run
	// after whatever loads the session.
	Session func(echo.Context) string
}

// CSRF issues and checks CSRF tokens; see the comment at the top of the
// file. It holds only configuration, so one may be built wherever needed.
type CSRF struct {
	key     []byte
	secure  bool
	session func(echo.Context) string
	origin  *http.CrossOriginProtection
}

// NewCSRF returns the protection for cfg.
func NewCSRF(cfg CSRFConfig) *CSRF {
	// A key of its own, so that a CSRF token is never also a valid
	// signature for another use of the secret (flash cookies).
	mac := hmac.New(sha256.New, []byte(cfg.Secret))
	mac.Write([]byte("csrf-token-key"))
	return &CSRF{key: mac.Sum(nil), secure: cfg.Secure, session: cfg.Session, origin: http.NewCrossOriginProtection()}
}

// CookieName is the pre-session cookie's name.
func (p *CSRF) CookieName() string {
	if p.secure {
		return "__Host-csrf-id"
	}
	return "csrf-id"
}

// Middleware puts the request's token into the context (CSRFToken) and
// refuses unsafe requests without a valid one.
func (p *CSRF) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		want := p.token(p.binding(c))
		c.Set(csrfContextKey, want)
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		// Go's cross-origin check: Sec-Fetch-Site must say same-origin (or
		// none: typed in the address bar), and without that header an Origin
		// header must name this host. So "cross-site" and "same-site" (a
		// sibling subdomain is same-site yet not ours) are refused outright,
		// whatever token they carry.
		if err := p.origin.Check(r); err != nil {
			return ErrCSRFCrossSite
		}
		sent := r.Header.Get(CSRFHeader)
		if sent == "" {
			sent = r.PostFormValue(CSRFField) // the body only, never the query string
		}
		if sent == "" {
			return ErrCSRFMissing
		}
		if !hmac.Equal([]byte(sent), []byte(want)) {
			return ErrCSRFInvalid
		}
		return next(c)
	}
}

// CSRFToken returns the token for the forms of the page c renders.
func CSRFToken(c echo.Context) string {
	s, _ := c.Get(csrfContextKey).(string)
	return s
}

// Rotate drops the pre-session id, so that no token issued before is
// valid afterwards. Call it at sign-in and at sign-out; the next signed-out
// page gets a fresh id.
func (p *CSRF) Rotate(c echo.Context) {
	c.SetCookie(p.cookie("", -1))
	c.Set(csrfContextKey, "")
}

// binding is what the request's token is bound to: the session when signed
// in, else the pre-session id, which is created when missing.
func (p *CSRF) binding(c echo.Context) string {
	if p.session != nil {
		if s := p.session(c); s != "" {
			return "session:" + s
		}
	}
	if ck, err := c.Cookie(p.CookieName()); err == nil && validID(ck.Value) {
		return "pre-session:" + ck.Value
	}
	raw := make([]byte, 32)
	rand.Read(raw) // never fails (crypto/rand since Go 1.24)
	id := base64.RawURLEncoding.EncodeToString(raw)
	// A browser-session cookie: the sign-in form needs it only while open.
	c.SetCookie(p.cookie(id, 0))
	return "pre-session:" + id
}

func (p *CSRF) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: p.CookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	}
}

func (p *CSRF) token(binding string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// validID accepts only what binding issues (32 random bytes, base64url);
// anything else in the cookie is replaced by a fresh id.
func validID(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}
