package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/layouts"
)

// In production every cookie is Secure and SameSite=Lax, the one that
// clears a shown flash message included.
func TestFlashCookieIsSecureAndSameSiteLaxWhenSetAndWhenCleared(t *testing.T) {
	t.Parallel()
	a := &Application{cfg: config.Config{Env: config.Production, SessionSecret: "test-secret"}}
	e := echo.New()

	rec := httptest.NewRecorder()
	a.flash(e.NewContext(httptest.NewRequest(http.MethodPost, "/", nil), rec), layouts.FlashSuccess, "Saved.")
	set := rec.Result().Cookies()

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, ck := range set {
		req.AddCookie(ck)
	}
	rec = httptest.NewRecorder()
	if fs := a.takeFlashes(e.NewContext(req, rec)); len(fs) != 1 {
		t.Fatalf("took %d flashes, want 1", len(fs))
	}
	cleared := rec.Result().Cookies()
	for name, cks := range map[string][]*http.Cookie{"set": set, "cleared": cleared} {
		if len(cks) != 1 {
			t.Fatalf("%s: %d cookies, want 1", name, len(cks))
		}
		if ck := cks[0]; !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
			t.Errorf("%s flash cookie %+v, want Secure, HttpOnly, SameSite=Lax, Path=/", name, ck)
		}
	}
	if cleared[0].MaxAge >= 0 {
		t.Errorf("cleared flash cookie has Max-Age %d, want it deleted", cleared[0].MaxAge)
	}
}
