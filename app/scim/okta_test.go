package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// The checks of Okta's "SCIM 2.0 SPEC Test" (the Runscope test suite Okta
// gives to SCIM integrations), in its order, followed by Okta's PUT-heavy
// flow: profile changes and deactivation as PUT of the whole user, and
// group push with path-less replace and members[value eq "…"] removal.
func TestOktaSCIMSpecTestAndItsPutFlow(t *testing.T) {
	t.Parallel()
	eachServer(t, nil, func(t *testing.T, srv *apptest.Server) {
		c := scimClient(t, srv)

		// Required test: Test Users endpoint (count=1&startIndex=1).
		first := c.do(http.MethodGet, "/Users?count=1&startIndex=1", "").must(t, http.StatusOK)
		if first.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:ListResponse" || first.get("startIndex") != 1.0 ||
			first.get("itemsPerPage") == nil || first.get("totalResults") == nil || first.get("Resources") == nil {
			t.Errorf("list answer lacks what Okta checks: %s", first.raw)
		}
		// Make sure a random user does not exist (Okta's filter, with its
		// startIndex and count).
		q := "/Users?filter=" + url.QueryEscape(`userName eq "Runscope1hmxT6ZP@atko.com"`) + "&startIndex=1&count=100"
		if none := c.do(http.MethodGet, q, "").must(t, http.StatusOK); none.get("totalResults") != 0.0 {
			t.Fatalf("random user exists: %s", none.raw)
		}
		// A user id that does not exist: 404 in the error schema.
		missing := c.do(http.MethodGet, "/Users/010101001010101010", "").must(t, http.StatusNotFound)
		if missing.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("404 answer: %s", missing.raw)
		}

		// Create Okta user with realistic values.
		user := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName": "Runscope1hmxT6ZP@atko.com",
			"name": {"givenName": "Runscope", "familyName": "Tester"},
			"emails": [{"primary": true, "value": "Runscope1hmxT6ZP@atko.com", "type": "work"}],
			"displayName": "Runscope Tester", "externalId": "00ujl29u0le5T6Aj10h7", "active": true}`
		created := c.do(http.MethodPost, "/Users", user).must(t, http.StatusCreated)
		id := created.str("id")
		if created.get("active") != true || id == "" || created.str("name.familyName") != "Tester" ||
			created.str("name.givenName") != "Runscope" || created.str("userName") != "Runscope1hmxT6ZP@atko.com" {
			t.Errorf("created user: %s", created.raw)
		}
		// Verify that the user was created.
		if got := c.do(http.MethodGet, "/Users/"+id, "").must(t, http.StatusOK); got.str("userName") != "Runscope1hmxT6ZP@atko.com" {
			t.Errorf("read back: %s", got.raw)
		}
		// Expect failure when recreating the user with the same values.
		dup := c.do(http.MethodPost, "/Users", user).must(t, http.StatusConflict)
		if dup.str("scimType") != "uniqueness" || dup.str("status") != "409" {
			t.Errorf("recreate: %s", dup.raw)
		}
		// Username case sensitivity check: the filter matches whatever the
		// case.
		upper := "/Users?filter=" + url.QueryEscape(`userName eq "`+strings.ToUpper("Runscope1hmxT6ZP@atko.com")+`"`)
		if got := c.do(http.MethodGet, upper, "").must(t, http.StatusOK); got.get("totalResults") != 1.0 {
			t.Errorf("userName filter is case-sensitive: %s", got.raw)
		}
		// Optional test: the Groups endpoint answers.
		c.do(http.MethodGet, "/Groups?startIndex=1&count=100", "").must(t, http.StatusOK)

		// Okta's profile update: PUT of the whole user (it also sends a
		// password and groups, which are not stored).
		put := c.do(http.MethodPut, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "`+id+`",
			"userName": "Runscope1hmxT6ZP@atko.com", "name": {"givenName": "Another", "middleName": "", "familyName": "User"},
			"emails": [{"primary": true, "value": "Runscope1hmxT6ZP@atko.com", "type": "work"}],
			"displayName": "Another User", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
			"groups": [], "password": "1mz050nq", "active": true}`).must(t, http.StatusOK)
		if put.str("displayName") != "Another User" || put.str("name.givenName") != "Another" {
			t.Errorf("after PUT: %s", put.raw)
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM employees WHERE full_name = ?", "Another User"); n != 1 {
			t.Errorf("the person's name did not follow the PUT")
		}

		// Group push: create, rename with a path-less replace carrying the
		// id, add a member, remove it by filter.
		g := c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2", "members": []}`).must(t, http.StatusCreated)
		gid := g.str("id")
		c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "replace", "value": {"id": "`+gid+`", "displayName": "Test SCIMv2 renamed"}}]}`).must(t, http.StatusOK)
		in := c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "add", "path": "members", "value": [{"value": "`+id+`", "display": "Runscope1hmxT6ZP@atko.com"}]}]}`).must(t, http.StatusOK)
		if in.str("displayName") != "Test SCIMv2 renamed" || in.str("members.0.value") != id {
			t.Errorf("group after rename and add: %s", in.raw)
		}
		out := c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "remove", "path": "members[value eq \"`+id+`\"]"}]}`).must(t, http.StatusOK)
		if len(out.get("members").([]any)) != 0 {
			t.Errorf("member not removed: %s", out.raw)
		}

		// Deactivation, Okta's way: PUT with active false.
		off := c.do(http.MethodPut, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "`+id+`",
			"userName": "Runscope1hmxT6ZP@atko.com", "name": {"givenName": "Another", "familyName": "User"},
			"emails": [{"primary": true, "value": "Runscope1hmxT6ZP@atko.com", "type": "work"}],
			"displayName": "Another User", "externalId": "00ujl29u0le5T6Aj10h7", "active": false}`).must(t, http.StatusOK)
		if off.get("active") != false {
			t.Errorf("after PUT active false: %s", off.raw)
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE email = ? AND active = ?", "runscope1hmxt6zp@atko.com", false); n != 1 {
			t.Errorf("the account is still active")
		}
		// Okta's PATCH variant reactivates.
		on := c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "replace", "value": {"active": true}}]}`).must(t, http.StatusOK)
		if on.get("active") != true {
			t.Errorf("after PATCH active true: %s", on.raw)
		}
	})
}
