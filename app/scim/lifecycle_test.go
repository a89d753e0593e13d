package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/devidp"
)

// provision creates a user through SCIM whose externalId is the development
// identity provider's subject for email, as Entra ID's objectId or Okta's
// user id would be, and returns its SCIM id and the app's user id.
func provision(t *testing.T, srv *apptest.Server, c *client, name, email, externalID string) (string, uint) {
	t.Helper()
	res := c.do(http.MethodPost, "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "`+email+`", "externalId": "`+externalID+`", "displayName": "`+name+`",
		"emails": [{"primary": true, "type": "work", "value": "`+email+`"}], "active": true}`).must(t, http.StatusCreated)
	var userID uint
	if err := srv.DB.Raw("SELECT user_id FROM scim_users WHERE resource_id = ?", res.str("id")).Scan(&userID).Error; err != nil || userID == 0 {
		t.Fatalf("no scim_users row for %s: %v", res.str("id"), err)
	}
	return res.str("id"), userID
}

// signedIn reports whether b's session still opens the home page.
func signedIn(t *testing.T, b *apptest.Browser) bool {
	t.Helper()
	res := b.Get("/")
	return res.StatusCode == http.StatusOK
}

func TestFirstSSOSignInOfAProvisionedPersonLinksToTheirAccountByExternalID(t *testing.T) {
	t.Parallel()
	eachServer(t, nil, func(t *testing.T, srv *apptest.Server) {
		c := scimClient(t, srv)
		email := "nora.ngata@example.com"
		_, userID := provision(t, srv, c, "Nora Ngata", email, devidp.SubjectForEmail(email))

		b := srv.Browser(t)
		res := ssoSignIn(t, b, "Nora Ngata", email)
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
			t.Fatalf("callback answered %d, want a redirect into the app\n%s", res.StatusCode, res.Body)
		}
		if !signedIn(t, b) {
			t.Fatal("not signed in after the SSO callback")
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM identities WHERE user_id = ? AND subject = ?", userID, devidp.SubjectForEmail(email)); n != 1 {
			t.Errorf("the identity is not linked to the provisioned account (%d rows)", n)
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE email = ?", email); n != 1 {
			t.Errorf("%d accounts with the address, want the provisioned one only", n)
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM employees WHERE user_id = ? AND is_local_user = ?", userID, false); n != 1 {
			t.Errorf("the provisioned person is not an SSO account (IsLocalUser false)")
		}
	})
}

func TestProvisionedPersonWhoseExternalIDDiffersIsNotLinkedByEmail(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	c := scimClient(t, srv)
	email := "omar.osei@example.com"
	_, userID := provision(t, srv, c, "Omar Osei", email, "some-other-directory-id")

	b := srv.Browser(t)
	res := ssoSignIn(t, b, "Omar Osei", email)
	if signedIn(t, b) {
		t.Fatal("signed in to the provisioned account on the strength of the e-mail address")
	}
	if !strings.Contains(res.Body, `data-problem=`) {
		t.Errorf("no problem page; answer %d\n%s", res.StatusCode, res.Body)
	}
	if n := count(t, srv, "SELECT COUNT(*) FROM identities WHERE user_id = ?", userID); n != 0 {
		t.Errorf("an identity was linked to the provisioned account")
	}
}

// Issue 10's done-when: a SCIM PATCH active=false signs that person out
// everywhere within one request.
func TestSCIMPatchActiveFalseSignsThePersonOutOfEveryBrowserInTheSameRequest(t *testing.T) {
	t.Parallel()
	eachServer(t, nil, func(t *testing.T, srv *apptest.Server) {
		c := scimClient(t, srv)
		email := "pia.park@example.com"
		id, userID := provision(t, srv, c, "Pia Park", email, devidp.SubjectForEmail(email))
		laptop, phone := srv.Browser(t), srv.Browser(t)
		ssoSignIn(t, laptop, "Pia Park", email)
		ssoSignIn(t, phone, "Pia Park", email)
		if !signedIn(t, laptop) || !signedIn(t, phone) {
			t.Fatal("not signed in on both browsers")
		}

		c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}`).must(t, http.StatusOK)

		if n := count(t, srv, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", userID); n != 0 {
			t.Errorf("%d sessions left after the PATCH", n)
		}
		for name, b := range map[string]*apptest.Browser{"laptop": laptop, "phone": phone} {
			if res := b.Get("/"); res.StatusCode == http.StatusOK {
				t.Errorf("%s still signed in after the PATCH", name)
			}
		}
		// And the provider cannot sign them back in.
		again := srv.Browser(t)
		ssoSignIn(t, again, "Pia Park", email)
		if signedIn(t, again) {
			t.Error("a deactivated person signed in again through SSO")
		}
	})
}

func TestSCIMDeleteDeactivatesThePersonAndEndsTheirSessionsButDeletesNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	c := scimClient(t, srv)
	email := "quinn.quist@example.com"
	id, userID := provision(t, srv, c, "Quinn Quist", email, devidp.SubjectForEmail(email))
	b := srv.Browser(t)
	ssoSignIn(t, b, "Quinn Quist", email)
	if !signedIn(t, b) {
		t.Fatal("not signed in")
	}
	c.do(http.MethodDelete, "/Users/"+id, "").must(t, http.StatusNoContent)
	if signedIn(t, b) {
		t.Error("still signed in after DELETE")
	}
	if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE id = ? AND active = ?", userID, false); n != 1 {
		t.Error("the person is not kept, deactivated")
	}
	c.do(http.MethodGet, "/Users/"+id, "").must(t, http.StatusNotFound)
}

func TestSCIMDeleteWithHardDeleteOnDeletesThePerson(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]string{"SCIM_HARD_DELETE": "on"})
	c := scimClient(t, srv)
	id, userID := provision(t, srv, c, "Rita Roe", "rita.roe@example.com", "rita-object-id")
	c.do(http.MethodDelete, "/Users/"+id, "").must(t, http.StatusNoContent)
	if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE id = ?", userID); n != 0 {
		t.Error("the person was not deleted with SCIM_HARD_DELETE=on")
	}
}

func TestSCIMGroupNamedInTheRoleMapGrantsItsRoleAndLeavingItRevokesIt(t *testing.T) {
	t.Parallel()
	// The template's mappable role is admin; the demo adds finance and
	// manager, mapped the same way. Two groups grant it: one by name, one
	// by externalId (Entra's groups claim carries object ids, so maps often
	// name those).
	eachServer(t, map[string]string{"SSO_ROLE_MAP": "admin=IT-Admins|0f1e-it-admins-object-id"}, func(t *testing.T, srv *apptest.Server) {
		c := scimClient(t, srv)
		id, userID := provision(t, srv, c, "Sam Sato", "sam.sato@example.com", "sam-object-id")
		hasRole := func(role string) bool {
			return count(t, srv, "SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = ?", userID, role) == 1
		}
		byName := c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "it-admins"}`).must(t, http.StatusCreated)
		if hasRole("admin") {
			t.Fatal("admin role before joining the group")
		}
		c.do(http.MethodPatch, "/Groups/"+byName.str("id"), `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}]}]}`).must(t, http.StatusOK)
		if !hasRole("admin") || !hasRole("employee") {
			t.Fatal("joining IT-Admins did not grant admin (or took employee)")
		}
		byID := c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "IT Admins (Entra)",
			"externalId": "0f1e-it-admins-object-id", "members": [{"value": "`+id+`"}]}`).must(t, http.StatusCreated)
		if user := c.do(http.MethodGet, "/Users/"+id, "").must(t, http.StatusOK); len(user.get("groups").([]any)) != 2 {
			t.Errorf("the user lists %v groups, want 2", user.get("groups"))
		}
		c.do(http.MethodPatch, "/Groups/"+byName.str("id"), `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Remove", "path": "members[value eq \"`+id+`\"]"}]}`).must(t, http.StatusOK)
		if !hasRole("admin") {
			t.Error("leaving one group took a role another group (matched by externalId) grants")
		}
		c.do(http.MethodPatch, "/Groups/"+byID.str("id"), `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Remove", "path": "members[value eq \"`+id+`\"]"}]}`).must(t, http.StatusOK)
		if hasRole("admin") {
			t.Error("leaving every group that grants admin did not revoke it")
		}
		if !hasRole("employee") {
			t.Error("leaving the groups took the employee role")
		}
	})
}

func TestSCIMCannotDeactivateTheLastActiveAdministrator(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"SCIM_TOKEN": testToken, "SSO_ROLE_MAP": "admin=IT-Admins"}})
	c := scimClient(t, srv)
	id, userID := provision(t, srv, c, "Tia Tan", "tia.tan@example.com", "tia-object-id")
	c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "IT-Admins",
		"members": [{"value": "`+id+`"}]}`).must(t, http.StatusCreated)
	res := c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "replace", "path": "active", "value": false}]}`).must(t, http.StatusConflict)
	if !strings.Contains(res.str("detail"), "last active administrator") {
		t.Errorf("detail: %s", res.raw)
	}
	if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE id = ? AND active = ?", userID, true); n != 1 {
		t.Error("the last administrator was deactivated")
	}
}

func TestSCIMRequestsWithoutAValidTokenGet401WithABearerChallenge(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	for name, token := range map[string]string{"no token": "", "wrong token": "not-the-token-0123456789-0123456789", "SCIM_TOKEN prefix": testToken[:20]} {
		c := scimClient(t, srv)
		c.token = token
		res := c.do(http.MethodGet, "/Users", "")
		if res.status != http.StatusUnauthorized || !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") ||
			res.str("status") != "401" || res.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("%s: %d %q %s", name, res.status, res.header.Get("WWW-Authenticate"), res.raw)
		}
	}
}

func TestAdministratorCreatesASCIMTokenShownOnceWhichWorksUntilRevoked(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)

	// A name is required; the message sits at the field.
	bad := admin.Submit("/admin/settings", `form[data-testid="scim-token-create"]`, url.Values{"name": {"  "}})
	if bad.StatusCode != http.StatusUnprocessableEntity || bad.Doc(t).Find("#f-scim-token-name-error").Length() != 1 {
		t.Fatalf("empty name: status %d, no message at the field", bad.StatusCode)
	}

	page := admin.Submit("/admin/settings", `form[data-testid="scim-token-create"]`, url.Values{"name": {"Entra ID"}})
	token := strings.TrimSpace(page.Doc(t).Find(`[data-testid="scim-new-token-value"]`).Text())
	if page.StatusCode != http.StatusOK || !strings.HasPrefix(token, "ce_scim_") {
		t.Fatalf("new token: status %d, token %q", page.StatusCode, token)
	}
	if base := page.Doc(t).Find(`[data-testid="scim-base-url"]`).Text(); base != srv.URL+"/scim/v2" {
		t.Errorf("base URL shown: %q", base)
	}
	if n := count(t, srv, "SELECT COUNT(*) FROM scim_tokens WHERE token_hash = ?", token); n != 0 {
		t.Error("the token is stored in clear")
	}
	again := admin.Get("/admin/settings")
	if strings.Contains(again.Body, token) {
		t.Error("the token is shown a second time")
	}
	if last := again.Doc(t).Find(`[data-testid="scim-token-row"][data-name="Entra ID"] [data-testid="scim-token-last-used"]`).Text(); last != "Never" {
		t.Errorf("last used before any use: %q", last)
	}

	c := scimClient(t, srv)
	c.token = token
	c.do(http.MethodGet, "/ServiceProviderConfig", "").must(t, http.StatusOK)
	used := admin.Get("/admin/settings").Doc(t).Find(`[data-testid="scim-token-row"][data-name="Entra ID"] [data-testid="scim-token-last-used"]`).Text()
	if used == "Never" || used == "" {
		t.Errorf("last use not recorded: %q", used)
	}

	revoked := admin.Submit("/admin/settings", `form[data-testid="scim-token-revoke"]`, nil)
	if revoked.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", revoked.StatusCode)
	}
	if res := c.do(http.MethodGet, "/Users", ""); res.status != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", res.status)
	}
	// Not for people who are not administrators.
	emp := srv.Browser(t)
	emp.Login("employee@example.com", apptest.DemoPassword)
	if res := emp.PostForm("/admin/settings/scim-tokens", url.Values{"name": {"x"}, "_csrf": {emp.CSRF("/")}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an employee creating a token: status %d, want 403", res.StatusCode)
	}
}
