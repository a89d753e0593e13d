package pages_test

import (
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/static"
)

// outcome is what one actor gets from one route, in the words of the
// inventory table: "login" (sent to the sign-in page), or the status code
// ("200", "303" for a redirect elsewhere, "403", "404", "422", …).
type outcome = string

// inventoryRow is the expected outcome of one route for every actor.
type inventoryRow struct {
	// target is the request sent: the route's path with its parameters
	// filled by the {placeholders} of fillTarget (real demo ids).
	target string
	// want has one outcome per actor, in the order of actors: anonymous,
	// employee, manager, finance, admin, sso, deactivated.
	want [7]outcome
	// skip, when set, names the audit finding that makes today's answer
	// wrong; the row is not checked until the fix is merged.
	skip string
}

// routeInventory is THE table of who gets what from every route the demo
// adds to the template (the template's own routes have theirs in
// app/web/inventory_test.go), with the demo company seeded. Every unsafe
// request carries a valid CSRF token scraped from a page, and the version of
// the expense it names.
//
// A deactivated person's session is ended at their next request, so they get
// exactly what an anonymous visitor gets.
//
// To add a row for a new route of the demo, run
//
//	INVENTORY_PRINT=1 go test ./app/expenses/pages -run TestRouteInventory -v
//
// which prints a row with today's outcomes for every route; check each
// outcome against app/expenses/policy before pasting it here.
var routeInventory = map[string]inventoryRow{
	// want columns: anonymous, employee, manager, finance, admin, sso, deactivated.
	"GET /admin/categories":             {target: "/admin/categories", want: [7]outcome{"login", "403", "403", "403", "200", "403", "login"}},
	"GET /approvals":                    {target: "/approvals", want: [7]outcome{"login", "403", "200", "403", "403", "403", "login"}},
	"GET /expenses":                     {target: "/expenses", want: [7]outcome{"login", "200", "200", "200", "200", "200", "login"}},
	"GET /expenses/:id":                 {target: "/expenses/{submitted}", want: [7]outcome{"login", "200", "200", "200", "200", "404", "login"}},
	"GET /expenses/:id/edit":            {target: "/expenses/{draftEdit}/edit", want: [7]outcome{"login", "200", "404", "404", "404", "404", "login"}},
	"GET /expenses/:id/receipt":         {target: "/expenses/{withReceipt}/receipt", want: [7]outcome{"login", "200", "200", "200", "200", "404", "login"}},
	"GET /expenses/export.csv":          {target: "/expenses/export.csv", want: [7]outcome{"login", "200", "200", "200", "200", "200", "login"}},
	"GET /expenses/new":                 {target: "/expenses/new", want: [7]outcome{"login", "200", "200", "200", "200", "200", "login"}},
	"GET /reimbursements":               {target: "/reimbursements", want: [7]outcome{"login", "403", "403", "200", "403", "403", "login"}},
	"POST /admin/categories":            {target: "/admin/categories", want: [7]outcome{"login", "403", "403", "403", "422", "403", "login"}},
	"POST /admin/categories/:id":        {target: "/admin/categories/{categoryRename}", want: [7]outcome{"login", "403", "403", "403", "422", "403", "login"}},
	"POST /admin/categories/:id/active": {target: "/admin/categories/{categoryToggle}/active", want: [7]outcome{"login", "403", "403", "403", "303", "403", "login"}},
	"POST /expenses":                    {target: "/expenses", want: [7]outcome{"login", "422", "422", "422", "422", "422", "login"}},
	"POST /expenses/:id":                {target: "/expenses/{draftEdit}", want: [7]outcome{"login", "422", "404", "404", "404", "404", "login"}},
	"POST /expenses/:id/approve":        {target: "/expenses/{submitted}/approve", want: [7]outcome{"login", "403", "303", "403", "403", "404", "login"}},
	"POST /expenses/:id/delete":         {target: "/expenses/{draftDelete}/delete", want: [7]outcome{"login", "303", "404", "404", "404", "404", "login"}},
	"POST /expenses/:id/receipt":        {target: "/expenses/{draftReceipt}/receipt", want: [7]outcome{"login", "422", "404", "404", "404", "404", "login"}},
	"POST /expenses/:id/reimburse":      {target: "/expenses/{approved}/reimburse", want: [7]outcome{"login", "403", "403", "303", "403", "404", "login"}},
	"POST /expenses/:id/reject":         {target: "/expenses/{submitted2}/reject", want: [7]outcome{"login", "403", "422", "403", "403", "404", "login"}},
	"POST /expenses/:id/submit":         {target: "/expenses/{draftSubmit}/submit", want: [7]outcome{"login", "303", "404", "404", "404", "404", "login"}},
	"POST /reimbursements":              {target: "/reimbursements", want: [7]outcome{"login", "403", "403", "303", "403", "403", "login"}},
}

// safeMethod reports whether a request with method changes nothing, so it
// carries no CSRF token and no form.
func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, "echo_route_not_found":
		return true
	}
	return false
}

// requestMethod is the method sent for a route: the "not found" routes are
// tried with GET.
func requestMethod(method string) string {
	if method == "echo_route_not_found" {
		return http.MethodGet
	}
	return method
}

// fillTarget replaces the {placeholders} of a row's target with real ids of
// the demo data, and returns the version of the expense it names (1 for
// other targets), which unsafe requests carry.
func fillTarget(t *testing.T, w *world, o demoObjects, target string) (string, int) {
	t.Helper()
	version := 1
	expensesByName := map[string]struct {
		id      uint
		version int
	}{
		"submitted":    {o.submitted.ID, o.submitted.Version},
		"submitted2":   {o.submitted2.ID, o.submitted2.Version},
		"approved":     {o.approved.ID, o.approved.Version},
		"draftEdit":    {o.draftEdit.ID, o.draftEdit.Version},
		"draftReceipt": {o.draftReceipt.ID, o.draftReceipt.Version},
		"draftSubmit":  {o.draftSubmit.ID, o.draftSubmit.Version},
		"draftDelete":  {o.draftDelete.ID, o.draftDelete.Version},
		"withReceipt":  {o.withReceipt.ID, o.withReceipt.Version},
	}
	for name, e := range expensesByName {
		if p := "{" + name + "}"; strings.Contains(target, p) {
			target, version = strings.ReplaceAll(target, p, idString(e.id)), e.version
		}
	}
	target = strings.NewReplacer(
		"{emily}", idString(o.emily.UserID),
		"{liamIdentity}", idString(o.liamIdentity),
		"{categoryRename}", idString(o.categoryRename.ID),
		"{categoryToggle}", idString(o.categoryToggle.ID),
		"{static}", static.URL("img/favicon.svg"),
	).Replace(target)
	if strings.ContainsAny(target, "{}:*") {
		t.Fatalf("target %q has a placeholder fillTarget does not know", target)
	}
	return target, version
}

// classify names what a response is, in the inventory's words.
func classify(res *apptest.Response) outcome {
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		if loc := res.Location(); loc == "/login" || strings.HasPrefix(loc, "/login?") {
			return "login"
		}
	}
	return strconv.Itoa(res.StatusCode)
}

// inventoryKey is a route's key in routeInventory.
func inventoryKey(method, path string) string { return method + " " + path }

// inventoryOrder sorts the routes so that the ones that end the session
// (sign out, sign in) come last and the others cannot be disturbed by them.
func inventoryOrder(keys []string) {
	last := func(k string) bool { return strings.HasSuffix(k, " /logout") || strings.HasSuffix(k, " /login") }
	sort.Slice(keys, func(i, j int) bool {
		if li, lj := last(keys[i]), last(keys[j]); li != lj {
			return lj
		}
		return keys[i] < keys[j]
	})
}

// allRouteKeys lists the routes srv's router has, as routeInventory keys.
func allRouteKeys(srv *apptest.Server) []string {
	var keys []string
	seen := map[string]bool{}
	for _, r := range srv.App.Web.Echo().Routes() {
		k := inventoryKey(r.Method, r.Path)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	inventoryOrder(keys)
	return keys
}

// routeKeys lists the routes the demo adds to the template's router, as
// routeInventory keys: those of srv (the template with the demo) that the
// template alone (apptest without modules) does not have.
func routeKeys(t *testing.T, srv *apptest.Server) []string {
	t.Helper()
	template := map[string]bool{}
	for _, k := range allRouteKeys(apptest.New(t, apptest.Options{NoSeed: true})) {
		template[k] = true
	}
	var keys []string
	for _, k := range allRouteKeys(srv) {
		if !template[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

func TestRouteInventoryHasARowForEveryRouteAndNoRowForAMissingOne(t *testing.T) {
	t.Parallel()
	srv := demoApp(t, apptest.Options{NoSeed: true})
	have := map[string]bool{}
	for _, k := range routeKeys(t, srv) {
		have[k] = true
		if _, ok := routeInventory[k]; !ok {
			method, path, _ := strings.Cut(k, " ")
			t.Errorf("route %s %s has no row in routeInventory (app/expenses/pages/inventory_test.go). Add one saying what each actor gets:\n"+
				"\t%q: {target: %q, want: [7]outcome{anonymous, employee, manager, finance, admin, sso, deactivated}},\n"+
				"with the path's parameters as demo-data placeholders ({submitted}, {emily}, …; see fillTarget). "+
				"INVENTORY_PRINT=1 go test ./app/expenses/pages -run TestRouteInventory -v prints today's outcomes to check against app/policy.",
				method, path, k, path)
		}
	}
	for k := range routeInventory {
		if !have[k] {
			t.Errorf("routeInventory has a row for %s, which the router does not have: remove it", k)
		}
	}
	if len(have) < len(routeInventory)/2 {
		t.Errorf("only %d routes of the demo found; is the demo plugged in?", len(have))
	}
}

// TestRouteInventoryGivesEveryActorTheExpectedOutcome sends every route of
// the router, as every actor, and checks the answer against routeInventory.
// Each actor gets a fresh app, so that what one actor changes (approving,
// deleting, signing out) cannot change what another gets.
func TestRouteInventoryGivesEveryActorTheExpectedOutcome(t *testing.T) {
	t.Parallel()
	printing := os.Getenv("INVENTORY_PRINT") != ""
	var mu sync.Mutex
	observed := map[string]*[7]outcome{}
	t.Run("actors", func(t *testing.T) {
		for col, who := range actors {
			t.Run(string(who), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				o := demoIDs(t, w)
				b := signInAs(t, w, who)
				for _, k := range routeKeys(t, w.Server) {
					row, ok := routeInventory[k]
					if !ok {
						continue // reported by TestRouteInventoryHasARowForEveryRoute…
					}
					method, _, _ := strings.Cut(k, " ")
					target, version := fillTarget(t, w, o, row.target)
					var form url.Values
					if !safeMethod(method) {
						form = url.Values{"_csrf": {csrfFor(t, b)}, "version": {strconv.Itoa(version)}}
					}
					got := classify(send(t, b, w.URL, requestMethod(method), target, form, nil))
					mu.Lock()
					if observed[k] == nil {
						observed[k] = &[7]outcome{}
					}
					observed[k][col] = got
					mu.Unlock()
					if printing || row.skip != "" {
						continue
					}
					if want := row.want[col]; got != want {
						t.Errorf("%s (sent %s %s) as %s: got %s, want %s", k, requestMethod(method), target, who, got, want)
					}
				}
			})
		}
	})
	for k, row := range routeInventory {
		if row.skip != "" {
			t.Run(k, func(t *testing.T) { t.Skip(row.skip) })
		}
	}
	if printing {
		keys := make([]string, 0, len(observed))
		for k := range observed {
			keys = append(keys, k)
		}
		inventoryOrder(keys)
		for _, k := range keys {
			var cells []string
			for _, c := range observed[k] {
				cells = append(cells, strconv.Quote(c))
			}
			t.Logf("%q: {target: %q, want: [7]outcome{%s}},", k, routeInventory[k].target, strings.Join(cells, ", "))
		}
	}
}
