package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/paths"
)

// finder is a goquery document or selection.
type finder interface {
	Find(string) *goquery.Selection
}

// textIn is the text of the elements matching selector inside in, with
// runs of white space made single spaces.
func textIn(in finder, selector string) string {
	return strings.Join(strings.Fields(in.Find(selector).Text()), " ")
}

func TestAdminSeesSignInSettingsWithLoginModeDevIdPAndItsCallbackURL(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login(admin, apptest.DemoPassword)
	res := b.Get(paths.AdminSettings)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if doc.Find(`[data-testid="navigation-widget"]`).Length() != 1 {
		t.Error("the page is not inside the master layout")
	}
	if got := textIn(doc, "h1"); got != "Sign-in settings" {
		t.Errorf("heading %q", got)
	}
	if got := textIn(doc, `[data-testid="settings-how-to-change"]`); !strings.Contains(got, "Change these settings with environment variables and restart; see README → Configuration") {
		t.Errorf("no note on how to change the settings: %q", got)
	}
	mode := textIn(doc, `[data-testid="settings-login-mode"]`)
	for _, want := range []string{"Single sign-on and local accounts", "both", "LOGIN_MODE"} {
		if !strings.Contains(mode, want) {
			t.Errorf("login mode %q lacks %q", mode, want)
		}
	}
	badge := doc.Find(`[data-testid="settings-dev-idp"] [data-testid="dev-idp-badge"]`)
	if !badge.HasClass("badge-warning") || !strings.Contains(badge.Text(), "On") {
		t.Errorf("development identity provider badge %q, class %q", badge.Text(), badge.AttrOr("class", ""))
	}
	if got := textIn(doc, `[data-testid="settings-dev-idp"]`); !strings.Contains(got, "DEV_IDP") {
		t.Errorf("development identity provider row does not name DEV_IDP: %q", got)
	}
	row := doc.Find(`[data-testid="provider-row"][data-name="openid-connect"]`)
	if row.Length() != 1 {
		t.Fatalf("no row for the development identity provider; rows: %q", textIn(doc, `[data-testid="settings-providers"]`))
	}
	if got := textIn(row, "strong"); got != "Company SSO (development)" {
		t.Errorf("provider display name %q", got)
	}
	if got := textIn(row, `[data-testid="provider-callback"]`); got != srv.URL+"/auth/openid-connect/callback" {
		t.Errorf("callback URL %q, want %q", got, srv.URL+"/auth/openid-connect/callback")
	}
	if got := textIn(row, `[data-testid="provider-issuer"]`); got != srv.URL+"/dev-idp" {
		t.Errorf("issuer %q", got)
	}
	for testid, want := range map[string]string{
		"settings-allowed-domains": "Any domain",
		"settings-session-idle":    "2 hours",
		"settings-session-max":     "12 hours",
		"settings-base-url":        srv.URL,
	} {
		if got := textIn(doc, `[data-testid="`+testid+`"]`); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", testid, got, want)
		}
	}
	// The settings are read-only; the only forms besides sign-out are the
	// SCIM tokens' (made and revoked here, app/web/admin_scim.go).
	if doc.Find("form").FilterFunction(func(_ int, f *goquery.Selection) bool {
		return f.AttrOr("action", "") != "/logout" && f.Closest(`[data-testid="settings-scim"]`).Length() == 0
	}).Length() != 0 {
		t.Error("the read-only page has a form besides sign-out and the SCIM tokens'")
	}
}

func TestSignInSettingsShowTheEnvironmentTheAppWasStartedWith(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{
		"LOGIN_MODE":           "local",
		"SSO_ALLOWED_DOMAINS":  "example.com, @acme.test",
		"SESSION_IDLE_TIMEOUT": "90m",
		"SESSION_MAX_AGE":      "168h",
	}})
	b := srv.Browser(t)
	b.Login(admin, apptest.DemoPassword)
	doc := b.Get(paths.AdminSettings).Doc(t)
	for testid, want := range map[string]string{
		"settings-login-mode":      "Local accounts only",
		"settings-dev-idp":         "Off: the login mode is local.",
		"no-providers":             "None: the login mode is local",
		"settings-allowed-domains": "example.com, acme.test",
		"settings-session-idle":    "1 hour 30 minutes",
		"settings-session-max":     "7 days",
	} {
		if got := textIn(doc, `[data-testid="`+testid+`"]`); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", testid, got, want)
		}
	}
	if n := doc.Find(`[data-testid="provider-row"]`).Length(); n != 0 {
		t.Errorf("%d providers shown in the local login mode", n)
	}
	if badge := doc.Find(`[data-testid="dev-idp-badge"]`); !badge.HasClass("badge-off") {
		t.Errorf("development identity provider badge %q", badge.Text())
	}
}

func TestSignInSettingsAreRefusedWithAReasonToEveryoneButAdministrators(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	for _, who := range []string{employee, liam} {
		b := srv.Browser(t)
		b.Login(who, apptest.DemoPassword)
		res := b.Get(paths.AdminSettings)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", who, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if doc.Find(`[data-testid="navigation-widget"]`).Length() != 1 {
			t.Errorf("%s: the 403 page is not inside the master layout", who)
		}
		if got := textIn(doc, `[data-testid="error-page"]`); !strings.Contains(got, "Only administrators can do this.") {
			t.Errorf("%s: the 403 page does not say why: %q", who, got)
		}
		if strings.Contains(res.Body, "LOGIN_MODE") {
			t.Errorf("%s: the 403 page shows settings", who)
		}
	}
}

func TestSignInSettingsMenuEntryAppearsOnlyForAdministrators(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	entry := func(doc *goquery.Document) *goquery.Selection {
		return doc.Find(`nav.mainmenu a[href="` + paths.AdminSettings + `"]`)
	}
	for _, who := range []string{employee, liam, admin} {
		b := srv.Browser(t)
		b.Login(who, apptest.DemoPassword)
		doc := b.Follow(paths.Home).Doc(t)
		if got, want := entry(doc).Length(), map[bool]int{true: 1, false: 0}[who == admin]; got != want {
			t.Errorf("%s: %d Sign-in settings entries, want %d", who, got, want)
		}
		if who == admin {
			if got := strings.TrimSpace(entry(doc).Text()); got != "Settings" {
				t.Errorf("entry reads %q", got)
			}
		}
	}
}
