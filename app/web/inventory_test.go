package web_test

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
	// filled by the {placeholders} of fillTarget (real ids of the seed).
	target string
	// want has one outcome per actor, in the order of actors: anonymous,
	// employee, admin, sso, deactivated.
	want [5]outcome
	// skip, when set, names the audit finding that makes today's answer
	// wrong; the row is not checked until the fix is merged.
	skip string
}

// routeInventory is THE table of who gets what from every route the
// template's router has, after the SSO startup routine ran, with the notes
// test module plugged in (testmodule_test.go) and the template's people
// seeded. Every unsafe request carries a valid CSRF token scraped from a
// page. A module's routes have their own table in the module's tests (the
// expenses demo's: app/expenses/pages/inventory_test.go).
//
// A deactivated person's session is ended at their next request, so they get
// exactly what an anonymous visitor gets.
//
// The development identity provider's unsafe methods answer 403 to the
// signed-in actors: the token scraped from an app page is bound to the app
// session, while the provider, which is not the app, binds its forms to the
// browser's pre-session id (see MountDevIdP). Its own picker page hands out
// the matching token.
//
// To add a row for a new route, run
//
//	INVENTORY_PRINT=1 go test ./app/web -run TestRouteInventory -v
//
// which prints a row with today's outcomes for every route; check each
// outcome against app/policy before pasting it here.
var routeInventory = map[string]inventoryRow{
	// want columns: anonymous, employee, admin, sso, deactivated.
	"CONNECT /dev-idp/*":              {target: "/dev-idp/authorize", want: [5]outcome{"400", "400", "400", "400", "400"}},
	"DELETE /dev-idp/*":               {target: "/dev-idp/authorize", want: [5]outcome{"400", "400", "400", "400", "400"}},
	"GET /":                           {target: "/", want: [5]outcome{"login", "200", "200", "200", "login"}},
	"GET /admin/settings":             {target: "/admin/settings", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"GET /admin/sign-in-locks":        {target: "/admin/sign-in-locks", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"POST /admin/sign-in-locks/clear": {target: "/admin/sign-in-locks/clear", want: [5]outcome{"login", "403", "303", "403", "login"}},
	"GET /admin/mail":                 {target: "/admin/mail", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"POST /admin/mail/test":           {target: "/admin/mail/test", want: [5]outcome{"login", "403", "303", "403", "login"}},
	"GET /dev/mail":                   {target: "/dev/mail", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"GET /dev/mail/:id":               {target: "/dev/mail/0", want: [5]outcome{"404", "404", "404", "404", "404"}},
	"GET /readyz":                     {target: "/readyz", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"HEAD /readyz":                    {target: "/readyz", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"GET /admin/users":                {target: "/admin/users", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"GET /admin/users/:id":            {target: "/admin/users/{emily}", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"GET /admin/users/new":            {target: "/admin/users/new", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"GET /auth/:provider":             {target: "/auth/openid-connect", want: [5]outcome{"302", "302", "302", "302", "302"}},
	"GET /auth/:provider/callback":    {target: "/auth/openid-connect/callback", want: [5]outcome{"400", "400", "400", "400", "400"}},
	"GET /admin/audit":                {target: "/admin/audit?kind=sign_in.failed", want: [5]outcome{"login", "403", "200", "403", "login"}},
	"GET /admin/audit.csv":            {target: "/admin/audit.csv", want: [5]outcome{"login", "403", "200", "403", "login"}},
	// SCIM tokens on the settings page (app/web/admin_scim.go): an empty
	// name is refused at the field (422); token 0 does not exist (404).
	"POST /admin/settings/scim-tokens":            {target: "/admin/settings/scim-tokens", want: [5]outcome{"login", "403", "422", "403", "login"}},
	"POST /admin/settings/scim-tokens/:id/revoke": {target: "/admin/settings/scim-tokens/0/revoke", want: [5]outcome{"login", "403", "404", "403", "login"}},
	// SCIM (app/scim) takes a bearer token, never a session: every browser
	// gets 401, signed in or not.
	"DELETE /scim/v2/Groups/:id":         {target: "/scim/v2/Groups/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"DELETE /scim/v2/Users/:id":          {target: "/scim/v2/Users/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Groups":                {target: "/scim/v2/Groups", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Groups/:id":            {target: "/scim/v2/Groups/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/ResourceTypes":         {target: "/scim/v2/ResourceTypes", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/ResourceTypes/:id":     {target: "/scim/v2/ResourceTypes/User", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Schemas":               {target: "/scim/v2/Schemas", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Schemas/:id":           {target: "/scim/v2/Schemas/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/ServiceProviderConfig": {target: "/scim/v2/ServiceProviderConfig", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Users":                 {target: "/scim/v2/Users", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"GET /scim/v2/Users/:id":             {target: "/scim/v2/Users/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"PATCH /scim/v2/Groups/:id":          {target: "/scim/v2/Groups/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"PATCH /scim/v2/Users/:id":           {target: "/scim/v2/Users/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"POST /scim/v2/Groups":               {target: "/scim/v2/Groups", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"POST /scim/v2/Users":                {target: "/scim/v2/Users", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"PUT /scim/v2/Groups/:id":            {target: "/scim/v2/Groups/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"PUT /scim/v2/Users/:id":             {target: "/scim/v2/Users/x", want: [5]outcome{"401", "401", "401", "401", "401"}},
	// The development identity provider is one mount for every method; its
	// own mux answers. GET is its discovery document; the other methods go to
	// the picker's URL, which takes only GET and POST. Methods whose body Go
	// does not parse as a form (DELETE, CONNECT, …) cannot carry the token and
	// are refused by the CSRF check (400).
	"GET /dev-idp/*":        {target: "/dev-idp/.well-known/openid-configuration", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"GET /favicon.ico":      {target: "/favicon.ico", want: [5]outcome{"301", "301", "301", "301", "301"}},
	"GET /healthz":          {target: "/healthz", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"GET /profile":          {target: "/profile", want: [5]outcome{"login", "200", "200", "200", "login"}},
	"GET /signed-out":       {target: "/signed-out", want: [5]outcome{"200", "303", "303", "303", "200"}},
	"GET /static/*":         {target: "{static}", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"HEAD /dev-idp/*":       {target: "/dev-idp/.well-known/openid-configuration", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"HEAD /healthz":         {target: "/healthz", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"OPTIONS /dev-idp/*":    {target: "/dev-idp/authorize", want: [5]outcome{"405", "405", "405", "405", "405"}},
	"PATCH /dev-idp/*":      {target: "/dev-idp/authorize", want: [5]outcome{"405", "403", "403", "403", "405"}},
	"POST /admin/users":     {target: "/admin/users", want: [5]outcome{"login", "403", "422", "403", "login"}},
	"POST /admin/users/:id": {target: "/admin/users/{emily}", want: [5]outcome{"login", "403", "422", "403", "login"}},
	"POST /dev-idp/*":       {target: "/dev-idp/authorize", want: [5]outcome{"400", "403", "403", "403", "400"}},
	// Notification mails on or off (app/web/profile.go): saved, back to the profile.
	"POST /profile/notifications":                 {target: "/profile/notifications", want: [5]outcome{"login", "303", "303", "303", "login"}},
	"POST /profile/password":                      {target: "/profile/password", want: [5]outcome{"login", "422", "422", "422", "login"}},
	"POST /profile/sso/:provider/connect":         {target: "/profile/sso/openid-connect/connect", want: [5]outcome{"login", "422", "422", "303", "login"}},
	"POST /profile/sso/identities/:id/disconnect": {target: "/profile/sso/identities/{liamIdentity}/disconnect", want: [5]outcome{"login", "404", "404", "303", "login"}},
	"PROPFIND /dev-idp/*":                         {target: "/dev-idp/authorize", want: [5]outcome{"400", "400", "400", "400", "400"}},
	"PUT /dev-idp/*":                              {target: "/dev-idp/authorize", want: [5]outcome{"405", "403", "403", "403", "405"}},
	"REPORT /dev-idp/*":                           {target: "/dev-idp/authorize", want: [5]outcome{"400", "400", "400", "400", "400"}},
	"TRACE /dev-idp/*":                            {target: "/dev-idp/authorize", want: [5]outcome{"405", "405", "405", "405", "405"}},
	// Sessions (app/web/sessions.go): an unknown handle is "already ended".
	"POST /admin/users/:id/sessions/:handle/end": {target: "/admin/users/{emily}/sessions/0000/end", want: [5]outcome{"login", "403", "303", "403", "login"}},
	"POST /admin/users/:id/sessions/end-all":     {target: "/admin/users/{emily}/sessions/end-all", want: [5]outcome{"login", "403", "303", "403", "login"}},
	"POST /profile/sessions/:handle/end":         {target: "/profile/sessions/0000/end", want: [5]outcome{"login", "303", "303", "303", "login"}},
	"POST /profile/sessions/end-others":          {target: "/profile/sessions/end-others", want: [5]outcome{"login", "303", "303", "303", "login"}},
	// Server to server, no session and no CSRF token: without a valid
	// logout token it is 400 for everyone (app/sso/logout.go).
	"POST /auth/:provider/backchannel-logout": {target: "/auth/openid-connect/backchannel-logout", want: [5]outcome{"400", "400", "400", "400", "400"}},
	// Two-factor sign-in (two_factor.go): the code step needs the cookie
	// of a right password; setting up is for accounts with a password
	// (the sso actor has one too; SSO-only accounts get 404, see
	// two_factor_test.go).
	"GET /login/code":                         {target: "/login/code", want: [5]outcome{"login", "login", "login", "login", "login"}},
	"POST /login/code":                        {target: "/login/code", want: [5]outcome{"login", "login", "login", "login", "login"}},
	"GET /profile/two-factor":                 {target: "/profile/two-factor", want: [5]outcome{"login", "200", "200", "200", "login"}},
	"POST /profile/two-factor":                {target: "/profile/two-factor", want: [5]outcome{"login", "422", "422", "422", "login"}},
	"POST /profile/two-factor/disable":        {target: "/profile/two-factor/disable", want: [5]outcome{"login", "422", "422", "422", "login"}},
	"POST /profile/two-factor/recovery-codes": {target: "/profile/two-factor/recovery-codes", want: [5]outcome{"login", "422", "422", "422", "login"}},
	// Password reset and invitations (app/web/password_reset.go,
	// admin_invitations.go): without a token the link pages say the link is
	// not valid (410); Emily has a password, so she cannot be invited.
	"GET /password/forgot":                    {target: "/password/forgot", want: [5]outcome{"200", "200", "200", "200", "200"}},
	"POST /password/forgot":                   {target: "/password/forgot", want: [5]outcome{"422", "422", "422", "422", "422"}},
	"GET /password/reset":                     {target: "/password/reset", want: [5]outcome{"410", "410", "410", "410", "410"}},
	"POST /password/reset":                    {target: "/password/reset", want: [5]outcome{"410", "410", "410", "410", "410"}},
	"GET /invitation":                         {target: "/invitation", want: [5]outcome{"410", "410", "410", "410", "410"}},
	"POST /invitation":                        {target: "/invitation", want: [5]outcome{"410", "410", "410", "410", "410"}},
	"POST /admin/users/:id/invitation":        {target: "/admin/users/{emily}/invitation", want: [5]outcome{"login", "403", "303", "403", "login"}},
	"POST /admin/users/:id/invitation/revoke": {target: "/admin/users/{emily}/invitation/revoke", want: [5]outcome{"login", "403", "303", "403", "login"}},
	// Echo's "not found" routes: unknown URLs are 404 for everyone.
	"echo_route_not_found /":  {target: "/no-such-page", want: [5]outcome{"404", "404", "404", "404", "404"}},
	"echo_route_not_found /*": {target: "/no/such/page", want: [5]outcome{"404", "404", "404", "404", "404"}},
	// Unknown SCIM URLs ask for the bearer token first (app/scim).
	"echo_route_not_found /scim/v2":   {target: "/scim/v2", want: [5]outcome{"401", "401", "401", "401", "401"}},
	"echo_route_not_found /scim/v2/*": {target: "/scim/v2/Nope", want: [5]outcome{"401", "401", "401", "401", "401"}},
	// Last, because they end the session.
	// The notes test module (testmodule_test.go): a module's page and POST
	// behind the template's sign-in, CSRF check and policy.
	"GET /notes":   {target: "/notes", want: [5]outcome{"login", "200", "200", "200", "login"}},
	"POST /notes":  {target: "/notes", want: [5]outcome{"login", "403", "422", "403", "login"}},
	"GET /login":   {target: "/login", want: [5]outcome{"200", "303", "303", "303", "200"}},
	"POST /login":  {target: "/login", want: [5]outcome{"422", "422", "422", "422", "422"}},
	"POST /logout": {target: "/logout", want: [5]outcome{"303", "303", "303", "303", "303"}},
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

// seedIDs are the ids of the seed that the routes with ids are tried on,
// found before anyone signs in (an SSO sign-in touches the identities).
type seedIDs struct{ emily, liamIdentity uint }

func findSeedIDs(t *testing.T, w *world) seedIDs {
	t.Helper()
	o := seedIDs{emily: w.person(t, employee).UserID}
	w.DB.Raw("SELECT i.id FROM identities i JOIN users u ON u.id = i.user_id WHERE u.email = ? ORDER BY i.id LIMIT 1", liam).Scan(&o.liamIdentity)
	if o.liamIdentity == 0 {
		t.Fatalf("%s has no connected identity in the seed", liam)
	}
	return o
}

// fillTarget replaces the {placeholders} of a row's target with ids of the
// seed.
func fillTarget(t *testing.T, o seedIDs, target string) string {
	t.Helper()
	target = strings.NewReplacer(
		"{emily}", idString(o.emily),
		"{liamIdentity}", idString(o.liamIdentity),
		"{static}", static.URL("img/favicon.svg"),
	).Replace(target)
	if strings.ContainsAny(target, "{}:*") {
		t.Fatalf("target %q has a placeholder fillTarget does not know", target)
	}
	return target
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

// routeKeys lists the routes the router has, as routeInventory keys.
func routeKeys(srv *apptest.Server) []string {
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

func TestRouteInventoryHasARowForEveryRouteAndNoRowForAMissingOne(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Modules: withNotes})
	have := map[string]bool{}
	for _, k := range routeKeys(srv) {
		have[k] = true
		if _, ok := routeInventory[k]; !ok {
			method, path, _ := strings.Cut(k, " ")
			t.Errorf("route %s %s has no row in routeInventory (app/web/inventory_test.go). Add one saying what each actor gets:\n"+
				"\t%q: {target: %q, want: [5]outcome{anonymous, employee, admin, sso, deactivated}},\n"+
				"with the path's parameters as placeholders ({emily}, …; see fillTarget). "+
				"INVENTORY_PRINT=1 go test ./app/web -run TestRouteInventory -v prints today's outcomes to check against app/policy.",
				method, path, k, path)
		}
	}
	for k := range routeInventory {
		if !have[k] {
			t.Errorf("routeInventory has a row for %s, which the router does not have: remove it", k)
		}
	}
	if !have["GET "+notesPath] || !have["POST "+notesPath] {
		t.Error("the notes test module's routes are missing: module routes must be registered")
	}
	if !have["GET /auth/:provider"] {
		t.Error("the SSO routes are missing: the inventory must be taken after the SSO startup routine ran")
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
	observed := map[string]*[5]outcome{}
	t.Run("actors", func(t *testing.T) {
		for col, who := range actors {
			t.Run(string(who), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				o := findSeedIDs(t, w)
				b := signInAs(t, w, who)
				for _, k := range routeKeys(w.Server) {
					row, ok := routeInventory[k]
					if !ok {
						continue // reported by TestRouteInventoryHasARowForEveryRoute…
					}
					method, _, _ := strings.Cut(k, " ")
					target := fillTarget(t, o, row.target)
					var form url.Values
					if !safeMethod(method) {
						form = url.Values{"_csrf": {csrfFor(t, b)}}
					}
					got := classify(send(t, b, w.URL, requestMethod(method), target, form, nil))
					mu.Lock()
					if observed[k] == nil {
						observed[k] = &[5]outcome{}
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
			t.Logf("%q: {target: %q, want: [5]outcome{%s}},", k, routeInventory[k].target, strings.Join(cells, ", "))
		}
	}
}
