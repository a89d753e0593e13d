package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/middleware"
)

// serve runs one request through mw in front of a handler that answers 200.
func serve(mw echo.MiddlewareFunc, target string) *httptest.ResponseRecorder {
	e := echo.New()
	e.GET("/*", func(c echo.Context) error { return c.String(http.StatusOK, "ok") }, mw)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func TestSecurityHeadersForbidInlineScriptAndFraming(t *testing.T) {
	t.Parallel()
	rec := serve(middleware.SecurityHeaders(false), "/expenses")
	csp := rec.Header().Get("Content-Security-Policy")
	if csp == "" {
		t.Fatal("no Content-Security-Policy header")
	}
	d := cspDirectives(csp)
	script, ok := d["script-src"]
	if !ok {
		t.Fatalf("CSP %q has no script-src", csp)
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:"} {
		if slices.Contains(script, bad) {
			t.Errorf("script-src allows %s: %q", bad, csp)
		}
	}
	if got := strings.Join(d["frame-ancestors"], " "); got != "'none'" {
		t.Errorf("frame-ancestors = %q, want 'none'", got)
	}
	if got := strings.Join(d["default-src"], " "); got != "'self'" {
		t.Errorf("default-src = %q, want 'self'", got)
	}
	if got := strings.Join(d["object-src"], " "); got != "'none'" {
		t.Errorf("object-src = %q, want 'none'", got)
	}
}

func TestSecurityHeadersSetBrowserHardeningHeaders(t *testing.T) {
	t.Parallel()
	rec := serve(middleware.SecurityHeaders(false), "/")
	want := map[string]string{
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "strict-origin-when-cross-origin",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	for h, v := range want {
		if got := rec.Header().Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if got := rec.Header().Get("Permissions-Policy"); !strings.Contains(got, "camera=()") {
		t.Errorf("Permissions-Policy = %q, want camera disabled", got)
	}
}

// HSTS over plain HTTP would lock developers out of http://localhost.
func TestSecurityHeadersSendHSTSOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	for _, hsts := range []bool{false, true} {
		got := serve(middleware.SecurityHeaders(hsts), "/").Header().Get("Strict-Transport-Security")
		switch {
		case !hsts && got != "":
			t.Errorf("HSTS disabled but Strict-Transport-Security = %q", got)
		case hsts && !strings.HasPrefix(got, "max-age=63072000"):
			t.Errorf("HSTS enabled but Strict-Transport-Security = %q, want max-age of two years", got)
		}
	}
}

func TestSecurityHeadersOfOneResponseAreNotSharedWithTheNext(t *testing.T) {
	t.Parallel()
	mw := middleware.SecurityHeaders(true)
	first := serve(mw, "/")
	// A handler that edits a header in place must not change anyone else's.
	for _, v := range first.Header() {
		v[0] = "changed"
	}
	second := serve(mw, "/")
	if got := second.Header().Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options %q after another response's edit, want DENY", got)
	}
	if got := second.Header().Get("Content-Security-Policy"); got != middleware.ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy %q after another response's edit", got)
	}
}
