package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// The people admin with the demo's manager role: the template's people
// service keeps a manager with reports active (people.Service, with the
// roles of every module).

func TestAdminCannotDeactivateAManagerWhoStillHasReports(t *testing.T) {
	t.Parallel()
	srv := demoApp(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	var id string
	srv.DB.Raw("SELECT id FROM users WHERE email = ?", "manager@example.com").Scan(&id)
	res := admin.Submit("/admin/users/"+id, `form[action="/admin/users/`+id+`"]`, url.Values{"active": nil})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	msg := res.Doc(t).Find("#f-active-error").Text()
	if !strings.Contains(msg, "Marcus Reed manages") || !strings.Contains(msg, "choose another manager for them first") {
		t.Errorf("message beside Active = %q, want how many people Marcus manages", msg)
	}
	var active bool
	srv.DB.Raw("SELECT active FROM users WHERE id = ?", id).Scan(&active)
	if !active {
		t.Error("the manager was deactivated anyway")
	}
}
