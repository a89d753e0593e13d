package sso

import (
	"reflect"
	"testing"

	"github.com/markbates/goth"
)

// Okta and Keycloak send groups as an array; Keycloak's mapper with
// "Multivalued" off, and some SAML bridges, send one group as a string.
func TestGroupsClaimIsReadAsAnArrayOrAsASingleString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		claim any
		want  []string
	}{
		{"array", []any{"Finance-Team", " People-Leads "}, []string{"Finance-Team", "People-Leads"}},
		{"single string", "Finance-Team", []string{"Finance-Team"}},
		{"duplicates and blanks", []any{"A", "a", "", 7.0, "B"}, []string{"A", "B"}},
		{"empty array", []any{}, []string{}},
	} {
		got, err := profileFromClaims(oidcProvider(false), map[string]any{"sub": "s1", "groups": tc.claim}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Groups, tc.want) || got.GroupsOverage {
			t.Errorf("%s: groups %#v (overage %v), want %#v", tc.name, got.Groups, got.GroupsOverage, tc.want)
		}
	}
}

// An OpenID Connect provider configured to send groups leaves the claim out
// for someone in no group (Entra ID, Okta's filter, Keycloak's mapper): that
// is an empty list, which revokes mapped roles. A goth provider whose raw
// data has no groups (Google, GitHub) says nothing: nil, roles left alone.
func TestAbsentGroupsAreEmptyForOIDCAndUnknownForGothProviders(t *testing.T) {
	t.Parallel()
	got, err := profileFromClaims(oidcProvider(false), map[string]any{"sub": "s1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Groups == nil || len(got.Groups) != 0 || got.GroupsOverage {
		t.Errorf("OIDC without a groups claim: %#v (overage %v), want an empty, known list", got.Groups, got.GroupsOverage)
	}
	g := profileOf(&provider{name: "google", kind: kindGoogle}, goth.User{UserID: "x", RawData: map[string]any{"email": "a@b.test"}})
	if g.Groups != nil {
		t.Errorf("Google profile groups %#v, want nil (unknown)", g.Groups)
	}
	okta := profileOf(&provider{name: "okta", kind: kindGoth}, goth.User{UserID: "x", RawData: map[string]any{"groups": []any{"Finance-Team"}}})
	if !reflect.DeepEqual(okta.Groups, []string{"Finance-Team"}) {
		t.Errorf("goth provider's raw groups %#v, want [Finance-Team]", okta.Groups)
	}
}

// Entra ID leaves the groups out of a token when a person has more than
// 200 and says so with a distributed claim pointer; the implicit flow says
// hasgroups: true. Groups are then unknown, not empty.
func TestEntraGroupOverageMarksGroupsAsUnknownNotEmpty(t *testing.T) {
	t.Parallel()
	pointer := map[string]any{
		"sub":            "s1",
		"_claim_names":   map[string]any{"groups": "src1"},
		"_claim_sources": map[string]any{"src1": map[string]any{"endpoint": "https://graph.windows.net/t/users/o/getMemberObjects"}},
	}
	got, err := profileFromClaims(oidcProvider(false), pointer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got.GroupsOverage || got.Groups != nil {
		t.Errorf("overage: groups %#v, overage %v; want nil and true", got.Groups, got.GroupsOverage)
	}
	got, _ = profileFromClaims(oidcProvider(false), map[string]any{"sub": "s1", "hasgroups": true}, nil)
	if !got.GroupsOverage {
		t.Error("hasgroups: true is not read as overage")
	}
	// App roles (SSO_ROLES_CLAIM=roles) never overflow: a groups pointer
	// says nothing about them.
	p := oidcProvider(false)
	p.claims = ClaimNames{Groups: "roles"}
	got, _ = profileFromClaims(p, pointer, nil)
	if got.GroupsOverage || got.Groups == nil {
		t.Errorf("roles claim with a groups overage pointer: groups %#v, overage %v; want an empty list", got.Groups, got.GroupsOverage)
	}
}

// The claim names come from the module's config (SSO_ROLES_CLAIM and the
// attribute claims), and userinfo wins over the ID token as for the name.
func TestGroupsAndAttributesAreReadFromTheConfiguredClaimsUserinfoFirst(t *testing.T) {
	t.Parallel()
	p := oidcProvider(false)
	p.claims = ClaimNames{Groups: "roles", Department: "dept", JobTitle: "title", Manager: "boss"}
	id := map[string]any{"sub": "s1", "roles": []any{"Finance.Approver"}, "groups": []any{"ignored"},
		"dept": "Finance", "title": "Clerk", "boss": "Ravi.Shah@Example.com"}
	ui := map[string]any{"sub": "s1", "dept": "  Finance &\n Operations "}
	got, err := profileFromClaims(p, id, ui)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{Provider: "openid-connect", Subject: "s1", Groups: []string{"Finance.Approver"},
		Department: "Finance & Operations", JobTitle: "Clerk", Manager: "ravi.shah@example.com"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("profile\n %+v\nwant\n %+v", got, want)
	}
	// A manager given as a subject keeps its case: subjects are
	// case-sensitive.
	id["boss"] = "00uAbC123"
	got, _ = profileFromClaims(p, id, nil)
	if got.Manager != "00uAbC123" {
		t.Errorf("manager subject %q, want it as sent", got.Manager)
	}
	// Defaults, when the config names none.
	got, _ = profileFromClaims(oidcProvider(false), map[string]any{"sub": "s1", "department": "Sales",
		"job_title": "Account executive", "manager_email": "sofia@example.com"}, nil)
	if got.Department != "Sales" || got.JobTitle != "Account executive" || got.Manager != "sofia@example.com" {
		t.Errorf("default claim names: %+v", got)
	}
}

// Microsoft's goth provider reads Microsoft Graph's /me, whose fields are
// jobTitle and department.
func TestMicrosoftGraphJobTitleAndDepartmentAreRead(t *testing.T) {
	t.Parallel()
	p := &provider{name: "microsoft", kind: kindMicrosoft, noAvatar: true, claims: ClaimNames{}.withDefaults()}
	got := profileOf(p, goth.User{UserID: "x", RawData: map[string]any{"jobTitle": "Buyer", "department": "Purchasing"}})
	if got.JobTitle != "Buyer" || got.Department != "Purchasing" || got.Groups != nil {
		t.Errorf("profile %+v, want Graph's job title and department, groups unknown", got)
	}
}
