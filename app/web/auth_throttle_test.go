package web_test

import (
	"context"
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

// holdHashSlots takes every password-hashing slot of srv until the test
// ends, as a flood of sign-ins would.
func holdHashSlots(t *testing.T, srv *apptest.Server) {
	t.Helper()
	h := srv.App.Hasher
	for range h.Slots() {
		release, err := h.Acquire(context.Background())
		if err != nil {
			t.Fatalf("take a hashing slot: %v", err)
		}
		t.Cleanup(release)
	}
}

// While every hashing slot is taken, a sign-in is refused at once with a
// calm 503 and Retry-After, the page says why and keeps the e-mail, nothing
// counts against the throttle, and pages that need no hash still answer.
func TestSignInRefusesSurplusAttemptsWith503AndRetryAfter(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Get("/login")
	holdHashSlots(t, srv)
	res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.StatusCode)
	}
	if ra := res.Header.Get("Retry-After"); ra == "" {
		t.Error("no Retry-After header")
	}
	doc := res.Doc(t)
	if msg := doc.Find(".alert-error").Text(); !strings.Contains(msg, "Too many sign-ins at once, try again in a few seconds") {
		t.Errorf("message = %q", msg)
	}
	if v, _ := doc.Find(`input[name="email"]`).Attr("value"); v != "employee@example.com" {
		t.Errorf("e-mail field = %q, want it kept", v)
	}
	for _, path := range []string{"/healthz", "/login"} {
		if res := srv.Browser(t).Get(path); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s while hashing is full: status %d", path, res.StatusCode)
		}
	}
	var attempts int64
	if err := srv.DB.Raw("SELECT count(*) FROM login_attempts").Row().Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 {
		t.Errorf("%d attempts recorded for sign-ins that were never checked", attempts)
	}
}

// The other password prompts share the bound: the change-password form
// answers 503 with the message beside the current password.
func TestChangePasswordRefusesWith503WhileHashingIsFull(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	page := b.Get("/profile")
	holdHashSlots(t, srv)
	res := b.SubmitOn(page, `form[action="/profile/password"]`, url.Values{
		"current": {apptest.DemoPassword}, "new": {"brand-new-password"}, "confirm": {"brand-new-password"}})
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if msg := res.Doc(t).Find("#f-current-error").Text(); !strings.Contains(msg, "Too many sign-ins at once") {
		t.Errorf("message beside the current password = %q", msg)
	}
}
