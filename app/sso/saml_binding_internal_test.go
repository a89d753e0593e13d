package sso

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestSAMLBindingCookieIsSameSiteNoneAndHostOnlyWithHTTPS checks the cookie
// that binds SAML sign-ins to their browser: with https it must reach the
// ACS with the identity provider's cross-site POST (SameSite=None, Secure)
// and be a __Host- cookie that a sibling subdomain cannot plant; without
// https a Lax cookie at /auth. Either way one value serves every sign-in
// the browser has in progress, and a value of the wrong shape is replaced.
func TestSAMLBindingCookieIsSameSiteNoneAndHostOnlyWithHTTPS(t *testing.T) {
	t.Parallel()
	e := echo.New()
	ensure := func(b samlBinding, sent *http.Cookie) (string, *http.Cookie) {
		req := httptest.NewRequest(http.MethodGet, "/auth/saml", nil)
		if sent != nil {
			req.AddCookie(sent)
		}
		rec := httptest.NewRecorder()
		v := b.ensure(e.NewContext(req, rec))
		cs := rec.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("%d cookies set, want 1", len(cs))
		}
		return v, cs[0]
	}
	for _, tc := range []struct {
		secure   bool
		name     string
		path     string
		sameSite http.SameSite
	}{
		{true, "__Host-saml_binding", "/", http.SameSiteNoneMode},
		{false, "saml_binding", "/auth", http.SameSiteLaxMode},
	} {
		b := samlBinding{secure: tc.secure}
		v, ck := ensure(b, nil)
		if ck.Name != tc.name || ck.Path != tc.path || ck.SameSite != tc.sameSite || ck.Secure != tc.secure || !ck.HttpOnly ||
			ck.Domain != "" || ck.MaxAge <= 0 || ck.MaxAge > int(flowTTL.Seconds()) || ck.Value != v || !isRandomToken(v) {
			t.Errorf("secure=%v: cookie %+v, want %s, Path=%s, SameSite=%v, HttpOnly, no Domain, MaxAge ≤ %v, a random value",
				tc.secure, ck, tc.name, tc.path, tc.sameSite, flowTTL)
		}
		// A second sign-in in the same browser keeps the value.
		if again, _ := ensure(b, &http.Cookie{Name: tc.name, Value: v}); again != v {
			t.Errorf("secure=%v: a second start changed the binding", tc.secure)
		}
		// A value not of our making is replaced.
		if planted, _ := ensure(b, &http.Cookie{Name: tc.name, Value: "attacker-chosen"}); planted == "attacker-chosen" {
			t.Errorf("secure=%v: a malformed binding was kept", tc.secure)
		}
	}
}
