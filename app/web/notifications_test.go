package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// A person turns notification mails off on their profile and on again; the
// choice is stored as given (false included, which gorm would leave out of
// a struct update).
func TestNotificationMailsCanBeTurnedOffAndOnFromTheProfile(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login(employee, apptest.DemoPassword)
	setting := func() bool {
		var on bool
		if err := srv.DB.Raw("SELECT mail_notifications FROM users WHERE email = ?", employee).Scan(&on).Error; err != nil {
			t.Fatal(err)
		}
		return on
	}
	if !setting() {
		t.Fatal("notifications are off for a new account, want on")
	}
	page := b.Get("/profile")
	if page.Doc(t).Find(`[data-testid="notifications-card"] input[name="mail_notifications"][checked]`).Length() != 1 {
		t.Error("the profile does not show notifications as on")
	}
	if res := b.SubmitOn(page, `form[action="/profile/notifications"]`, url.Values{"mail_notifications": nil}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off: %d", res.StatusCode)
	}
	if setting() {
		t.Error("notifications still on after turning them off")
	}
	if res := b.Submit("/profile", `form[action="/profile/notifications"]`, url.Values{"mail_notifications": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn on: %d", res.StatusCode)
	}
	if !setting() {
		t.Error("notifications still off after turning them on")
	}
}
