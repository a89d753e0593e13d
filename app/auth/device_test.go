package auth_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/auth"
)

func TestDeviceCookieIsValidOnlyForItsAccountAndUntampered(t *testing.T) {
	t.Parallel()
	d := auth.NewDeviceCookies("secret-one")
	v := d.New("alice@example.com")
	id := d.Device(v, "alice@example.com")
	if id == "" {
		t.Fatal("a fresh device cookie is not valid for its own account")
	}
	if again := d.New("alice@example.com"); d.Device(again, "alice@example.com") == id {
		t.Error("two device cookies share one device id")
	}
	for name, bad := range map[string]struct{ value, email string }{
		"another account":   {v, "bob@example.com"},
		"another secret":    {auth.NewDeviceCookies("secret-two").New("alice@example.com"), "alice@example.com"},
		"id changed":        {flipFirst(v), "alice@example.com"},
		"signature changed": {v[:len(v)-2] + "AA", "alice@example.com"},
		"no signature":      {id, "alice@example.com"},
		"empty":             {"", "alice@example.com"},
		"garbage":           {"...", "alice@example.com"},
	} {
		if got := d.Device(bad.value, bad.email); got != "" {
			t.Errorf("%s: Device = %q, want \"\"", name, got)
		}
	}
}

// flipFirst changes the first character of v to another one (a fixed
// replacement would leave v as it was when it starts with that character).
func flipFirst(v string) string {
	if v[0] == 'X' {
		return "Y" + v[1:]
	}
	return "X" + v[1:]
}
