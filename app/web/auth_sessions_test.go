package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

func signedIn(t *testing.T, b *apptest.Browser) bool {
	t.Helper()
	return b.Get("/profile").StatusCode == http.StatusOK
}

func TestChangingYourPasswordSignsOutYourOtherBrowsersOnly(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	laptop, phone, colleague := srv.Browser(t), srv.Browser(t), srv.Browser(t)
	laptop.Login("employee@example.com", apptest.DemoPassword)
	phone.Login("employee@example.com", apptest.DemoPassword)
	colleague.Login("liam.chen@example.com", apptest.DemoPassword)

	res := laptop.Submit("/profile", `form[action="/profile/password"]`, url.Values{
		"current": {apptest.DemoPassword}, "new": {"brand-new-password"}, "confirm": {"brand-new-password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: status %d", res.StatusCode)
	}
	if !signedIn(t, laptop) {
		t.Error("the browser that changed the password was signed out")
	}
	if signedIn(t, phone) {
		t.Error("another browser of the same person is still signed in")
	}
	if !signedIn(t, colleague) {
		t.Error("someone else was signed out")
	}
}

func TestAdminPasswordResetSignsThePersonOutEverywhere(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	emp1, emp2 := srv.Browser(t), srv.Browser(t)
	emp1.Login("employee@example.com", apptest.DemoPassword)
	emp2.Login("employee@example.com", apptest.DemoPassword)
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "employee@example.com").Scan(&id)

	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	res := admin.Submit("/admin/users/"+id, `form[action="/admin/users/`+id+`"]`, url.Values{"password": {"reset-by-the-admin"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: status %d: %s", res.StatusCode, res.Body)
	}
	for i, b := range []*apptest.Browser{emp1, emp2} {
		if signedIn(t, b) {
			t.Errorf("browser %d of the person is still signed in after the reset", i+1)
		}
	}
	if !signedIn(t, admin) {
		t.Error("the administrator was signed out")
	}
	srv.Browser(t).Login("employee@example.com", "reset-by-the-admin")
}

// Resetting their own password from the admin screen keeps the
// administrator's own browser signed in, like the profile form does.
func TestAdminResettingTheirOwnPasswordKeepsThisBrowserOnly(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	here, elsewhere := srv.Browser(t), srv.Browser(t)
	here.Login("admin@example.com", apptest.DemoPassword)
	elsewhere.Login("admin@example.com", apptest.DemoPassword)
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "admin@example.com").Scan(&id)
	res := here.Submit("/admin/users/"+id, `form[action="/admin/users/`+id+`"]`, url.Values{"password": {"reset-by-the-admin"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: status %d: %s", res.StatusCode, res.Body)
	}
	if !signedIn(t, here) {
		t.Error("the administrator's own browser was signed out")
	}
	if signedIn(t, elsewhere) {
		t.Error("the administrator's other browser is still signed in")
	}
}
