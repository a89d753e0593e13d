package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/middleware"
)

// csrfServer is an echo app behind the CSRF middleware whose "session" is
// the value of the test's session header, as loadViewer would find it.
func csrfServer(secure bool) (*echo.Echo, *middleware.CSRF) {
	p := middleware.NewCSRF(middleware.CSRFConfig{
		Secret: "test-secret", Secure: secure,
		Session: func(c echo.Context) string { return c.Request().Header.Get("X-Test-Session") },
	})
	e := echo.New()
	h := func(c echo.Context) error { return c.String(http.StatusOK, middleware.CSRFToken(c)) }
	e.GET("/form", h, p.Middleware)
	e.POST("/form", h, p.Middleware)
	e.POST("/rotate", func(c echo.Context) error { p.Rotate(c); return c.NoContent(http.StatusOK) }, p.Middleware)
	return e, p
}

type csrfReq struct {
	method, target string
	session        string
	cookie         *http.Cookie
	form           url.Values
	header         map[string]string
}

func (r csrfReq) do(e *echo.Echo) *httptest.ResponseRecorder {
	var body *strings.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(r.method, r.target, body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.session != "" {
		req.Header.Set("X-Test-Session", r.session)
	}
	if r.cookie != nil {
		req.AddCookie(r.cookie)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// visit fetches the form as a signed-out visitor and returns the
// pre-session cookie and its token.
func visit(t *testing.T, e *echo.Echo) (*http.Cookie, string) {
	t.Helper()
	rec := csrfReq{method: http.MethodGet, target: "/form"}.do(e)
	cks := rec.Result().Cookies()
	if len(cks) != 1 || rec.Body.String() == "" {
		t.Fatalf("GET /form: cookies %v, token %q; want one pre-session cookie and a token", cks, rec.Body.String())
	}
	return cks[0], rec.Body.String()
}

func TestCSRFPreSessionCookieIsHostPrefixedSecureAndHttpOnlyInProduction(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(true)
	ck, _ := visit(t, e)
	if ck.Name != "__Host-csrf-id" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v, want __Host-csrf-id, Secure, HttpOnly, Path=/, no Domain, SameSite=Lax", ck)
	}
}

func TestCSRFAcceptsItsOwnTokenFromTheFormFieldOrTheHeader(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	ck, tok := visit(t, e)
	if rec := (csrfReq{method: http.MethodPost, target: "/form", cookie: ck, form: url.Values{"_csrf": {tok}}}).do(e); rec.Code != http.StatusOK {
		t.Errorf("form field: status %d", rec.Code)
	}
	if rec := (csrfReq{method: http.MethodPost, target: "/form", cookie: ck, header: map[string]string{"X-CSRF-Token": tok}}).do(e); rec.Code != http.StatusOK {
		t.Errorf("header: status %d", rec.Code)
	}
	signedIn := csrfReq{method: http.MethodGet, target: "/form", session: "s1"}.do(e).Body.String()
	if rec := (csrfReq{method: http.MethodPost, target: "/form", session: "s1", form: url.Values{"_csrf": {signedIn}}}).do(e); rec.Code != http.StatusOK {
		t.Errorf("signed in: status %d", rec.Code)
	}
}

func TestCSRFRefusesAPlantedCookieWithAMatchingToken(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	// What a sibling subdomain can do: set a cookie and send its value.
	const planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for _, name := range []string{"csrf-id", "csrf"} {
		rec := csrfReq{method: http.MethodPost, target: "/form", cookie: &http.Cookie{Name: name, Value: planted},
			form: url.Values{"_csrf": {planted}}}.do(e)
		if rec.Code != http.StatusForbidden {
			t.Errorf("planted %s cookie: status %d, want 403", name, rec.Code)
		}
	}
}

func TestCSRFRefusesATokenOfAnotherSessionOrVisitor(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	other := csrfReq{method: http.MethodGet, target: "/form", session: "someone-else"}.do(e).Body.String()
	if rec := (csrfReq{method: http.MethodPost, target: "/form", session: "mine", form: url.Values{"_csrf": {other}}}).do(e); rec.Code != http.StatusForbidden {
		t.Errorf("another session's token: status %d, want 403", rec.Code)
	}
	_, theirs := visit(t, e)
	mine, _ := visit(t, e)
	if rec := (csrfReq{method: http.MethodPost, target: "/form", cookie: mine, form: url.Values{"_csrf": {theirs}}}).do(e); rec.Code != http.StatusForbidden {
		t.Errorf("another visitor's token: status %d, want 403", rec.Code)
	}
	// The pre-session token is not the session's: signing in changes it.
	ck, pre := visit(t, e)
	if rec := (csrfReq{method: http.MethodPost, target: "/form", session: "mine", cookie: ck, form: url.Values{"_csrf": {pre}}}).do(e); rec.Code != http.StatusForbidden {
		t.Errorf("pre-session token after sign-in: status %d, want 403", rec.Code)
	}
}

func TestCSRFNeverReadsTheTokenFromTheQueryString(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	ck, tok := visit(t, e)
	rec := csrfReq{method: http.MethodPost, target: "/form?_csrf=" + url.QueryEscape(tok), cookie: ck, form: url.Values{"x": {"1"}}}.do(e)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("token in the query string: status %d, want 400 (missing)", rec.Code)
	}
}

func TestCSRFRefusesSameSiteCrossSiteAndForeignOriginsEvenWithAValidToken(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	ck, tok := visit(t, e)
	for name, header := range map[string]map[string]string{
		// A sibling subdomain is same-site, yet not ours.
		"same-site":      {"Sec-Fetch-Site": "same-site"},
		"cross-site":     {"Sec-Fetch-Site": "cross-site"},
		"foreign Origin": {"Origin": "https://evil.example"},
		"null Origin":    {"Origin": "null"},
	} {
		if rec := (csrfReq{method: http.MethodPost, target: "/form", cookie: ck, form: url.Values{"_csrf": {tok}}, header: header}).do(e); rec.Code != http.StatusForbidden {
			t.Errorf("%s with a valid token: status %d, want 403", name, rec.Code)
		}
	}
	for name, header := range map[string]map[string]string{
		"same-origin": {"Sec-Fetch-Site": "same-origin"},
		"no headers":  {},
		"own Origin":  {"Origin": "http://example.com"},
		"user-typed":  {"Sec-Fetch-Site": "none"},
	} {
		if rec := (csrfReq{method: http.MethodPost, target: "/form", cookie: ck, form: url.Values{"_csrf": {tok}}, header: header}).do(e); rec.Code != http.StatusOK {
			t.Errorf("%s with a valid token: status %d, want 200", name, rec.Code)
		}
	}
}

func TestCSRFRotateDropsThePreSessionSoEarlierTokensDie(t *testing.T) {
	t.Parallel()
	e, _ := csrfServer(false)
	ck, tok := visit(t, e)
	rec := csrfReq{method: http.MethodPost, target: "/rotate", cookie: ck, form: url.Values{"_csrf": {tok}}}.do(e)
	cks := rec.Result().Cookies()
	if rec.Code != http.StatusOK || len(cks) != 1 || cks[0].Name != "csrf-id" || cks[0].MaxAge >= 0 {
		t.Fatalf("rotate: status %d, cookies %v; want the pre-session cookie deleted", rec.Code, cks)
	}
	// The browser now has no pre-session cookie: the old token is dead.
	if rec := (csrfReq{method: http.MethodPost, target: "/form", form: url.Values{"_csrf": {tok}}}).do(e); rec.Code != http.StatusForbidden {
		t.Errorf("token from before the rotation: status %d, want 403", rec.Code)
	}
}
