package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/models"
)

// notMasterLayout lists the routes that render the sign-in layout (there is
// nobody to show in the navigation widget) or are not pages at all, so the
// master-layout walk below skips them.
var notMasterLayout = map[string]bool{
	"/healthz":    true,
	"/readyz":     true,
	"/static/*":   true,
	"/login":      true,
	"/signed-out": true,
	// Password reset and invitation pages: for people who cannot sign in.
	"/password/forgot": true,
	"/password/reset":  true,
	"/invitation":      true,
}

// routeParams fills in a route pattern's parameters with ids that exist, as
// seen by the person signed in. A new route with a parameter must be added
// here, so the walk below cannot silently skip it.
func routeParams(t *testing.T, srv *apptest.Server, viewerID uint, pattern string) (string, bool) {
	t.Helper()
	switch {
	case !strings.Contains(pattern, ":") && !strings.Contains(pattern, "*"):
		return pattern, true
	case pattern == "/dev/mail/:id":
		return keptDevMail(t, srv), true
	case pattern == "/admin/users/:id":
		return strings.Replace(pattern, ":id", strconv.FormatUint(uint64(viewerID), 10), 1), true
	}
	return "", false
}

// skipWalk lists routes the walk cannot open as a plain GET page: SSO
// redirects to an identity provider, the development identity provider (a
// separate site), SCIM (JSON for identity providers, app/scim), downloads,
// and catch-alls.
func skipWalk(pattern string) bool {
	return notMasterLayout[pattern] || strings.HasPrefix(pattern, "/auth/") ||
		strings.HasPrefix(pattern, "/dev-idp") || strings.HasPrefix(pattern, "/scim/") || strings.HasSuffix(pattern, ".csv") ||
		strings.HasSuffix(pattern, "/receipt") || strings.HasSuffix(pattern, "/*") || pattern == "*"
}

// The walk runs with the notes test module (testmodule_test.go), so that a
// module's page is proved to render inside the master layout too; the
// demo's pages have the same walk in app/expenses/pages.
func TestEveryGetPageRendersInsideTheMasterLayoutWithTheNavigationWidget(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Modules: withNotes})
	routes := srv.App.Web.Echo().Routes()
	for _, who := range []string{employee, liam, admin} {
		t.Run(who, func(t *testing.T) {
			t.Parallel()
			var me models.Employee
			if err := srv.DB.Joins("User").Where("email = ?", who).Take(&me).Error; err != nil {
				t.Fatal(err)
			}
			b := srv.Browser(t)
			b.Login(who, apptest.DemoPassword)
			paths := []string{"/no-such-page"}
			for _, r := range routes {
				if r.Method != http.MethodGet || skipWalk(r.Path) {
					continue
				}
				p, ok := routeParams(t, srv, me.UserID, r.Path)
				if !ok {
					t.Errorf("route %s has parameters the walk cannot fill; teach routeParams about it", r.Path)
					continue
				}
				paths = append(paths, p)
			}
			inLayout := map[string]int{} // path → status, for pages that rendered in the layout
			for _, p := range paths {
				res := b.Follow(p)
				switch res.StatusCode {
				case http.StatusOK, http.StatusForbidden, http.StatusNotFound:
				default:
					t.Errorf("GET %s: status %d", p, res.StatusCode)
					continue
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					continue // a download, not a page
				}
				doc := res.Doc(t)
				if doc.Find(`[data-testid="navigation-widget"]`).Length() != 1 {
					t.Errorf("GET %s (%d): no navigation widget", p, res.StatusCode)
					continue
				}
				if got := strings.TrimSpace(doc.Find(`[data-testid="profile-name"]`).Text()); got != me.FullName {
					t.Errorf("GET %s: widget shows %q, want %q", p, got, me.FullName)
				}
				if doc.Find(`form[action="/logout"][method="post"]`).Length() != 1 {
					t.Errorf("GET %s: no sign-out form in the widget", p)
					continue
				}
				inLayout[p] = res.StatusCode
			}
			// The walk must really have walked: these pages open for
			// everyone, and the unknown URL is a 404 page in the layout.
			for p, want := range map[string]int{"/": 200, notesPath: 200, "/profile": 200, "/no-such-page": 404} {
				if got := inLayout[p]; got != want {
					t.Errorf("GET %s: %d inside the layout, want %d", p, got, want)
				}
			}
			if n := len(inLayout); n < 10 {
				t.Errorf("only %d pages rendered inside the layout; the walk lost its routes", n)
			}
		})
	}
}

func TestNavigationWidgetMenuDependsOnRole(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	menu := func(who string) string {
		b := srv.Browser(t)
		b.Login(who, apptest.DemoPassword)
		return b.Follow("/").Doc(t).Find("nav.mainmenu").Text()
	}
	if m := menu("admin@example.com"); !strings.Contains(m, "People") {
		t.Errorf("admin menu lacks People: %q", m)
	}
	if m := menu("employee@example.com"); strings.Contains(m, "People") {
		t.Errorf("employee menu shows People: %q", m)
	}
}

func TestNavigationWidgetShowsEnvironmentBadgeAndAppSwitcher(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"APPS": "Travel=https://travel.example.com,HR=/hr"}})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	doc := b.Follow("/").Doc(t)
	if got := doc.Find(".navbar .env-badge").Text(); got != "Development" {
		t.Errorf("environment badge = %q", got)
	}
	var links []string
	doc.Find(".app-switcher a.menu-item").Each(func(_ int, s *goquery.Selection) {
		links = append(links, s.Text()+"="+s.AttrOr("href", ""))
	})
	if strings.Join(links, ",") != "Travel=https://travel.example.com,HR=/hr" {
		t.Errorf("app switcher links = %v", links)
	}
}

func TestUnexpectedErrorsShowACalm500PageInsideTheMasterLayout(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	// Break the database under the running app.
	if err := srv.DB.Exec("ALTER TABLE employees RENAME TO employees_gone").Error; err != nil {
		t.Fatal(err)
	}
	res := b.Get("/profile")
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
	doc := res.Doc(t)
	if doc.Find(`[data-testid="navigation-widget"]`).Length() != 1 || doc.Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Error("500 page is not inside the master layout")
	}
	if strings.Contains(res.Body, "employees") || strings.Contains(strings.ToLower(res.Body), "sql") {
		t.Error("500 page leaks internals")
	}
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	res := srv.Browser(t).Get("/login")
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
		t.Error("missing nosniff or referrer policy")
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control = %q", res.Header.Get("Cache-Control"))
	}
}

func TestStaticFilesAreFingerprintedAndCachedForAYear(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	href, _ := b.Get("/login").Doc(t).Find(`link[rel="stylesheet"]`).Attr("href")
	if !strings.Contains(href, "?v=") {
		t.Fatalf("stylesheet URL %q has no fingerprint", href)
	}
	res := b.Get(href)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	if res := b.Get("/static/nope.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing static file: status %d", res.StatusCode)
	}
}
