package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// A common password is refused at the field that asked for it, whatever
// else the person typed, and the old password keeps working.
func TestChangePasswordRefusesACommonPasswordWithAMessageAtTheField(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	for _, pw := range []string{"1234567890", "Password123", strings.Repeat(" ", 12)} {
		res := b.Submit("/profile", `form[action="/profile/password"]`, url.Values{
			"current": {apptest.DemoPassword}, "new": {pw}, "confirm": {pw}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("new password %q: status %d, want 422", pw, res.StatusCode)
		}
		msg := res.Doc(t).Find("#f-new-error").Text()
		if !strings.Contains(msg, "too common") && !strings.Contains(msg, "only spaces") {
			t.Errorf("new password %q: message beside it = %q", pw, msg)
		}
	}
	srv.Browser(t).Login("employee@example.com", apptest.DemoPassword)
}
