package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
)

func TestAdminAddsALocalPersonStoredWithIsLocalUserTrue(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	res := b.Submit("/admin/users/new", `form[action="/admin/users"]`, url.Values{
		"full_name": {"Nina New"}, "email": {"Nina.New@Example.com"}, "roles": {"employee", "admin"},
		"active": {"on"}, "password_setup": {"password"}, "password": {"a-long-enough-password"},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", res.StatusCode, res.Body)
	}
	var row struct {
		Email       string
		IsLocalUser bool
		Roles       int
	}
	srv.DB.Raw(`SELECT u.email, e.is_local_user, (SELECT count(*) FROM user_roles r WHERE r.user_id = u.id) AS roles
		FROM users u JOIN employees e ON e.user_id = u.id WHERE e.full_name = ?`, "Nina New").Scan(&row)
	if row.Email != "nina.new@example.com" || !row.IsLocalUser || row.Roles != 2 {
		t.Fatalf("stored %+v, want lower-cased e-mail, is_local_user true, 2 roles", row)
	}
	list := b.Get("/admin/users").Doc(t)
	found := false
	list.Find(`[data-testid="user-row"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "Nina New") {
			found = true
			if kind := strings.TrimSpace(s.Find(`[data-testid="account-kind-cell"]`).Text()); kind != "Local" {
				t.Errorf("account column = %q, want Local", kind)
			}
		}
	})
	if !found {
		t.Error("new person missing from the list")
	}
	// The new person can sign in with the password the admin set.
	srv.Browser(t).Login("nina.new@example.com", "a-long-enough-password")
}

func TestAdminPersonFormShowsErrorsBesideFieldsAndKeepsInput(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	res := b.Submit("/admin/users/new", `form[action="/admin/users"]`, url.Values{
		"full_name": {"Kept Name"}, "email": {"employee@example.com"}, "password_setup": {"password"}, "password": {"short"}, "roles": nil,
	})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	for field, want := range map[string]string{
		"email":    "already uses this e-mail",
		"password": "at least 10 characters",
		"roles":    "at least one role",
	} {
		if msg := doc.Find("#f-" + field + "-error").Text(); !strings.Contains(msg, want) {
			t.Errorf("%s error = %q, want %q", field, msg, want)
		}
	}
	if v, _ := doc.Find(`input[name="full_name"]`).Attr("value"); v != "Kept Name" {
		t.Errorf("full name not kept: %q", v)
	}
	var n int64
	srv.DB.Table("employees").Where("full_name = ?", "Kept Name").Count(&n)
	if n != 0 {
		t.Error("an invalid form wrote a row")
	}
}

func TestOnlyAdminsMayManagePeopleWhateverThePageShows(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("liam.chen@example.com", apptest.DemoPassword)
	if res := b.Get("/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("GET /admin/users: status %d, want 403", res.StatusCode)
	} else if !strings.Contains(res.Doc(t).Find("main").Text(), "Only administrators can do this.") {
		t.Error("the 403 page does not give the policy's reason")
	}
	res := b.PostForm("/admin/users", url.Values{
		"_csrf": {b.CSRF("/profile")}, "full_name": {"Sneaky"}, "email": {"sneaky@example.com"},
		"roles": {"admin"}, "active": {"on"}, "password_setup": {"password"}, "password": {"a-long-enough-password"},
	})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /admin/users: status %d, want 403", res.StatusCode)
	}
	var n int64
	srv.DB.Table("users").Where("email = ?", "sneaky@example.com").Count(&n)
	if n != 0 {
		t.Error("an employee created an account")
	}
}

func TestDeactivatingAPersonSignsThemOutAtOnce(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	emp := srv.Browser(t)
	emp.Login("employee@example.com", apptest.DemoPassword)
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "employee@example.com").Scan(&id)

	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	page := admin.Get("/admin/users/" + id)
	form := url.Values{"active": nil} // unchecked
	res := admin.SubmitOn(page, `form[action="/admin/users/`+id+`"]`, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", res.StatusCode, res.Body)
	}
	if res := emp.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivated person still signed in: status %d", res.StatusCode)
	}
}

func TestAdminCannotDeactivateThemself(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "admin@example.com").Scan(&id)
	res := admin.Submit("/admin/users/"+id, `form[action="/admin/users/`+id+`"]`, url.Values{"active": nil})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "cannot deactivate your own account") {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestChangingPasswordRequiresTheCurrentOne(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	res := b.Submit("/profile", `form[action="/profile/password"]`, url.Values{
		"current": {"wrong-current"}, "new": {"brand-new-password"}, "confirm": {"brand-new-password"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find("#f-current-error").Text(), "not your current password") {
		t.Fatalf("wrong current password: status %d", res.StatusCode)
	}
	res = b.Submit("/profile", `form[action="/profile/password"]`, url.Values{
		"current": {apptest.DemoPassword}, "new": {"brand-new-password"}, "confirm": {"brand-new-password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	srv.Browser(t).Login("employee@example.com", "brand-new-password")
}

func TestAPersonListedInBootstrapAdminsIsAnAdministratorFromTheirFirstSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"BOOTSTRAP_ADMINS": "priya.patel@example.com"}})
	// A fresh deployment: nobody is an active administrator yet.
	srv.DB.Exec("UPDATE users SET active = ? WHERE email = ?", false, "admin@example.com")
	b := srv.Browser(t)
	b.Login("priya.patel@example.com", apptest.DemoPassword)
	if res := b.Get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/users as a bootstrap admin: status %d", res.StatusCode)
	}
	other := srv.Browser(t)
	other.Login("employee@example.com", apptest.DemoPassword)
	if res := other.Get("/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("unlisted person: status %d", res.StatusCode)
	}
}

// BOOTSTRAP_ADMINS counts an SSO sign-in only with an address the provider
// asserts as verified; the development provider asserts Liam's.
func TestABootstrapAdminSigningInThroughSSOWithAVerifiedAddressBecomesAdministrator(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"BOOTSTRAP_ADMINS": liam}})
	srv.DB.Exec("UPDATE users SET active = ? WHERE email = ?", false, "admin@example.com")
	b := srv.Browser(t)
	if res := ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), liam); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		t.Fatalf("SSO sign-in: callback answered %d", res.StatusCode)
	}
	if res := b.Get("/admin/users"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/users after a verified SSO sign-in of a bootstrap admin: status %d, want 200", res.StatusCode)
	}
}

// An administrator takes the admin role away from someone listed in
// BOOTSTRAP_ADMINS: their next sign-in must not give it back.
func TestBootstrapAdminDemotedByAnotherAdministratorStaysDemotedAtTheNextSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"BOOTSTRAP_ADMINS": "priya.patel@example.com"}})
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "priya.patel@example.com").Scan(&id)
	srv.DB.Exec("INSERT INTO user_roles (user_id, role) VALUES (?, 'admin')", id)

	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	res := admin.Submit("/admin/users/"+id, `form[action="/admin/users/`+id+`"]`, url.Values{"roles": {"employee"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("demoting the bootstrap admin: status %d", res.StatusCode)
	}
	b := srv.Browser(t)
	b.Login("priya.patel@example.com", apptest.DemoPassword)
	if res := b.Get("/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("GET /admin/users after the demotion and a new sign-in: status %d, want 403", res.StatusCode)
	}
}

func TestAdminPersonFormRefusesNamesThatAreNotPlainTextAtTheField(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	for _, name := range []string{"Nina\x00New", "Nina\r\nNew", "Nina \xffNew", "Nina \u202Ewen", "\u200b\u200b"} {
		res := b.Submit("/admin/users/new", `form[action="/admin/users"]`, url.Values{
			"full_name": {name}, "email": {"nina.new@example.com"}, "roles": {"employee"},
			"active": {"on"}, "password_setup": {"password"}, "password": {"a-long-enough-password"},
		})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("name %q: status %d, want 422", name, res.StatusCode)
		}
		doc := res.Doc(t)
		if doc.Find("#f-full_name-error").Text() == "" {
			t.Errorf("name %q: no message beside Full name", name)
		}
		if got := doc.Find(`input[name="email"]`).AttrOr("value", ""); got != "nina.new@example.com" {
			t.Errorf("name %q: e-mail not kept, got %q", name, got)
		}
	}
	var n int64
	srv.DB.Raw("SELECT count(*) FROM users WHERE email = ?", "nina.new@example.com").Scan(&n)
	if n != 0 {
		t.Error("a person with an invalid name was created")
	}
}
