package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// An administrator sees who the sign-in throttle refuses, with the count
// and when it frees up, and can lift a lock; the person then signs in.
func TestAdminSeesASignInLockAndClearsIt(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	const ip = "203.0.113.90"
	locked := browserFrom(t, srv, ip)
	for range 5 {
		locked.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {"wrong-guess"}})
	}
	if res := locked.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {apptest.DemoPassword}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked sign-in: status %d, want 429", res.StatusCode)
	}

	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	if link := admin.Get("/admin/users").Doc(t).Find(`[data-testid="sign-in-locks-link"]`); link.AttrOr("href", "") != "/admin/sign-in-locks" {
		t.Error("the people page does not link to the sign-in locks")
	}
	page := admin.Get("/admin/sign-in-locks")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/sign-in-locks: status %d", page.StatusCode)
	}
	row := page.Doc(t).Find(`[data-testid="lock-row"][data-kind="account-address"]`)
	if row.Length() != 1 {
		t.Fatalf("%d account-and-address lock rows, want 1", row.Length())
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="lock-account"]`).Text()); got != "priya.patel@example.com" {
		t.Errorf("locked account = %q", got)
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="lock-address"]`).Text()); got != ip {
		t.Errorf("locked address = %q", got)
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="lock-failures"]`).Text()); got != "5" {
		t.Errorf("failed attempts = %q, want 5", got)
	}
	if got := row.Find(`[data-testid="lock-frees"]`).Text(); !strings.Contains(got, "minutes") {
		t.Errorf("frees up = %q, want when", got)
	}

	res := admin.SubmitOn(page, `[data-kind="account-address"] form[data-testid="clear-lock"]`, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: status %d, want 303", res.StatusCode)
	}
	if rows := admin.Get("/admin/sign-in-locks").Doc(t).Find(`[data-testid="lock-row"]`); rows.Length() != 0 {
		t.Errorf("%d locks left after clearing", rows.Length())
	}
	locked.Login("priya.patel@example.com", apptest.DemoPassword)
}

func TestOnlyAdministratorsSeeOrClearSignInLocks(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("priya.patel@example.com", apptest.DemoPassword)
	if res := b.Get("/admin/sign-in-locks"); res.StatusCode != http.StatusForbidden {
		t.Errorf("GET as finance: status %d, want 403", res.StatusCode)
	}
	token := b.CSRF("/profile")
	res := b.PostForm("/admin/sign-in-locks/clear", url.Values{"_csrf": {token}, "kind": {"account"}, "email": {"priya.patel@example.com"}})
	if res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, "Form expired") {
		t.Errorf("POST clear as finance: status %d, want 403 for want of the right (not of a CSRF token)", res.StatusCode)
	}
	anon := srv.Browser(t)
	if res := anon.Get("/admin/sign-in-locks"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET signed out: status %d, want a redirect to sign in", res.StatusCode)
	}
}
