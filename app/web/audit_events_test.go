package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/audit"
)

// auditOf returns the audit events of one kind, oldest first.
func auditOf(t *testing.T, srv *apptest.Server, kind audit.Kind) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := srv.DB.Where("kind = ?", kind).Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func userID(t *testing.T, srv *apptest.Server, email string) uint {
	t.Helper()
	var id uint
	if err := srv.DB.Raw("SELECT id FROM users WHERE email = ?", email).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no user %s (%v)", email, err)
	}
	return id
}

func about(e audit.Entry, subject uint) bool { return e.SubjectID != nil && *e.SubjectID == subject }

func TestPasswordSignInAndSignOutAreRecordedWithTheClientAddressAndBrowser(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	b := browserFrom(t, srv, "203.0.113.21")
	b.Login(employee, apptest.DemoPassword)
	emily := userID(t, srv, employee)
	in := auditOf(t, srv, audit.SignInSucceeded)
	if len(in) != 1 || !about(in[0], emily) || *in[0].ActorID != emily || in[0].Detail != "password" || in[0].IP != "203.0.113.21" || in[0].UserAgent == "" {
		t.Fatalf("sign-in recorded as %+v", in)
	}
	if res := b.Submit("/", `form[action="/logout"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", res.StatusCode)
	}
	out := auditOf(t, srv, audit.SignedOut)
	if len(out) != 1 || !about(out[0], emily) || out[0].IP != "203.0.113.21" {
		t.Errorf("sign-out recorded as %+v", out)
	}
}

// The sign-in page gives one answer whether or not the address has an
// account; the audit log, which only administrators read, tells them apart.
func TestFailedSignInsAreRecordedWithTheAddressTriedWhileThePageSaysTheSame(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	wrong := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {employee}, "password": {"not-it"}})
	unknown := b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"nobody@example.com"}, "password": {"not-it"}})
	if wrong.StatusCode != unknown.StatusCode || !strings.Contains(unknown.Body, "Wrong e-mail or password.") || !strings.Contains(wrong.Body, "Wrong e-mail or password.") {
		t.Fatalf("the page tells the two apart: %d and %d", wrong.StatusCode, unknown.StatusCode)
	}
	if err := srv.DB.Exec("UPDATE users SET active = ? WHERE email = ?", false, priya).Error; err != nil {
		t.Fatal(err)
	}
	b.Submit("/login", `form[action="/login"]`, url.Values{"email": {priya}, "password": {apptest.DemoPassword}})

	es := auditOf(t, srv, audit.SignInFailed)
	if len(es) != 3 {
		t.Fatalf("got %d failed sign-ins recorded, want 3: %+v", len(es), es)
	}
	if !about(es[0], userID(t, srv, employee)) || es[0].Actor != "anonymous" || !strings.Contains(es[0].Detail, "e-mail tried: "+employee) {
		t.Errorf("wrong password recorded as %+v", es[0])
	}
	if es[1].SubjectID != nil || !strings.Contains(es[1].Detail, "e-mail tried: nobody@example.com") {
		t.Errorf("unknown address recorded as %+v", es[1])
	}
	if !about(es[2], userID(t, srv, priya)) || !strings.Contains(es[2].Detail, "deactivated") {
		t.Errorf("deactivated account recorded as %+v", es[2])
	}
	if n := len(auditOf(t, srv, audit.SignInSucceeded)); n != 0 {
		t.Errorf("%d successful sign-ins recorded", n)
	}
}

func TestFirstSSOSignInRecordsTheAccountTheProviderCreatedAndTheSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	const jordan = "jordan.rivera@example.com"
	if res := ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), jordan); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d", res.StatusCode)
	}
	id := userID(t, srv, jordan)
	created := auditOf(t, srv, audit.AccountCreated)
	if len(created) != 1 || !about(created[0], id) || created[0].Actor != "provider:openid-connect" || created[0].ActorID != nil ||
		!strings.Contains(created[0].Detail, jordan) {
		t.Errorf("first login recorded as %+v", created)
	}
	in := auditOf(t, srv, audit.SignInSucceeded)
	if len(in) != 1 || !about(in[0], id) || in[0].Detail != "sso:openid-connect" {
		t.Errorf("SSO sign-in recorded as %+v", in)
	}
}

func TestConnectingAndDisconnectingAnSSOProviderAreRecorded(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login(employee, apptest.DemoPassword)
	start := b.Submit("/profile", `form[data-testid="sso-connect"]`, url.Values{"password": {apptest.DemoPassword}})
	if start.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: status %d", start.StatusCode)
	}
	if res := ssoSignInFrom(t, b, start, employee); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d", res.StatusCode)
	}
	emily := userID(t, srv, employee)
	linked := auditOf(t, srv, audit.SSOLinked)
	if len(linked) != 1 || !about(linked[0], emily) || *linked[0].ActorID != emily || !strings.HasPrefix(linked[0].Detail, "openid-connect · subject ") {
		t.Fatalf("connection recorded as %+v", linked)
	}
	if res := b.Submit("/profile", `form:has([data-testid="sso-disconnect"])`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disconnect: status %d", res.StatusCode)
	}
	unlinked := auditOf(t, srv, audit.SSOUnlinked)
	if len(unlinked) != 1 || !about(unlinked[0], emily) || unlinked[0].Detail != linked[0].Detail {
		t.Errorf("disconnection recorded as %+v", unlinked)
	}
}

func TestClearingASignInLockIsRecordedWithTheAdministratorWhoDidIt(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: trustProxy})
	locked := browserFrom(t, srv, "203.0.113.91")
	for range 5 {
		locked.Submit("/login", `form[action="/login"]`, url.Values{"email": {priya}, "password": {"wrong-guess"}})
	}
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	res := admin.Submit("/admin/sign-in-locks", `[data-kind="account-address"] form[data-testid="clear-lock"]`, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: status %d", res.StatusCode)
	}
	es := auditOf(t, srv, audit.SignInLockCleared)
	if len(es) != 1 || *es[0].ActorID != userID(t, srv, "admin@example.com") || !about(es[0], userID(t, srv, priya)) ||
		!strings.Contains(es[0].Detail, "203.0.113.91") {
		t.Errorf("clearing recorded as %+v", es)
	}
}

// A sign-in the SSO module's account rules refuse, after the provider
// proved who the person is, is a failed sign-in about that account.
func TestRefusedSSOSignInsAreRecordedAsFailedSignInsOfTheAccount(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	// Emily has a local account: SSO does not take it over silently.
	b := srv.Browser(t)
	if res := ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), employee); res.StatusCode == http.StatusSeeOther {
		t.Fatal("SSO signed Emily in to her local account")
	}
	// Liam is linked, but deactivated.
	if err := srv.DB.Exec("UPDATE users SET active = ? WHERE email = ?", false, liam).Error; err != nil {
		t.Fatal(err)
	}
	b2 := srv.Browser(t)
	ssoSignInFrom(t, b2, b2.Get("/auth/openid-connect"), liam)

	es := auditOf(t, srv, audit.SignInFailed)
	if len(es) != 2 {
		t.Fatalf("got %d failed sign-ins recorded, want 2: %+v", len(es), es)
	}
	if !about(es[0], userID(t, srv, employee)) || es[0].Actor != "provider:openid-connect" || !strings.Contains(es[0].Detail, "single sign-on refused") {
		t.Errorf("refusal of Emily recorded as %+v", es[0])
	}
	if !about(es[1], userID(t, srv, liam)) || !strings.Contains(es[1].Detail, "deactivated") {
		t.Errorf("refusal of deactivated Liam recorded as %+v", es[1])
	}
	if n := len(auditOf(t, srv, audit.SignInSucceeded)); n != 0 {
		t.Errorf("%d sign-ins recorded as successful", n)
	}
}
