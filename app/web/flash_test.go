package web_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

func TestAFlashCookieNotSignedByTheAppIsIgnored(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	forged := base64.RawURLEncoding.EncodeToString([]byte(`[{"Kind":"error","Message":"Call +1 555 0100 to keep your account"}]`))
	for _, value := range []string{forged, forged + ".bm90LWEtc2lnbmF0dXJl"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/profile", nil)
		req.AddCookie(&http.Cookie{Name: "flash", Value: value})
		res := b.Do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if strings.Contains(res.Body, "555 0100") {
			t.Errorf("the page shows a planted flash message (cookie %q)", value)
		}
	}
}
