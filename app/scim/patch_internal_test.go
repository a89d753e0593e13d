package scim

import (
	"testing"
)

// Forms of PATCH that Entra ID sends besides the tutorial's: without a path
// (keys that are paths themselves, the enterprise extension by its URN),
// booleans as strings, and filters on a multi-valued attribute that has no
// matching value yet.
func TestPatchAcceptsThePathlessAndFilteredFormsEntraSends(t *testing.T) {
	t.Parallel()
	d := doc{"username": "ann@example.com", "active": true, "emails": []any{doc{"type": "home", "value": "ann@home.example"}}}
	ops, err := readPatch([]byte(`{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
		{"op": "Replace", "value": {"name.givenName": "Ann", "displayName": "Ann Lee", "active": "False",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Finance"}},
		{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ann@example.com"},
		{"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m-1"}}}}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if err := apply(d, op); err != nil {
			t.Fatalf("%+v: %v", op, err)
		}
	}
	u, err := readUser(d)
	if err != nil {
		t.Fatal(err)
	}
	if u.givenName != "Ann" || u.displayName != "Ann Lee" || u.active == nil || *u.active || u.department != "Finance" || u.managerRID != "m-1" {
		t.Errorf("read back %+v (active %v)", u, u.active)
	}
	if u.email != "ann@example.com" {
		t.Errorf("e-mail %q, want the work address added by the filtered path", u.email)
	}
}

func TestPatchRefusesUnknownOperationsAndTooManyOfThem(t *testing.T) {
	t.Parallel()
	if _, err := readPatch([]byte(`{"Operations": [{"op": "move", "path": "active", "value": true}]}`)); err == nil {
		t.Error("op move accepted")
	}
	many := `{"Operations": [`
	for i := 0; i <= maxOperations; i++ {
		if i > 0 {
			many += ","
		}
		many += `{"op": "replace", "path": "displayName", "value": "x"}`
	}
	many += `]}`
	if _, err := readPatch([]byte(many)); err == nil || err.(*Error).ScimType != "tooMany" {
		t.Errorf("%d operations: %v, want tooMany", maxOperations+1, err)
	}
}

func TestFiltersOtherThanAttributeEqValueAreRefusedAsInvalidFilter(t *testing.T) {
	t.Parallel()
	for _, f := range []string{`userName sw "a"`, `userName eq "a" and active eq true`, `userName`} {
		if _, err := parseEq(f); err == nil || err.(*Error).ScimType != "invalidFilter" {
			t.Errorf("%q: %v, want invalidFilter", f, err)
		}
	}
	if f, err := parseEq(`userName EQ "Ann \"A\" Lee"`); err != nil || f.attr != "username" || f.value != `Ann "A" Lee` {
		t.Errorf("quoted value: %+v %v", f, err)
	}
}
