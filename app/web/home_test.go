package web_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// Without a module's Home, GET / is the template's plain home page: a
// welcome, the way to the profile, a link for every menu entry (a module's
// included), and, in development, where the first module goes.
func TestPlainHomePageWelcomesLinksOnAndSaysWhereTheFirstModuleGoes(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Modules: withNotes})
	b := srv.Browser(t)
	b.Login(admin, apptest.DemoPassword)
	doc := b.Follow("/").Doc(t)
	if got := strings.TrimSpace(doc.Find("main h1").First().Text()); got != "Welcome, Adam Brooks" {
		t.Errorf("heading %q, want the welcome", got)
	}
	if doc.Find(`[data-testid="start-account"] a[href="/profile"]`).Length() != 1 {
		t.Error("no link to the profile")
	}
	var links []string
	doc.Find(`[data-testid="start-links"] a`).Each(func(_ int, s *goquery.Selection) {
		links = append(links, s.Text()+"="+s.AttrOr("href", ""))
	})
	if got := strings.Join(links, ","); got != "Notes=/notes,People=/admin/users,Settings=/admin/settings,Mail=/admin/mail,Audit log=/admin/audit" {
		t.Errorf("home page links %s, want the menu's entries but Home", got)
	}
	if got := strings.TrimSpace(doc.Find(`nav.mainmenu a[href="/"]`).First().Text()); got != "Home" {
		t.Errorf("the menu calls the plain home page %q, want Home (Dashboard is a module's)", got)
	}
	next := doc.Find(`[data-testid="start-next"]`).Text()
	for _, want := range []string{"app/module", "modules()", "app/app.go", "Home"} {
		if !strings.Contains(next, want) {
			t.Errorf("the first-module card does not mention %s: %q", want, next)
		}
	}
}
