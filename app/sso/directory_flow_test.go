package sso_test

import (
	"reflect"
	"testing"

	"github.com/company-expenses/company-expenses/app/devidp"
)

// Groups and directory attributes travel in the provider's signed ID token
// and userinfo through the real authorization code flow, into the profile
// the hooks get, at the first sign-in and the next.
func TestSSOHooksGetGroupsAndAttributesFromTheProvidersTokens(t *testing.T) {
	t.Parallel()
	nora := devidp.Identity{Name: "Nora Finch", Email: "nora@acme.test", Groups: []string{"Finance-Team", "Staff"},
		Department: "Finance", JobTitle: "Clerk", ManagerEmail: "ravi@acme.test"}
	srv, x := appWithExternalIdP(t, nora)
	b := srv.Browser(t)
	signIn(t, b, "/auth/openid-connect", pick{Email: nora.Email})
	p := srv.lastProfile(t)
	if !reflect.DeepEqual(p.Groups, nora.Groups) || p.GroupsOverage || p.Department != "Finance" ||
		p.JobTitle != "Clerk" || p.Manager != "ravi@acme.test" {
		t.Errorf("first sign-in profile %+v, want the provider's groups and attributes", p)
	}

	// Out of every group: the claim is left out, which is an empty list.
	nora.Groups = nil
	x.use(t, srv.URL, nora)
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: nora.Email})
	if p := srv.lastProfile(t); p.Groups == nil || len(p.Groups) != 0 {
		t.Errorf("returning sign-in without groups: %#v, want an empty, known list", p.Groups)
	}
}

// Entra ID's group overage, in a real signed ID token: no groups claim,
// _claim_names pointing at _claim_sources. The hooks learn that the groups
// are unknown rather than empty.
func TestSSOEntraGroupOverageInASignedIDTokenReachesTheHooksAsUnknownGroups(t *testing.T) {
	t.Parallel()
	many := devidp.Identity{Name: "Max Many", Email: "max@acme.test", Groups: []string{"Finance-Team"}, GroupsOverage: true}
	srv, _ := appWithExternalIdP(t, many)
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: many.Email})
	p := srv.lastProfile(t)
	if !p.GroupsOverage || p.Groups != nil {
		t.Errorf("profile groups %#v, overage %v; want unknown (nil) with overage", p.Groups, p.GroupsOverage)
	}
}
