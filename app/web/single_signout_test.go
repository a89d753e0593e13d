package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/sso/ssotest"
	"github.com/company-expenses/company-expenses/models"
)

// Single sign-out with the development identity provider, end to end:
// signing out of an SSO session goes on to the provider's
// end_session_endpoint with the ID token as hint; the provider shows its
// signed-out page, posts a logout token to the app's back-channel URL,
// which ends the app's sessions of that sign-in, and links back to the
// app's signed-out page.
func TestSSOSignOutEndsTheProviderSessionWhichSignsTheOtherSessionsOfThatSignInOutByBackChannel(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	if cb := ssoNewPerson(t, b, "/auth/openid-connect", "Jordan Rivera", "jordan.rivera@example.com", false); cb.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: status %d\n%s", cb.StatusCode, cb.Body)
	}
	var row models.Session
	if err := srv.DB.Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.ProviderSID == "" || row.ProviderSubject == "" || row.ProviderIssuer != srv.URL+"/dev-idp" || row.IDToken == "" {
		t.Fatalf("the SSO session keeps issuer %q, subject %q, sid %q, ID token %d bytes; want all of them",
			row.ProviderIssuer, row.ProviderSubject, row.ProviderSID, len(row.IDToken))
	}
	for _, c := range b.Jar.Cookies(mustURL(t, srv.URL)) {
		if strings.Contains(c.Value, row.IDToken[:20]) {
			t.Fatalf("cookie %s carries the ID token", c.Name)
		}
	}
	// A second browser signed in through the same provider session: the
	// back-channel logout names its sid too, so it must end as well.
	other := srv.Browser(t)
	otherToken, err := auth.NewSessions(srv.DB, time.Hour, time.Hour).CreateFederated(context.Background(), row.UserID, row.AuthMethod, "", "",
		auth.Federation{Issuer: row.ProviderIssuer, Subject: row.ProviderSubject, SessionID: row.ProviderSID})
	if err != nil {
		t.Fatal(err)
	}
	other.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "session", Value: otherToken, Path: "/"}})
	if res := other.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Fatalf("second browser: GET /profile = %d", res.StatusCode)
	}

	out := b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	if out.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d, want 303", out.StatusCode)
	}
	end, err := url.Parse(out.Location())
	if err != nil || end.Path != "/dev-idp/end-session" {
		t.Fatalf("sign out goes to %q, want the provider's end_session_endpoint", out.Location())
	}
	q := end.Query()
	if q.Get("id_token_hint") != row.IDToken || q.Get("post_logout_redirect_uri") != srv.URL+"/signed-out" || q.Get("client_id") == "" || q.Get("state") == "" {
		t.Errorf("end-session query %v lacks the ID token, the signed-out page, client_id or state", q)
	}
	if n := ssoCount(t, srv, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", row.TokenHash); n != 0 {
		t.Error("the app's own session is still there when the browser leaves for the provider")
	}

	page := b.Get(out.Location())
	if page.StatusCode != http.StatusOK {
		t.Fatalf("provider's end-session page: %d\n%s", page.StatusCode, page.Body)
	}
	doc := page.Doc(t)
	if !strings.Contains(doc.Find("h1").Text(), "signed out of the development provider") {
		t.Errorf("provider page heading %q", doc.Find("h1").Text())
	}
	if got := doc.Find(`[data-testid="devidp-backchannel"]`).Text(); !strings.Contains(got, "was told through back-channel logout") {
		t.Errorf("provider page says %q about back-channel logout", got)
	}
	back := doc.Find(`a[data-testid="devidp-return"]`).AttrOr("href", "")
	if !strings.HasPrefix(back, srv.URL+"/signed-out?state=") {
		t.Errorf("return link %q, want the app's signed-out page with the state", back)
	}
	if res := other.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the other browser of the same provider session: GET /profile = %d, want 303 to sign in (ended by back-channel logout)", res.StatusCode)
	}
	if res := b.Get(back); res.StatusCode != http.StatusOK {
		t.Errorf("signed-out page: %d", res.StatusCode)
	}
}

func TestSSOSignOutStaysInTheAppWhenSingleSignOutIsOff(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"SSO_OIDC_END_SESSION": "off"}})
	b := srv.Browser(t)
	ssoNewPerson(t, b, "/auth/openid-connect", "Jordan Rivera", "jordan.rivera@example.com", false)
	if n := ssoCount(t, srv, "SELECT COUNT(*) FROM sessions WHERE id_token <> ''"); n != 0 {
		t.Error("the ID token is stored although nothing will use it")
	}
	out := b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	if out.StatusCode != http.StatusSeeOther || out.Location() != "/signed-out" {
		t.Errorf("sign out: %d to %q, want 303 to /signed-out", out.StatusCode, out.Location())
	}
}

// The done-when: a back-channel logout token from the provider
// ends the session on a second instance, on one PostgreSQL database.
func TestBackChannelLogoutOnOneInstanceEndsTheSessionOnAnotherOnPostgreSQL(t *testing.T) {
	t.Parallel()
	twoInstances(t, dbtest.EmptyPostgres(t))
}

// The same on one SQLite file, which two processes may share too.
func TestBackChannelLogoutOnOneInstanceEndsTheSessionOnAnotherOnSQLite(t *testing.T) {
	t.Parallel()
	twoInstances(t, dbtest.EmptySQLite(t))
}

func twoInstances(t *testing.T, db *gorm.DB) {
	t.Helper()
	iss := ssotest.NewIssuer(t, "company-expenses")
	env := map[string]string{"SSO_OIDC_ISSUER": iss.URL, "SSO_OIDC_CLIENT_ID": iss.ClientID, "SSO_OIDC_CLIENT_SECRET": "secret"}
	log := slog.New(slog.DiscardHandler)
	a := apptest.NewWithDB(t, db, log, apptest.Options{Env: env})
	b := apptest.NewWithDB(t, db, log, apptest.Options{Env: env})

	var emily models.User
	if err := db.Where("email = ?", "employee@example.com").Take(&emily).Error; err != nil {
		t.Fatal(err)
	}
	// Emily signed in on instance a twice through the provider (two
	// provider sessions), and once with her password.
	store := auth.NewSessions(db, time.Hour, time.Hour)
	browserWith := func(fed auth.Federation, method string) *apptest.Browser {
		token, err := store.CreateFederated(context.Background(), emily.ID, method, "", "", fed)
		if err != nil {
			t.Fatal(err)
		}
		br := a.Browser(t)
		br.Jar.SetCookies(mustURL(t, a.URL), []*http.Cookie{{Name: "session", Value: token, Path: "/"}})
		if res := br.Get("/profile"); res.StatusCode != http.StatusOK {
			t.Fatalf("instance a: GET /profile = %d before the logout", res.StatusCode)
		}
		return br
	}
	ended := browserWith(auth.Federation{Issuer: iss.URL, Subject: "emily-sub", SessionID: "sid-1"}, "sso:openid-connect")
	otherSID := browserWith(auth.Federation{Issuer: iss.URL, Subject: "emily-sub", SessionID: "sid-2"}, "sso:openid-connect")
	password := browserWith(auth.Federation{}, "password")

	post := func(claims map[string]any) int {
		res, err := http.PostForm(b.URL+"/auth/openid-connect/backchannel-logout", url.Values{"logout_token": {iss.Sign(t, claims)}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post(iss.LogoutClaims("emily-sub", "sid-1")); code != http.StatusOK {
		t.Fatalf("instance b: back-channel logout by sid answered %d, want 200", code)
	}
	if res := ended.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("instance a, the session of sid-1: GET /profile = %d, want 303 to sign in", res.StatusCode)
	}
	if res := otherSID.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("instance a, the session of sid-2: GET /profile = %d, want 200 (another provider session)", res.StatusCode)
	}
	// By subject only: every session of the identity ends, never the
	// password session, which the provider did not start.
	if code := post(iss.LogoutClaims("emily-sub", "")); code != http.StatusOK {
		t.Fatalf("instance b: back-channel logout by sub answered %d, want 200", code)
	}
	if res := otherSID.Get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("instance a, the session of sid-2 after a logout by sub: GET /profile = %d, want 303", res.StatusCode)
	}
	if res := password.Get("/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("instance a, the password session: GET /profile = %d, want 200", res.StatusCode)
	}
	// Each logout that ended sessions is in the audit log, by the provider.
	var n int64
	if err := db.Table("audit_events").Where("kind = ? AND subject_id = ? AND actor = ?", "sso.backchannel_logout", emily.ID, "provider:openid-connect").
		Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d back-channel logouts of Emily in the audit log, want 2", n)
	}
}

func TestSettingsPageListsTheBackChannelLogoutURIAndThePostLogoutRedirectToRegister(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("admin@example.com", "expenses-demo")
	doc := b.Get("/admin/settings").Doc(t)
	row := doc.Find(`[data-testid="provider-row"][data-name="openid-connect"]`)
	if got := row.Find(`[data-testid="provider-backchannel-logout"]`).Text(); got != srv.URL+"/auth/openid-connect/backchannel-logout" {
		t.Errorf("back-channel logout URI on the settings page: %q", got)
	}
	if got := row.Find(`[data-testid="provider-post-logout"]`).Text(); got != srv.URL+"/signed-out" {
		t.Errorf("post-logout redirect URI on the settings page: %q", got)
	}
}
