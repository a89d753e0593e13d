package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/paths"
)

const inviteSubject = "Adam Brooks invited you to Company Expenses"

// invitedPerson has the administrator add Iris through the new-person form
// with its default, the invitation, and returns her page.
func invitedPerson(t *testing.T, srv *apptest.Server, admin *apptest.Browser) string {
	t.Helper()
	form := admin.Get(paths.AdminUsersNew)
	if v := form.Doc(t).Find(`input[name="password_setup"][checked]`).AttrOr("value", ""); v != "invite" {
		t.Fatalf("the new-person form's default is %q, want the invitation in development", v)
	}
	res := admin.SubmitOn(form, `form[action="/admin/users"]`, url.Values{"full_name": {"Iris Invited"}, "email": {"iris@example.com"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding Iris with an invitation: %d\n%s", res.StatusCode, res.Doc(t).Find(`[data-testid="field-error"]`).Text())
	}
	var id uint
	srv.DB.Raw("SELECT id FROM users WHERE email = 'iris@example.com' AND password_hash = ''").Scan(&id)
	if id == 0 {
		t.Fatal("Iris was not added without a password")
	}
	return paths.AdminUser(id)
}

func TestInvitedPersonSetsAPasswordAndIsSignedIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	page := invitedPerson(t, srv, admin)
	if status := admin.Get(page).Doc(t).Find(`[data-testid="invitation-status"]`).Text(); !strings.Contains(status, "Invitation sent ") || !strings.Contains(status, ", expires ") {
		t.Fatalf("Iris's page says %q", status)
	}
	sendOutbox(t, srv)
	link := devMailLink(t, srv, "iris@example.com", inviteSubject, paths.Invitation)

	iris := srv.Browser(t)
	form := iris.Get(link)
	if form.StatusCode != http.StatusOK || !strings.Contains(form.Doc(t).Find("h1").Text(), "Welcome, Iris Invited") {
		t.Fatalf("the invitation link: %d", form.StatusCode)
	}
	res := iris.SubmitOn(form, `form[action="/invitation"]`, url.Values{"new": {"iris chooses her own"}, "confirm": {"iris chooses her own"}})
	if res.StatusCode != http.StatusSeeOther || res.Location() != paths.Home {
		t.Fatalf("accepting the invitation: %d to %q, want 303 home", res.StatusCode, res.Location())
	}
	if home := iris.Get(paths.Home); home.StatusCode != http.StatusOK || !strings.Contains(home.Body, "Iris Invited") {
		t.Fatalf("Iris is not signed in after setting her password: %d", home.StatusCode)
	}
	srv.Browser(t).Login("iris@example.com", "iris chooses her own")
	if res := iris.Get(link); res.StatusCode != http.StatusGone {
		t.Fatalf("the used invitation link: %d, want 410", res.StatusCode)
	}
	if n := admin.Get(page).Doc(t).Find(`[data-testid="invitation"]`).Length(); n != 0 {
		t.Fatal("Iris's page still shows an invitation after she set her password")
	}
}

func TestResentInvitationReplacesTheOldLinkAndARevokedOneSaysSo(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	page := invitedPerson(t, srv, admin)
	sendOutbox(t, srv)
	first := devMailLink(t, srv, "iris@example.com", inviteSubject, paths.Invitation)

	if res := admin.Submit(page, `form[action$="/invitation"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Resend: %d", res.StatusCode)
	}
	sendOutbox(t, srv)
	second := devMailLink(t, srv, "iris@example.com", inviteSubject, paths.Invitation)
	iris := srv.Browser(t)
	if res := iris.Get(first); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "no longer valid") {
		t.Fatalf("the first link after a resend: %d", res.StatusCode)
	}
	if res := iris.Get(second); res.StatusCode != http.StatusOK {
		t.Fatalf("the resent link: %d", res.StatusCode)
	}

	if res := admin.Submit(page, `form[action$="/invitation/revoke"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Revoke: %d", res.StatusCode)
	}
	res := iris.Get(second)
	if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "revoked") {
		t.Fatalf("the revoked link: %d %q", res.StatusCode, res.Doc(t).Find("p.lead").Text())
	}
	if status := admin.Get(page).Doc(t).Find(`[data-testid="invitation-status"]`).Text(); !strings.Contains(status, "No invitation pending") {
		t.Fatalf("after revoking, Iris's page says %q", status)
	}

	srv.DB.Exec("UPDATE account_links SET expires_at = ?", "2000-01-01 00:00:00")
	if res := admin.Submit(page, `form[action$="/invitation"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Send again: %d", res.StatusCode)
	}
	sendOutbox(t, srv)
	third := devMailLink(t, srv, "iris@example.com", inviteSubject, paths.Invitation)
	srv.DB.Exec("UPDATE account_links SET expires_at = ?", "2000-01-01 00:00:00")
	if res := iris.Get(third); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "This invitation has expired") {
		t.Fatalf("an expired invitation: %d", res.StatusCode)
	}
	if status := admin.Get(page).Doc(t).Find(`[data-testid="invitation-status"]`).Text(); !strings.Contains(status, "expired") {
		t.Fatalf("an expired invitation on Iris's page: %q", status)
	}
}

func TestInvitationButtonsAreForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	page := invitedPerson(t, srv, admin)
	manager := srv.Browser(t)
	manager.Login("liam.chen@example.com", apptest.DemoPassword)
	tok := manager.CSRF(paths.Profile)
	for _, p := range []string{page + "/invitation", page + "/invitation/revoke"} {
		if res := manager.PostForm(p, url.Values{"_csrf": {tok}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a manager posting %s: %d, want 403", p, res.StatusCode)
		}
	}
	var n int64
	srv.DB.Raw("SELECT COUNT(*) FROM account_links").Scan(&n)
	if n != 1 {
		t.Fatalf("%d invitation links, want the one the administrator sent", n)
	}
}
