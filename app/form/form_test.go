package form_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/form"
)

func TestErrorsKeepTheFirstMessagePerFieldAndReadTheSameEveryTime(t *testing.T) {
	t.Parallel()
	e := form.Errors{}
	if e.Any() {
		t.Fatal("an empty map has errors")
	}
	e.Add("name", "Enter a name.")
	e.Add("name", "A second message for the same field.")
	e.Add("email", "Enter an e-mail address.")
	if !e.Has("name") || e["name"] != "Enter a name." {
		t.Errorf("name = %q, want the first message", e["name"])
	}
	if got := e.Error(); got != "Enter an e-mail address. Enter a name." {
		t.Errorf("Error() = %q, want the messages sorted by field", got)
	}
}
