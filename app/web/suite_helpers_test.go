package web_test

// Helpers of the template's security suite (inventory_test.go,
// csrf_inventory_test.go): the people of the template's seed (seed.Template)
// the suite acts as, and a running app with its people service. The expenses
// demo has its own suite, with its own roles, in app/expenses/pages.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// The template's demo accounts (README, seed.Template).
const (
	employee = "employee@example.com"    // Emily Carter
	admin    = "admin@example.com"       // Adam Brooks
	liam     = "liam.chen@example.com"   // an employee with a connected SSO identity
	priya    = "priya.patel@example.com" // idem
)

// actor is someone the suite sends requests as.
type actor string

const (
	anonymous   actor = "anonymous"
	asEmployee  actor = "employee"    // Emily Carter
	asAdmin     actor = "admin"       // Adam Brooks
	asSSO       actor = "sso"         // Liam Chen, signed in through the development identity provider
	deactivated actor = "deactivated" // Priya Patel, signed in, then deactivated by an administrator
)

// actors lists every actor, in the order of the inventory table's columns.
var actors = []actor{anonymous, asEmployee, asAdmin, asSSO, deactivated}

// actorEmail is the demo account behind each actor.
var actorEmail = map[actor]string{asEmployee: employee, asAdmin: admin, asSSO: liam, deactivated: priya}

// world is a running app (the template with the notes test module, seeded
// with the template's people) and its people service.
type world struct {
	*apptest.Server
	ppl *people.Service
	ctx context.Context
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := apptest.New(t, apptest.Options{Modules: withNotes})
	return &world{Server: srv, ppl: srv.App.Web.People(), ctx: context.Background()}
}

// person loads someone as the session middleware does.
func (w *world) person(t *testing.T, email string) *models.Employee {
	t.Helper()
	var id uint
	w.DB.Raw("SELECT id FROM users WHERE email = ?", email).Scan(&id)
	e, err := w.ppl.Get(w.ctx, id)
	if err != nil {
		t.Fatalf("load %s: %v", email, err)
	}
	return e
}

// browser is a browser signed in as email.
func (w *world) browser(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := w.Browser(t)
	b.Login(email, apptest.DemoPassword)
	return b
}

func idString(id uint) string { return strconv.FormatUint(uint64(id), 10) }

// signInAs returns a browser acting as who on w. The SSO actor goes the whole
// way through the development identity provider; the deactivated actor
// signs in with the password and is then deactivated in the database, as an
// administrator's "deactivate" would leave them.
func signInAs(t *testing.T, w *world, who actor) *apptest.Browser {
	t.Helper()
	b := w.Browser(t)
	switch who {
	case anonymous:
		b.Get("/login") // a browser that has seen a page holds a CSRF cookie
	case asSSO:
		res := ssoSignInFrom(t, b, b.Get("/auth/openid-connect"), liam)
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
			t.Fatalf("SSO sign-in as %s: callback answered %d", liam, res.StatusCode)
		}
		if !signedIn(t, b) {
			t.Fatalf("SSO sign-in as %s did not sign in", liam)
		}
	case deactivated:
		b.Login(actorEmail[who], apptest.DemoPassword)
		if err := w.DB.Exec("UPDATE users SET active = ? WHERE email = ?", false, actorEmail[who]).Error; err != nil {
			t.Fatal(err)
		}
	default:
		b.Login(actorEmail[who], apptest.DemoPassword)
	}
	return b
}

// csrfFor returns a CSRF token as a browser gets it: from a form on a page
// the browser may open (the profile when signed in, else the sign-in page).
func csrfFor(t *testing.T, b *apptest.Browser) string {
	t.Helper()
	for _, p := range []string{"/profile", "/login"} {
		res := b.Get(p)
		if res.StatusCode != http.StatusOK {
			continue
		}
		if tok, ok := res.Doc(t).Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
			return tok
		}
	}
	t.Fatal("no page with a CSRF token")
	return ""
}

// send makes one request with a form body (for unsafe methods) and extra
// headers, as the browser b.
func send(t *testing.T, b *apptest.Browser, base, method, path string, form url.Values, header http.Header) *apptest.Response {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return b.Do(req)
}
