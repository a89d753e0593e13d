package pages_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

// Hostile values, written straight into the database (or the configuration)
// where the forms would refuse them, so that what is checked is the output:
// every page and the CSV export must show them as inert text.
const (
	hostileScript  = `<script>alert(1)</script>`
	hostileAttr    = `"><img src=x onerror=alert(1)>`
	hostileSingle  = `'><svg onload=alert(1)>`
	hostileIframe  = `<iframe src=javascript:alert(1)>`
	hostileJSURL   = `javascript:alert(1)`
	hostileFormula = `=cmd|' /C calc'!A0`
	hostileBidi    = "Marcus \u202Egnp.exe\u202C"
)

// hostileWorld is the demo company with hostile names, merchants,
// descriptions, comments, categories, departments, avatars and app-switcher
// entries, and the ids of the hostile expenses.
type hostileWorld struct {
	*world
	expenseIDs []uint
}

func newHostileWorld(t *testing.T, apps []config.AppLink) *hostileWorld {
	t.Helper()
	srv := apptest.NewConfigured(t, apptest.Options{Modules: withDemo}, func(c *config.Config) { c.Apps = apps })
	w := &world{Server: srv, svc: expenses.NewService(srv.DB), ppl: srv.App.Web.People(), ctx: context.Background()}
	cats, err := expenses.EnsureCategories(w.ctx, srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	w.cats = cats
	h := &hostileWorld{world: w}

	// Expenses first, while names are still ones the service accepts.
	for _, c := range []struct {
		owner               string
		status              models.Status
		merchant, descr     string
		comment             string
		category, category2 string
	}{
		{employee, models.StatusSubmitted, hostileFormula, hostileAttr, hostileSingle, "", ""},
		{employee, models.StatusRejected, hostileScript, "-2+3", hostileScript, "", ""},
		{employee, models.StatusDraft, "@SUM(A1)", hostileIframe, "", "", ""},
		{liam, models.StatusApproved, "+cmd|' /C calc'!A0", "\tTabbed " + hostileScript, hostileAttr, "", ""},
		{"olivia.johnson@example.com", models.StatusReimbursed, hostileBidi, "\r=1+1", hostileIframe, "", ""},
	} {
		e := w.expense(t, c.owner, c.status)
		h.expenseIDs = append(h.expenseIDs, e.ID)
		h.exec(t, "UPDATE expenses SET merchant = ?, description = ? WHERE id = ?", c.merchant, c.descr, e.ID)
		if c.comment != "" {
			h.exec(t, "UPDATE expense_events SET comment = ? WHERE expense_id = ?", c.comment, e.ID)
		}
	}
	h.exec(t, "UPDATE categories SET name = ? WHERE id = ?", `"><svg onload=alert(1)>`, w.cats["Travel"].ID)
	h.exec(t, "UPDATE categories SET name = ? WHERE id = ?", "+cmd|' /C calc'!A0", w.cats["Meals"].ID)
	h.exec(t, "UPDATE departments SET name = ? WHERE name = ?", hostileIframe, "Engineering")

	names := map[string]string{
		employee:                     hostileScript,
		liam:                         hostileAttr,
		manager:                      hostileBidi,
		"olivia.johnson@example.com": "@SUM(1+1)*cmd|' /C calc'!A0",
		"priya.patel@example.com":    hostileSingle,
	}
	for email, name := range names {
		h.exec(t, "UPDATE employees SET full_name = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)", name, email)
	}
	h.exec(t, "UPDATE employees SET avatar_url = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)", hostileJSURL, liam)
	h.exec(t, "UPDATE employees SET avatar_url = ? WHERE user_id = (SELECT id FROM users WHERE email = ?)", `x" onerror="alert(1)`, employee)
	return h
}

func (h *hostileWorld) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	res := h.DB.Exec(sql, args...)
	if res.Error != nil || res.RowsAffected == 0 {
		t.Fatalf("%s: %v (%d rows)", sql, res.Error, res.RowsAffected)
	}
}

// dangerousURL reports whether a URL attribute would run code or load
// content a browser treats as a document of its own, however it is spelled
// (browsers drop whitespace and control characters inside the scheme).
func dangerousURL(v string) bool {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(clean, scheme) {
			return true
		}
	}
	return false
}

// urlAttributes are the attributes a browser loads or navigates to.
var urlAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true,
	"xlink:href": true, "poster": true, "data": true, "srcset": true}

// inertProblems lists what on a page could run injected code: scripts other
// than the app's own files, event-handler attributes, script URLs, and
// elements the app never renders (frames, objects, base).
func inertProblems(doc *goquery.Document) []string {
	var out []string
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
			out = append(out, "script element src="+src+" text="+s.Text())
		}
	})
	doc.Find("iframe, frame, object, embed, base, img[src='x']").Each(func(_ int, s *goquery.Selection) {
		out = append(out, "injected element <"+goquery.NodeName(s)+">")
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			if a.Namespace != "" {
				name = a.Namespace + ":" + name
			}
			if strings.HasPrefix(name, "on") {
				out = append(out, "event handler <"+goquery.NodeName(s)+" "+a.Key+"="+a.Val+">")
			}
			if urlAttributes[name] && dangerousURL(a.Val) {
				out = append(out, "script URL <"+goquery.NodeName(s)+" "+a.Key+"="+a.Val+">")
			}
		}
	})
	return out
}

// hostileWalk lists the HTML pages an actor opens: every GET route of the
// inventory that answers the actor 200, the hostile expenses' pages, and a
// few URLs that carry hostile text in the query string.
func hostileWalk(t *testing.T, h *hostileWorld, o demoObjects, col int) []string {
	t.Helper()
	var out []string
	for _, k := range allRouteKeys(h.Server) {
		method, path, _ := strings.Cut(k, " ")
		row, ok := routeInventory[k]
		if !ok && !strings.ContainsAny(path, ":*") {
			// A page of the template (its rows are in app/web): the
			// demo's data shows there too (the home dashboard, the
			// people admin), so it is walked as well.
			row = inventoryRow{target: path, want: [7]outcome{"200", "200", "200", "200", "200", "200", "200"}}
		}
		if method != http.MethodGet || row.want[col] != "200" || strings.HasPrefix(path, "/dev-idp") ||
			strings.HasPrefix(path, "/static") || path == "/healthz" || strings.HasSuffix(path, ".csv") ||
			strings.HasSuffix(path, "/receipt") {
			continue
		}
		target, _ := fillTarget(t, h.world, o, row.target)
		out = append(out, target)
	}
	for _, id := range h.expenseIDs {
		out = append(out, "/expenses/"+idString(id), "/expenses/"+idString(id)+"/edit")
	}
	return append(out, "/admin/users/"+idString(o.emily.UserID),
		"/expenses?scope=all", "/expenses?scope=team", "/expenses?scope=all&status=rejected",
		"/expenses?q="+strings.ReplaceAll(hostileAttr, " ", "+"), "/expenses?sort="+hostileScript+"&dir="+hostileAttr,
		"/no-such-page/"+hostileScript, "/login?next="+hostileJSURL)
}

// TestEveryPageShowsHostileDataAsInertText walks every page as every demo
// role and the SSO person with hostile values in every field a page shows,
// and parses each page: nothing injected may exist as an element or an
// attribute. The hostile text must also really be on the pages (as text),
// or the walk would prove nothing.
func TestEveryPageShowsHostileDataAsInertText(t *testing.T) {
	t.Parallel()
	apps := []config.AppLink{{Name: hostileScript, URL: "https://travel.example.com"}, {Name: hostileAttr, URL: "/hr"}}
	h := newHostileWorld(t, apps)
	o := demoIDs(t, h.world)
	shown := map[string]int{}
	pages := 0
	for col, who := range actors {
		if who == anonymous || who == deactivated {
			continue
		}
		t.Run(string(who), func(t *testing.T) {
			b := signInAs(t, h.world, who)
			for _, p := range hostileWalk(t, h, o, col) {
				res := b.Get(p)
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				pages++
				doc := res.Doc(t)
				for _, problem := range inertProblems(doc) {
					t.Errorf("GET %s as %s (%d): %s", p, who, res.StatusCode, problem)
				}
				text := doc.Text()
				for _, v := range []string{hostileScript, hostileAttr, hostileSingle, hostileIframe, hostileFormula} {
					if strings.Contains(text, v) {
						shown[v]++
					}
				}
			}
		})
	}
	if pages < 60 {
		t.Errorf("only %d pages walked", pages)
	}
	for _, v := range []string{hostileScript, hostileAttr, hostileSingle, hostileIframe, hostileFormula} {
		if shown[v] == 0 {
			t.Errorf("no page shows %q as text: the hostile data never reached a page", v)
		}
	}
}

// The sign-in page and error pages, seen by someone signed out, are inert
// too, whatever the query string says.
func TestSignedOutPagesShowHostileQueryStringsAsInertText(t *testing.T) {
	t.Parallel()
	h := newHostileWorld(t, nil)
	b := h.Browser(t)
	for _, p := range []string{"/login?next=" + hostileJSURL, "/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
		"/login?error=" + hostileScript, "/signed-out?" + hostileAttr, "/no-such-page/%3Cscript%3E"} {
		res := b.Get(p)
		for _, problem := range inertProblems(res.Doc(t)) {
			t.Errorf("GET %s: %s", p, problem)
		}
	}
}

// An app-switcher link must never be a script URL, even one that slipped
// past config.ParseApps (which refuses it today).
func TestAppSwitcherNeverRendersAScriptURL(t *testing.T) {
	t.Parallel()
	if _, err := config.ParseApps("Evil=" + hostileJSURL); err == nil {
		t.Fatal("APPS accepted a javascript: URL")
	}
	h := newHostileWorld(t, []config.AppLink{{Name: "Evil", URL: hostileJSURL}, {Name: "Evil2", URL: " JaVaScRiPt:alert(1)"}})
	b := h.browser(t, finance)
	for _, problem := range inertProblems(b.Get("/").Doc(t)) {
		t.Errorf("GET /: %s", problem)
	}
}

// TestCSVExportNeutralisesFormulasInEveryTextCell exports everything as
// finance and as an administrator: no cell may start with a character a
// spreadsheet reads as the start of a formula, and the hostile values are
// there, prefixed with a quote.
func TestCSVExportNeutralisesFormulasInEveryTextCell(t *testing.T) {
	t.Parallel()
	h := newHostileWorld(t, nil)
	for _, who := range []string{finance, admin, employee} {
		b := h.browser(t, who)
		res := b.Get("/expenses/export.csv?scope=all&per_page=1000")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("export as %s: %d", who, res.StatusCode)
		}
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("export as %s: %v", who, err)
		}
		neutralised := 0
		for _, r := range rows[1:] {
			for i, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("export as %s: column %s starts a formula: %q", who, rows[0][i], cell)
				}
				if strings.HasPrefix(cell, "'") && strings.ContainsRune("=+-@\t\r", rune(cell[1%len(cell)])) {
					neutralised++
				}
			}
		}
		if neutralised < 3 {
			t.Errorf("export as %s: only %d neutralised cells; the hostile data is missing", who, neutralised)
		}
	}
}
