package pages_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

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
		// A mail in the development viewer: the template's walk opens
		// one (app/web/layout_test.go); the demo adds nothing there.
		return "/dev/mail", true
	case pattern == "/admin/users/:id":
		return strings.Replace(pattern, ":id", strconv.FormatUint(uint64(viewerID), 10), 1), true
	case strings.HasPrefix(pattern, "/expenses/:id"):
		var id uint
		srv.DB.Raw("SELECT id FROM expenses WHERE employee_id = ? ORDER BY id LIMIT 1", viewerID).Scan(&id)
		if id == 0 {
			srv.DB.Raw("SELECT id FROM expenses ORDER BY id LIMIT 1").Scan(&id)
		}
		return strings.Replace(pattern, ":id", strconv.FormatUint(uint64(id), 10), 1), id != 0
	}
	return "", false
}

// skipWalk lists routes the walk cannot open as a plain GET page: SSO
// redirects to an identity provider, the development identity provider (a
// separate site), downloads, and catch-alls.
func skipWalk(pattern string) bool {
	return notMasterLayout[pattern] || strings.HasPrefix(pattern, "/auth/") ||
		strings.HasPrefix(pattern, "/dev-idp") || strings.HasPrefix(pattern, "/scim/") || strings.HasSuffix(pattern, ".csv") ||
		strings.HasSuffix(pattern, "/receipt") || strings.HasSuffix(pattern, "/*") || pattern == "*"
}

// TestEveryGetPageRendersInsideTheMasterLayoutWithTheDemoPlugged is the
// template's master-layout walk (app/web/layout_test.go) over the template
// with the demo: every page, the demo's included, as every demo role.
func TestEveryGetPageRendersInsideTheMasterLayoutWithTheDemoPlugged(t *testing.T) {
	t.Parallel()
	srv := demoApp(t, apptest.Options{})
	routes := srv.App.Web.Echo().Routes()
	for _, who := range []string{"employee@example.com", "manager@example.com", "finance@example.com", "admin@example.com"} {
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
			for p, want := range map[string]int{"/": 200, "/expenses": 200, "/profile": 200, "/expenses/new": 200, "/no-such-page": 404} {
				if got := inLayout[p]; got != want {
					t.Errorf("GET %s: %d inside the layout, want %d", p, got, want)
				}
			}
			if n := len(inLayout); n < 12 {
				t.Errorf("only %d pages rendered inside the layout; the walk lost its routes", n)
			}
		})
	}
}
