package devidp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// rawIDClaims decodes an ID token's payload into a map, to see exactly which
// claims are there (and which are not).
func rawIDClaims(t *testing.T, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// "Someone new" takes comma-separated groups, and the ID token and userinfo
// carry them in the groups claim.
func TestSomeoneNewWithGroupsGetsThemInTheIDTokenAndUserinfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
	l, doc := e.startLogin(t, conf)
	action, values := e.formFields(t, doc, newPersonForm)
	values.Set(views.FieldName, "Nora Finch")
	values.Set(views.FieldEmail, "nora.finch@example.com")
	values.Set(views.FieldGroups, " Finance-Team, People-Leads ,,Finance-Team")
	q := callbackParams(t, postForm(t, e.browser, action, values), e.redirectURI)
	tok, err := conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"Finance-Team", "People-Leads"}
	if got := rawIDClaims(t, tok)["groups"]; !reflect.DeepEqual(got, want) {
		t.Errorf("ID token groups %#v, want %#v", got, want)
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err := e.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ui map[string]any
	if err := json.NewDecoder(res.Body).Decode(&ui); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ui["groups"], want) {
		t.Errorf("userinfo groups %#v, want %#v", ui["groups"], want)
	}
	// The picker offers Nora again, her groups on the button.
	_, doc = e.startLogin(t, conf)
	if txt := doc.Find(`[data-testid="devidp-groups"]`).Text(); !strings.Contains(txt, "Finance-Team, People-Leads") {
		t.Errorf("picker shows groups %q", txt)
	}
}

// A group that is too long is refused next to the field, with what was
// typed kept.
func TestSomeoneNewWithAnOverlongGroupIsToldNextToTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
	_, doc := e.startLogin(t, conf)
	action, values := e.formFields(t, doc, newPersonForm)
	long := strings.Repeat("g", maxGroupRunes+1)
	values.Set(views.FieldName, "Nora Finch")
	values.Set(views.FieldEmail, "nora.finch@example.com")
	values.Set(views.FieldGroups, "Finance-Team, "+long)
	page := parsePage(t, postForm(t, e.noFollow, action, values), http.StatusUnprocessableEntity)
	if msg := page.Find("#devidp-groups-error").Text(); !strings.Contains(msg, "at most") {
		t.Errorf("groups error %q", msg)
	}
	if v, _ := page.Find("#devidp-groups").Attr("value"); v != "Finance-Team, "+long {
		t.Errorf("groups field kept %q", v)
	}
	if v, _ := page.Find("#devidp-name").Attr("value"); v != "Nora Finch" {
		t.Errorf("name field kept %q", v)
	}
}

// The directory attributes go with the profile scope; an identity with
// GroupsOverage gets Entra ID's pointer in the ID token instead of its
// groups, and userinfo leaves them out too.
func TestDirectoryClaimsAndEntraOverageArePutIntoTheTokens(t *testing.T) {
	t.Parallel()
	id := Identity{Subject: "s1", Name: "Max", Email: "max@example.com", Groups: []string{"Finance-Team"},
		Department: "Finance", JobTitle: "Clerk", ManagerEmail: "boss@example.com"}
	c := claimsFor(id, []string{"openid", "email", "profile"})
	if !reflect.DeepEqual(c.Groups, id.Groups) || c.Department != "Finance" || c.JobTitle != "Clerk" || c.ManagerEmail != "boss@example.com" {
		t.Errorf("claims %+v", c)
	}
	if c := claimsFor(id, []string{"openid", "email"}); c.Groups != nil || c.Department != "" {
		t.Errorf("without the profile scope: %+v", c)
	}
	id.GroupsOverage = true
	if c := claimsFor(id, []string{"openid", "profile"}); c.Groups != nil {
		t.Errorf("overage identity still sends groups %v", c.Groups)
	}
	p := &Provider{issuer: "https://idp.test/dev-idp"}
	names, sources := p.overage(id, []string{"openid", "profile"})
	if names["groups"] != "src1" || !strings.HasSuffix(sources["src1"]["endpoint"], "/users/s1/getMemberObjects") {
		t.Errorf("overage pointer %v %v", names, sources)
	}
}
