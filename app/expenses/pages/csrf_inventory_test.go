package pages_test

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// unsafeMethods are the methods a CSRF check must guard.
var unsafeMethods = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true}

// csrfRefused reports whether the app's CSRF protection refused a request:
// 400 or 403 with the app's "Form expired" page (app/web/render.go), not the
// handler's own answer.
func csrfRefused(res *apptest.Response) bool {
	return (res.StatusCode == http.StatusBadRequest || res.StatusCode == http.StatusForbidden) &&
		strings.Contains(res.Body, "Form expired")
}

// authorisedActor is the first actor whom routeInventory lets reach the
// handler of a route (an answer other than sign-in, 403, 404 or 405), so that
// a refusal seen with a bad token is the CSRF check's and not the policy's.
// Routes nobody reaches are tried as the anonymous visitor.
func authorisedActor(row inventoryRow) actor {
	for i, o := range row.want {
		switch o {
		case "login", "403", "404", "405", "400":
		default:
			return actors[i]
		}
	}
	return anonymous
}

// unsafeRoutes lists the inventory's routes with an unsafe method.
func unsafeRoutes(t *testing.T) []string {
	t.Helper()
	var keys []string
	for k := range routeInventory {
		method, _, _ := strings.Cut(k, " ")
		if unsafeMethods[method] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) < 10 {
		t.Fatalf("only %d unsafe routes in the inventory; the walk lost its routes", len(keys))
	}
	return keys
}

// withHeaderToken adds the form's token as the X-CSRF-Token header (as htmx
// sends it) for methods whose body Go does not parse as a form (DELETE), so
// that a valid token reaches the check whatever the method.
func withHeaderToken(method string, form url.Values, h http.Header) http.Header {
	if method == http.MethodPost || form.Get("_csrf") == "" {
		return h
	}
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	out.Set("X-CSRF-Token", form.Get("_csrf"))
	return out
}

// TestEveryUnsafeRouteRefusesRequestsWithoutAValidCSRFTokenOrFromAnotherSite
// sends every POST/PUT/PATCH/DELETE route of the inventory, as a person the
// route is meant for, in the ways a forged cross-site request arrives, and
// expects the CSRF protection to refuse each. The last request, with the
// page's own token, must get through, which proves the refusals were the
// CSRF check's.
func TestEveryUnsafeRouteRefusesRequestsWithoutAValidCSRFTokenOrFromAnotherSite(t *testing.T) {
	t.Parallel()
	for _, k := range unsafeRoutes(t) {
		row := routeInventory[k]
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			o := demoIDs(t, w)
			who := authorisedActor(row)
			b := signInAs(t, w, who)
			method, _, _ := strings.Cut(k, " ")
			target, version := fillTarget(t, w, o, row.target)
			token := csrfFor(t, b)
			fields := url.Values{"version": {strconv.Itoa(version)}}
			// An attacker's own token and cookie: valid, but not this
			// person's.
			attacker := w.Browser(t)
			attackerToken := csrfFor(t, attacker)

			for _, tc := range apptest.ForgedRequests(token, attackerToken, fields) {
				if res := send(t, b, w.URL, method, target, tc.Form, withHeaderToken(method, tc.Form, tc.Header)); !csrfRefused(res) {
					t.Errorf("%s %s as %s with %s: %d, want the CSRF protection to refuse it", method, target, who, tc.Name, res.StatusCode)
				}
			}
			// The token in the query string instead of the form.
			t.Run("token in the query string", func(t *testing.T) {
				q := target + "?_csrf=" + url.QueryEscape(token)
				if res := send(t, b, w.URL, method, q, apptest.CSRFForm("", fields), nil); !csrfRefused(res) {
					t.Errorf("%s %s as %s with the token in the query string: %d, want it refused", method, target, who, res.StatusCode)
				}
			})

			// The control: the page's own token gets past the CSRF check.
			if res := send(t, b, w.URL, method, target, apptest.CSRFForm(token, fields), withHeaderToken(method, apptest.CSRFForm(token, fields), nil)); csrfRefused(res) {
				t.Errorf("%s %s as %s with the page's own token: refused by CSRF (%d); the cases above prove nothing", method, target, who, res.StatusCode)
			}
		})
	}
}

// A CSRF token must belong to one session: one scraped before signing in
// must not work after, nor one from before signing out.
func TestCSRFTokenFromBeforeSignInIsRefusedAfterIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := demoIDs(t, w)
	b := w.Browser(t)
	before := csrfFor(t, b)
	b.Login(employee, "expenses-demo")
	res := send(t, b, w.URL, http.MethodPost, "/expenses/"+idString(o.draftSubmit.ID)+"/submit",
		url.Values{"_csrf": {before}, "version": {strconv.Itoa(o.draftSubmit.Version)}}, nil)
	if !csrfRefused(res) {
		t.Errorf("token from before sign-in accepted after it: %d", res.StatusCode)
	}
}

// A token planted in the victim's browser together with the attacker's CSRF
// cookie (cookie tossing from a sibling subdomain) must not work with the
// victim's session: the token is bound to the session, not to a cookie.
func TestCSRFTokenIsBoundToTheSessionNotToACookieAnAttackerCanPlant(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := demoIDs(t, w)
	victim := w.browser(t, employee)
	attacker := w.Browser(t)
	tok := csrfFor(t, attacker)
	u := mustURL(t, w.URL)
	for _, c := range attacker.Jar.Cookies(u) {
		if c.Name == "csrf" {
			victim.Jar.SetCookies(u, []*http.Cookie{{Name: "csrf", Value: c.Value, Path: "/"}})
		}
	}
	res := send(t, victim, w.URL, http.MethodPost, "/expenses/"+idString(o.draftSubmit.ID)+"/submit",
		url.Values{"_csrf": {tok}, "version": {strconv.Itoa(o.draftSubmit.Version)}}, nil)
	if !csrfRefused(res) {
		t.Errorf("the attacker's token and cookie were accepted with the victim's session: %d", res.StatusCode)
	}
}
