package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
	// The password did not change, and the sign-in form in the same
	// browser is throttled too: its failures count against one allowance
	// (the browser's own, as it signed in before and holds a device
	// cookie).
	b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	refused := b.Submit("/login", `form[action="/login"]`,
		url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	if refused.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in in the same browser: status %d, want 429", refused.StatusCode)
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

// Audit finding 6: the throttle counted before the hash and recorded the
// failure after it, so simultaneous wrong passwords all got checked (171 of
// 200 against a limit of 5). Now at most the limit are checked; the rest are
// refused unchecked (429), or, when hashing is full, asked to retry (503).
func TestSimultaneousWrongPasswordsForOneAccountGetAtMostTheLimitOfChecks(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	const n = 30
	browsers := make([]*apptest.Browser, n)
	for i := range browsers {
		browsers[i] = browserFrom(t, srv, "203.0.113.77")
		browsers[i].Get("/login")
	}
	statuses := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {"wrong-guess-" + strconv.Itoa(i)}}).StatusCode
		}()
	}
	close(start)
	wg.Wait()
	checked := 0
	for _, st := range statuses {
		switch st {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			t.Errorf("unexpected status %d", st)
		}
	}
	if checked > 5 {
		t.Errorf("%d of %d simultaneous wrong passwords were checked, want at most the limit of 5", checked, n)
	}
}

// Audit finding 7: ten addresses guessing five times each locked the owner
// out for 15 minutes, right password or not. Now they lock out browsers
// that never signed in to the account, but not the owner's: a browser that
// signed in before holds a device cookie and is counted on its own.
func TestOwnersBrowserSignsInWhileGuessesFromManyAddressesLockTheAccount(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	owner := browserFrom(t, srv, "198.51.100.40")
	owner.Login("admin@example.com", apptest.DemoPassword)
	owner.SubmitOn(owner.Get("/profile"), `form[action="/logout"]`, nil)
	for ip := range 10 {
		guesser := browserFrom(t, srv, "203.0.113."+strconv.Itoa(100+ip))
		for i := range 5 {
			guesser.Submit("/login", `form[action="/login"]`, url.Values{"email": {"admin@example.com"}, "password": {"guess-" + strconv.Itoa(i)}})
		}
	}
	// A browser that never signed in, from a fresh address, is refused even
	// with the right password: the account is locked for untrusted clients.
	stranger := browserFrom(t, srv, "198.51.100.41").Submit("/login", `form[action="/login"]`,
		url.Values{"email": {"admin@example.com"}, "password": {apptest.DemoPassword}})
	if stranger.StatusCode != http.StatusTooManyRequests {
		t.Errorf("untrusted browser after 50 guesses: status %d, want 429", stranger.StatusCode)
	}
	// The owner's browser, from yet another address, signs in.
	owner.Transport = forwardedFor("198.51.100.42")
	owner.Login("admin@example.com", apptest.DemoPassword)
}

// The device cookie is signed and bound to the account: a forged one, or
// one for another account, makes a browser untrusted.
func TestDeviceCookieIsHttpOnlyLaxAndTrustsOnlyItsOwnAccount(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	b := browserFrom(t, srv, "198.51.100.50")
	b.Get("/login")
	res := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}})
	var device *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "device" {
			device = ck
		}
	}
	if device == nil {
		t.Fatal("no device cookie after a successful sign-in")
	}
	if !device.HttpOnly || device.SameSite != http.SameSiteLaxMode || device.MaxAge < 30*24*3600 {
		t.Errorf("device cookie HttpOnly=%v SameSite=%v MaxAge=%d, want HttpOnly, Lax and long-lived", device.HttpOnly, device.SameSite, device.MaxAge)
	}
	// Lock finance's account for untrusted clients, then try it with
	// employee's device cookie: still locked.
	for ip := range 10 {
		g := browserFrom(t, srv, "203.0.113."+strconv.Itoa(150+ip))
		for i := range 5 {
			g.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {"guess-" + strconv.Itoa(i)}})
		}
	}
	for _, value := range []string{device.Value, "forged.c2lnbmF0dXJl"} {
		other := browserFrom(t, srv, "198.51.100.51")
		other.Get("/login")
		u, _ := url.Parse(srv.URL)
		other.Jar.SetCookies(u, []*http.Cookie{{Name: "device", Value: value, Path: "/"}})
		res := other.Submit("/login", `form[action="/login"]`, url.Values{"email": {"priya.patel@example.com"}, "password": {apptest.DemoPassword}})
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("device cookie %q for another account: status %d, want 429", value, res.StatusCode)
		}
	}
}
