package scim_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// The request sequence of Microsoft's "Tutorial: Develop and plan
// provisioning for a SCIM endpoint in Microsoft Entra ID" (the requests the
// Entra provisioning service and its SCIM validator send), in its order and
// with its bodies: capitalised "op" values, the enterprise extension,
// `emails[type eq "work"].value`, manager as a bare id, "False" as a string.
func TestEntraProvisioningSequenceFromMicrosoftsSCIMTutorial(t *testing.T) {
	t.Parallel()
	// The template has no manager role of its own, so anyone may be named
	// a manager (a module such as the expenses demo may require one).
	eachServer(t, nil, func(t *testing.T, srv *apptest.Server) {
		c := scimClient(t, srv)

		// Create User.
		created := c.do(http.MethodPost, "/Users", `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			"userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
			"active": true,
			"emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
			"meta": {"resourceType": "User"},
			"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
			"roles": []
		}`).must(t, http.StatusCreated)
		id := created.str("id")
		if id == "" || created.header.Get("Location") != srv.URL+"/scim/v2/Users/"+id {
			t.Fatalf("created user: id %q, Location %q", id, created.header.Get("Location"))
		}
		if created.str("externalId") != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" || created.get("active") != true ||
			created.str("name.familyName") != "familyName" || created.str("meta.resourceType") != "User" {
			t.Errorf("created user: %s", created.raw)
		}

		// Get User, Get User by query, Get User by query - zero results.
		c.do(http.MethodGet, "/Users/"+id, "").must(t, http.StatusOK)
		list := c.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com"`), "").must(t, http.StatusOK)
		if list.get("totalResults") != 1.0 || list.str("Resources.0.id") != id || list.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			t.Errorf("query by userName: %s", list.raw)
		}
		none := c.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "non-existent user"`), "").must(t, http.StatusOK)
		if none.get("totalResults") != 0.0 || len(none.get("Resources").([]any)) != 0 {
			t.Errorf("query for nobody: %s", none.raw)
		}
		byExt := c.do(http.MethodGet, "/Users?filter="+url.QueryEscape(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "").must(t, http.StatusOK)
		if byExt.get("totalResults") != 1.0 {
			t.Errorf("query by externalId: %s", byExt.raw)
		}

		// Update User [Multi-valued properties].
		patched := c.do(http.MethodPatch, "/Users/"+id, `{
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [
				{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
				{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
			]
		}`).must(t, http.StatusOK)
		if patched.str("emails.0.value") != "updatedemail@microsoft.com" || patched.str("name.familyName") != "updatedFamilyName" {
			t.Errorf("multi-valued update: %s", patched.raw)
		}
		if n := count(t, srv, "SELECT COUNT(*) FROM users WHERE email = ?", "updatedemail@microsoft.com"); n != 1 {
			t.Errorf("the login e-mail did not follow the work address")
		}

		// Update User [Single-valued properties].
		c.do(http.MethodPatch, "/Users/"+id, `{
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Replace", "path": "userName", "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]
		}`).must(t, http.StatusOK)
		if got := c.do(http.MethodGet, "/Users/"+id, "").str("userName"); got != "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" {
			t.Errorf("userName after update: %q", got)
		}

		// A manager, then Update User [Add manager] and the department, as
		// the enterprise extension's paths.
		boss := c.do(http.MethodPost, "/Users", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName": "boss@testuser.com", "externalId": "boss-object-id", "displayName": "Bea Boss", "active": true}`).must(t, http.StatusCreated)
		c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "People-Leads",
			"members": [{"value": "`+boss.str("id")+`"}]}`).must(t, http.StatusCreated)
		withManager := c.do(http.MethodPatch, "/Users/"+id, `{
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [
				{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "`+boss.str("id")+`"},
				{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Research"}
			]
		}`).must(t, http.StatusOK)
		if withManager.enterprise("manager.value") != boss.str("id") || withManager.enterprise("department") != "Research" {
			t.Errorf("manager and department: %s", withManager.raw)
		}
		// Remove manager.
		removed := c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`).must(t, http.StatusOK)
		if removed.enterprise("manager.value") != "" {
			t.Errorf("manager still set after Remove: %s", removed.raw)
		}

		// Disable User, with the string "False" that Entra sends.
		disabled := c.do(http.MethodPatch, "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}`).must(t, http.StatusOK)
		if disabled.get("active") != false {
			t.Errorf("after Replace active False: %s", disabled.raw)
		}

		// Groups: Create Group, Get Group (excludedAttributes=members),
		// Get Group by displayName, Update Group [Non-member attributes],
		// [Add Members], [Remove Members], Delete Group.
		g := c.do(http.MethodPost, "/Groups", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "meta": {"resourceType": "Group"}}`).must(t, http.StatusCreated)
		gid := g.str("id")
		if got := c.do(http.MethodGet, "/Groups/"+gid+"?excludedAttributes=members", "").must(t, http.StatusOK); got.get("members") != nil {
			t.Errorf("excludedAttributes=members still lists members: %s", got.raw)
		}
		byName := c.do(http.MethodGet, "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "displayName"`), "").must(t, http.StatusOK)
		if byName.get("totalResults") != 1.0 {
			t.Errorf("group by displayName: %s", byName.raw)
		}
		c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}`).must(t, http.StatusOK)
		added := c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "`+id+`"}, {"$ref": null, "value": "`+boss.str("id")+`"}]}]}`).must(t, http.StatusOK)
		if n := len(added.get("members").([]any)); n != 2 || added.str("displayName") != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" {
			t.Errorf("after Add members: %s", added.raw)
		}
		left := c.do(http.MethodPatch, "/Groups/"+gid, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "`+id+`"}]}]}`).must(t, http.StatusOK)
		if n := len(left.get("members").([]any)); n != 1 || left.str("members.0.value") != boss.str("id") {
			t.Errorf("after Remove members: %s", left.raw)
		}
		c.do(http.MethodDelete, "/Groups/"+gid, "").must(t, http.StatusNoContent)
		c.do(http.MethodGet, "/Groups/"+gid, "").must(t, http.StatusNotFound)

		// Delete User.
		c.do(http.MethodDelete, "/Users/"+id, "").must(t, http.StatusNoContent)
		gone := c.do(http.MethodGet, "/Users/"+id, "").must(t, http.StatusNotFound)
		if gone.str("schemas.0") != "urn:ietf:params:scim:api:messages:2.0:Error" || gone.str("status") != "404" {
			t.Errorf("error answer: %s", gone.raw)
		}
	})
}
