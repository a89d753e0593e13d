package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// The change-password form asks for the current password; someone at an
// unlocked screen must not be able to guess it there faster than at the
// sign-in form. The failures count towards the same throttle.
func TestRepeatedWrongCurrentPasswordsOnThePasswordFormAreThrottled(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	const ip = "203.0.113.30"
	b := browserFrom(t, srv, ip)
	b.Login("employee@example.com", apptest.DemoPassword)
	change := func(current string) *apptest.Response {
		return b.Submit("/profile", `form[action="/profile/password"]`, url.Values{
			"current": {current}, "new": {"brand-new-password"}, "confirm": {"brand-new-password"}})
	}
	for i := 0; i < 5; i++ {
		if res := change("wrong-guess"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d, want 422", i+1, res.StatusCode)
		}
	}
	res := change(apptest.DemoPassword)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while throttled: status %d, want 429", res.StatusCode)
	}
	if msg := res.Doc(t).Find("#f-current-error").Text(); !strings.Contains(msg, "Too many failed sign-in attempts") {
		t.Errorf("message beside the current password = %q, want the throttling message", msg)
	}
	// The password did not change, and the sign-in form from the same
	// address is throttled too.
	refused := browserFrom(t, srv, ip).Submit("/login", `form[action="/login"]`,
		url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if refused.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in from the same address: status %d, want 429", refused.StatusCode)
	}
	browserFrom(t, srv, "198.51.100.30").Login("employee@example.com", apptest.DemoPassword)
}

func TestRepeatedWrongPasswordsOnTheSSOConnectFormAreThrottled(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	connect := func(password string) *apptest.Response {
		return b.Submit("/profile", `form[data-testid="sso-connect"]`, url.Values{"password": {password}})
	}
	for i := 0; i < 5; i++ {
		if res := connect("wrong-guess"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: status %d, want 422", i+1, res.StatusCode)
		}
	}
	res := connect(apptest.DemoPassword)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while throttled: status %d, want 429", res.StatusCode)
	}
	if !strings.Contains(res.Doc(t).Find("main").Text(), "Too many failed sign-in attempts") {
		t.Error("no throttling message")
	}
}
