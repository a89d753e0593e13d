package pages_test

// Helpers of the security suite (inventory_test.go, csrf_inventory_test.go,
// object_access_test.go, hostile_data_test.go): the people the suite acts as,
// and the demo objects every route with an id is tried on.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

// actor is someone the suite sends requests as.
type actor string

const (
	anonymous   actor = "anonymous"
	asEmployee  actor = "employee"    // Emily Carter, employee@example.com
	asManager   actor = "manager"     // Marcus Reed, Emily's manager
	asFinance   actor = "finance"     // Fiona Walsh
	asAdmin     actor = "admin"       // Adam Brooks
	asSSO       actor = "sso"         // Liam Chen, signed in through the development identity provider
	deactivated actor = "deactivated" // Noah Kim, signed in, then deactivated by an administrator
)

// actors lists every actor, in the order of the inventory table's columns.
var actors = []actor{anonymous, asEmployee, asManager, asFinance, asAdmin, asSSO, deactivated}

// actorEmail is the demo account behind each actor.
var actorEmail = map[actor]string{
	asEmployee:  employee,
	asManager:   manager,
	asFinance:   finance,
	asAdmin:     admin,
	asSSO:       liam,
	deactivated: "noah.kim@example.com",
}

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

// demoObjects are the objects of the demo company that the routes with ids
// are tried on. Emily's expenses are the interesting ones: she reports to
// Marcus (manager), Fiona (finance) pays, Adam (admin) reads, and Liam (the
// SSO actor) is her colleague who must see none of it.
type demoObjects struct {
	emily, liam *models.Employee
	// Emily's expenses, one per route that changes one, so that the routes
	// do not trip over each other's changes.
	submitted, submitted2, approved *models.Expense
	draftEdit, draftReceipt         *models.Expense
	draftSubmit, draftDelete        *models.Expense
	withReceipt                     *models.Expense // submitted, with a receipt
	categoryRename, categoryToggle  models.Category
	liamIdentity                    uint
}

// demoIDs finds (and where the seed has none in the state needed, makes
// through the expenses service) the objects of demoObjects.
func demoIDs(t *testing.T, w *world) demoObjects {
	t.Helper()
	var o demoObjects
	o.emily = w.person(t, employee)
	o.liam = w.person(t, liam)
	pick := func(status models.Status, skip int) *models.Expense {
		var ids []uint
		w.DB.Raw("SELECT id FROM expenses WHERE employee_id = ? AND status = ? ORDER BY id LIMIT ?", o.emily.UserID, status, skip+1).Scan(&ids)
		if len(ids) > skip {
			var e models.Expense
			if err := w.DB.Take(&e, ids[skip]).Error; err != nil {
				t.Fatal(err)
			}
			return &e
		}
		return w.expense(t, employee, status)
	}
	o.submitted, o.submitted2, o.approved = pick(models.StatusSubmitted, 0), pick(models.StatusSubmitted, 1), pick(models.StatusApproved, 0)
	o.draftEdit, o.draftReceipt = pick(models.StatusDraft, 0), pick(models.StatusDraft, 1)
	o.draftSubmit, o.draftDelete = pick(models.StatusDraft, 2), pick(models.StatusDraft, 3)

	d := w.expense(t, employee, models.StatusDraft)
	d, err := w.svc.AttachReceipt(w.ctx, o.emily, d.ID, d.Version, expenses.Upload{Name: "receipt.png", Data: pngBytes(t)})
	if err != nil {
		t.Fatal(err)
	}
	if o.withReceipt, err = w.svc.Submit(w.ctx, o.emily, d.ID, d.Version); err != nil {
		t.Fatal(err)
	}
	o.categoryRename, o.categoryToggle = w.cats["Travel"], w.cats["Meals"]
	if o.categoryRename.ID == 0 || o.categoryToggle.ID == 0 {
		t.Fatalf("demo categories missing: %v", w.cats)
	}
	w.DB.Raw("SELECT id FROM identities WHERE user_id = ? ORDER BY id LIMIT 1", o.liam.UserID).Scan(&o.liamIdentity)
	if o.liamIdentity == 0 {
		t.Fatal("Liam has no linked identity in the demo data")
	}
	return o
}
