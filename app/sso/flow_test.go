package sso_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/devidp"
)

// Seed steps 7 and 9: the first SSO sign-in creates an Employee with the
// provider's full name and IsLocalUser = false, stored as false.
func TestSSOFirstLoginCreatesEmployeeWithIsLocalUserFalse(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	const email = "jordan.rivera@example.com"
	if n := count(t, srv.DB, "SELECT count(*) FROM users WHERE email = ?", email); n != 0 {
		t.Fatalf("Jordan exists before signing in")
	}

	if to := signIn(t, b, "/auth/openid-connect?next=/profile", pick{Email: email}); to != "/profile" {
		t.Errorf("after sign-in: redirect to %q, want /profile", to)
	}

	var row struct {
		UserID       uint
		FullName     string
		IsLocalUser  int64 // read raw: 0 is false as stored
		PasswordHash string
		Active       int64
	}
	if err := srv.DB.Raw(`SELECT e.user_id, e.full_name, e.is_local_user, u.password_hash, u.active
		FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, email).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.UserID == 0 {
		t.Fatal("no employee was created")
	}
	if row.IsLocalUser != 0 {
		t.Errorf("is_local_user stored as %d, want 0 (false)", row.IsLocalUser)
	}
	if row.FullName != "Jordan Rivera" {
		t.Errorf("full_name %q, want the provider's %q", row.FullName, "Jordan Rivera")
	}
	if row.PasswordHash != "" || row.Active != 1 {
		t.Errorf("password_hash %q, active %d: want no password and active", row.PasswordHash, row.Active)
	}
	var roles []string
	srv.DB.Raw("SELECT role FROM user_roles WHERE user_id = ?", row.UserID).Scan(&roles)
	if len(roles) != 1 || roles[0] != "employee" {
		t.Errorf("roles %v, want [employee]", roles)
	}
	var id struct{ Provider, Subject string }
	srv.DB.Raw("SELECT provider, subject FROM identities WHERE user_id = ?", row.UserID).Scan(&id)
	if id.Provider != "openid-connect" || id.Subject != devidp.SubjectForEmail(email) {
		t.Errorf("identity %+v, want openid-connect with the provider's subject", id)
	}

	profile := b.Get("/profile")
	if profile.StatusCode != http.StatusOK {
		t.Fatalf("GET /profile: status %d after SSO sign-in", profile.StatusCode)
	}
	doc := profile.Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="account-kind"]`).Text()); got != "SSO · "+devSSO {
		t.Errorf("navigation widget says %q, want %q", got, "SSO · "+devSSO)
	}
	if doc.Find(`[data-testid="change-password"]`).Length() != 0 {
		t.Error("an SSO account is offered to change a password it does not have")
	}
	// The password form refuses SSO accounts and says how they sign in.
	b2 := srv.Browser(t)
	res := b2.Submit("/login", `form[action="/login"]`, url.Values{"email": {email}, "password": {"anything-at-all"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "single sign-on") {
		t.Errorf("password sign-in of an SSO account: status %d, want 401 with a message about single sign-on", res.StatusCode)
	}
}

func TestSSOReturningSignInMatchesOnSubjectAndRefreshesProfile(t *testing.T) {
	t.Parallel()
	robin := devidp.Identity{Subject: "acme-42", Name: "Robin Moss", Email: "robin@acme.test"}
	srv, x := appWithExternalIdP(t, robin)

	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: robin.Email})
	var userID uint
	srv.DB.Raw("SELECT user_id FROM identities WHERE provider = 'openid-connect' AND subject = 'acme-42'").Scan(&userID)
	if userID == 0 {
		t.Fatal("no identity after the first sign-in")
	}

	// At the provider Robin gets a new name and address (and the provider a
	// new signing key). Same subject: same person here.
	x.use(t, srv.URL, devidp.Identity{Subject: "acme-42", Name: "Robin Moss-Hart", Email: "robin.hart@acme.test"})
	b := srv.Browser(t)
	signIn(t, b, "/auth/openid-connect", pick{Email: "robin.hart@acme.test"})

	if n := count(t, srv.DB, "SELECT count(*) FROM users"); n != 1 {
		t.Errorf("%d users, want 1: a returning sign-in is matched on subject, not e-mail", n)
	}
	var got struct{ Email, FullName, IdentityEmail string }
	srv.DB.Raw(`SELECT u.email, e.full_name, i.email AS identity_email FROM users u
		JOIN employees e ON e.user_id = u.id JOIN identities i ON i.user_id = u.id WHERE u.id = ?`, userID).Scan(&got)
	want := struct{ Email, FullName, IdentityEmail string }{"robin.hart@acme.test", "Robin Moss-Hart", "robin.hart@acme.test"}
	if got != want {
		t.Errorf("after the returning sign-in: %+v, want %+v", got, want)
	}
	if who := signedInAs(t, b); who != "robin.hart@acme.test" {
		t.Errorf("signed in as %q", who)
	}
}

// A first SSO sign-in whose e-mail belongs to a local account is never
// linked silently: that would hand the account to whoever controls the
// address at the provider.
func TestSSOFirstLoginWithTheEmailOfALocalAccountIsNotLinked(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)

	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "employee@example.com"}, nil)
	doc := wantProblem(t, tr.Callback, http.StatusConflict, "email_in_use")
	msg := doc.Find(`[data-testid="sso-problem-message"]`).Text()
	for _, want := range []string{"password", "profile"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %q", msg, want)
		}
	}
	if n := count(t, srv.DB, `SELECT count(*) FROM identities i JOIN users u ON u.id = i.user_id WHERE u.email = 'employee@example.com'`); n != 0 {
		t.Error("the identity was linked to the local account")
	}
	if who := signedInAs(t, b); who != "" {
		t.Errorf("signed in as %s", who)
	}
}

func TestSSOConnectFromProfileRequiresThePasswordAndLinksTheIdentity(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)

	profile := b.Get("/profile")
	if profile.Doc(t).Find(`[data-testid="sso-connect-openid-connect"]`).Length() == 0 {
		t.Fatalf("no Connect button for the development provider on the profile\n%s", profile.Body)
	}
	if csp := profile.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+srv.URL) {
		t.Errorf("profile CSP %q does not let the Connect form reach the provider", csp)
	}

	wrong := b.SubmitOn(profile, `form[data-testid="sso-connect"]`, url.Values{"password": {"not-my-password"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(wrong.Body, "not your current password") {
		t.Fatalf("wrong password: status %d, want 422 with a message", wrong.StatusCode)
	}

	start := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-connect"]`, url.Values{"password": {apptest.DemoPassword}})
	if start.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password: status %d, want 303 to the provider", start.StatusCode)
	}
	tr := continueAtProvider(t, b, start.Location(), pick{Email: "employee@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther || tr.Callback.Location() != "/profile" {
		t.Fatalf("callback: %d to %q, want 303 to /profile\n%s", tr.Callback.StatusCode, tr.Callback.Location(), tr.Callback.Body)
	}
	after := b.Get("/profile").Doc(t)
	if after.Find(`[data-testid="sso-linked-provider"][data-provider="openid-connect"]`).Length() != 1 {
		t.Error("the profile does not list the connected provider")
	}

	// From now on Emily can sign in with SSO, as herself.
	var emily uint
	srv.DB.Raw("SELECT id FROM users WHERE email = 'employee@example.com'").Scan(&emily)
	if n := count(t, srv.DB, "SELECT count(*) FROM identities WHERE user_id = ? AND provider = 'openid-connect'", emily); n != 1 {
		t.Fatalf("%d identities for Emily, want 1", n)
	}
	b2 := srv.Browser(t)
	signIn(t, b2, "/auth/openid-connect", pick{Email: "employee@example.com"})
	if who := signedInAs(t, b2); who != "employee@example.com" {
		t.Errorf("SSO signed in as %q, want Emily's local account", who)
	}
}

func TestSSODeactivatedPersonIsRefused(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	if err := srv.DB.Exec("UPDATE users SET active = false WHERE email = 'liam.chen@example.com'").Error; err != nil {
		t.Fatal(err)
	}
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "liam.chen@example.com"}, nil)
	doc := wantProblem(t, tr.Callback, http.StatusForbidden, "deactivated")
	if doc.Find(`[data-testid="sso-try-again"]`).Length() != 0 {
		t.Error("a deactivated person is offered to try again")
	}
	if who := signedInAs(t, b); who != "" {
		t.Errorf("signed in as %s", who)
	}
}

func TestSSOSeededDemoIdentitiesSignInAsTheirEmployees(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	before := count(t, srv.DB, "SELECT count(*) FROM users")
	b := srv.Browser(t)
	signIn(t, b, "/auth/openid-connect", pick{Email: "priya.patel@example.com"})
	if who := signedInAs(t, b); who != "priya.patel@example.com" {
		t.Errorf("signed in as %q, want the seeded Priya", who)
	}
	if after := count(t, srv.DB, "SELECT count(*) FROM users"); after != before {
		t.Errorf("%d users after, %d before: a linked identity must not create an account", after, before)
	}
}

func TestSSOPersonOutsideTheAllowedDomainsIsRefusedAndNoAccountIsCreated(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"SSO_ALLOWED_DOMAINS": "example.com"}})
	before := count(t, srv.DB, "SELECT count(*) FROM users")

	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Name: "Pat Outsider", Email: "pat@elsewhere.test"}, nil)
	doc := wantProblem(t, tr.Callback, http.StatusForbidden, "no_access")
	if msg := doc.Find(`[data-testid="sso-problem-message"]`).Text(); !strings.Contains(msg, "example.com") || !strings.Contains(msg, "administrator") {
		t.Errorf("message %q should say which domains are allowed and how to get access", msg)
	}
	if after := count(t, srv.DB, "SELECT count(*) FROM users"); after != before {
		t.Errorf("%d users after, %d before", after, before)
	}
	if n := count(t, srv.DB, "SELECT count(*) FROM identities WHERE email = 'pat@elsewhere.test'"); n != 0 {
		t.Error("an identity was stored for a refused person")
	}

	// Someone new inside the domain gets in.
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Name: "Sam Insider", Email: "sam.insider@example.com"})
	if n := count(t, srv.DB, "SELECT count(*) FROM users WHERE email = 'sam.insider@example.com'"); n != 1 {
		t.Error("a newcomer at an allowed domain was not provisioned")
	}
}

func TestSSOMissingEmailClaimShowsAnErrorAndCreatesNothing(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	// The provider releases the e-mail only for the "email" scope.
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "jordan.rivera@example.com"},
		func(q url.Values) { q.Set("scope", "openid profile") })
	wantProblem(t, tr.Callback, http.StatusForbidden, "no_email")
	if n := count(t, srv.DB, "SELECT count(*) FROM users") + count(t, srv.DB, "SELECT count(*) FROM identities"); n != 0 {
		t.Errorf("%d rows created", n)
	}
}

func TestSSODeepLinkOpenedWhileSignedOutReturnsThereAfterTheRoundTrip(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)

	res := b.Get("/profile")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: GET /profile = %d, want 303 to sign in", res.StatusCode)
	}
	login := b.Get(res.Location())
	button := login.Doc(t).Find(`[data-testid="sso-buttons"] a`).AttrOr("href", "")
	if button != "/auth/openid-connect?next=%2Fprofile" {
		t.Fatalf("SSO button goes to %q, want it to keep the deep link", button)
	}
	if to := signIn(t, b, button, pick{Email: "jordan.rivera@example.com"}); to != "/profile" {
		t.Errorf("after the round trip: redirect to %q, want /profile", to)
	}
}

func TestSSOReturnTargetOffSiteIsReplacedByTheDashboard(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example"} {
		b := srv.Browser(t)
		if to := signIn(t, b, "/auth/openid-connect?next="+url.QueryEscape(next), pick{Email: "jordan.rivera@example.com"}); to != "/" {
			t.Errorf("next=%s: redirect to %q, want /", next, to)
		}
	}
}

func TestSSOOnlyModeRedirectsStraightToTheProviderKeepingTheDeepLink(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": "sso"}})
	b := srv.Browser(t)
	res := b.Get("/login?next=%2Fprofile")
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/auth/openid-connect?next=%2Fprofile" {
		t.Fatalf("GET /login = %d to %q, want 303 to the only provider with next", res.StatusCode, res.Location())
	}
}

func TestSignInPageOffersWhatTheLoginModeAllows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode               string
		buttons, passwords int
	}{
		{"local", 0, 1},
		{"both", 1, 1},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": tc.mode}})
			b := srv.Browser(t)
			doc := b.Get("/login").Doc(t)
			if n := doc.Find(`[data-testid="sso-buttons"] a`).Length(); n != tc.buttons {
				t.Errorf("%d SSO buttons, want %d", n, tc.buttons)
			}
			if n := doc.Find(`form[action="/login"]`).Length(); n != tc.passwords {
				t.Errorf("%d password forms, want %d", n, tc.passwords)
			}
			if tc.buttons == 0 {
				if res := b.Get("/auth/openid-connect"); res.StatusCode != http.StatusNotFound {
					t.Errorf("local mode: GET /auth/openid-connect = %d, want 404", res.StatusCode)
				}
			}
		})
	}
}

// Signing out must not send the person straight back into SSO, where the
// provider would sign them in again at once, even when SSO is the only way
// in.
func TestSSOSignOutDoesNotBounceBackIntoSSO(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"LOGIN_MODE": "sso"}})
	b := srv.Browser(t)
	signIn(t, b, "/auth/openid-connect?next=/profile", pick{Email: "jordan.rivera@example.com"})

	out := b.SubmitOn(b.Get("/profile"), `form[action="/logout"]`, nil)
	if out.StatusCode != http.StatusSeeOther || out.Location() != "/signed-out" {
		t.Fatalf("sign out: %d to %q, want 303 to /signed-out", out.StatusCode, out.Location())
	}
	page := b.Get("/signed-out")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /signed-out = %d (to %q), want 200: it must not redirect", page.StatusCode, page.Location())
	}
	doc := page.Doc(t)
	if doc.Find(`meta[http-equiv="refresh" i]`).Length() != 0 || strings.Contains(page.Body, "/auth/") {
		t.Error("the signed-out page leads straight into SSO")
	}
	if who := signedInAs(t, b); who != "" {
		t.Errorf("still signed in as %s", who)
	}
}

func TestSSOProviderCancelShowsTheCancelledPage(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	res := b.Get("/auth/openid-connect?next=/profile")
	picker := b.Get(res.Location())
	cancel := picker.Doc(t).Find(`[data-testid="devidp-cancel"]`).AttrOr("href", "")
	doc := wantProblem(t, b.Get(cancel), http.StatusUnauthorized, "cancelled")
	if again := doc.Find(`[data-testid="sso-try-again"]`).AttrOr("href", ""); again != "/auth/openid-connect?next=%2Fprofile" {
		t.Errorf("try again goes to %q, want a new sign-in that keeps the deep link", again)
	}
}

func TestSSODisconnectIsRefusedForTheLastWayToSignIn(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})

	// Jordan, provisioned by SSO, has no password: the one identity stays.
	jordan := srv.Browser(t)
	signIn(t, jordan, "/auth/openid-connect", pick{Email: "jordan.rivera@example.com"})
	profile := jordan.Get("/profile")
	doc := profile.Doc(t)
	if doc.Find(`[data-testid="sso-disconnect"]`).Length() != 0 || doc.Find(`[data-testid="sso-last-way"]`).Length() != 1 {
		t.Error("the profile offers to disconnect the only way to sign in")
	}
	var jordanID uint
	srv.DB.Raw("SELECT id FROM identities WHERE email = 'jordan.rivera@example.com'").Scan(&jordanID)
	res := jordan.PostForm("/profile/sso/identities/"+itoa(jordanID)+"/disconnect", url.Values{"_csrf": {jordan.CSRF("/profile")}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disconnect: status %d", res.StatusCode)
	}
	if n := count(t, srv.DB, "SELECT count(*) FROM identities WHERE id = ?", jordanID); n != 1 {
		t.Fatal("the last way to sign in was disconnected")
	}
	if flash := jordan.Get("/profile").Doc(t).Find(".flashes").Text(); !strings.Contains(flash, "only way to sign in") {
		t.Errorf("flash %q does not say why", flash)
	}

	// Liam has a password as well: he may disconnect.
	liam := srv.Browser(t)
	liam.Login("liam.chen@example.com", apptest.DemoPassword)
	done := liam.SubmitOn(liam.Get("/profile"), `[data-testid="sso-linked-provider"] form`, nil)
	if done.StatusCode != http.StatusSeeOther {
		t.Fatalf("disconnect: status %d", done.StatusCode)
	}
	if n := count(t, srv.DB, "SELECT count(*) FROM identities i JOIN users u ON u.id = i.user_id WHERE u.email = 'liam.chen@example.com'"); n != 0 {
		t.Error("Liam's identity is still connected")
	}
}

func TestSSOFlowCookieIsSeparateShortLivedLaxAndHttpOnly(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	res := srv.Browser(t).Get("/auth/openid-connect")
	var found bool
	for _, c := range res.Cookies() {
		if !strings.HasPrefix(c.Name, "sso_") {
			continue
		}
		found = true
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/auth" || c.MaxAge <= 0 || c.MaxAge > 600 {
			t.Errorf("flow cookie %+v: want HttpOnly, SameSite=Lax, Path=/auth, MaxAge ≤ 10 minutes", c)
		}
	}
	if !found {
		t.Fatal("no flow cookie set")
	}
	u, _ := url.Parse(res.Location())
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("nonce")) < 32 || len(q.Get("state")) < 32 {
		t.Errorf("authorization request %v lacks PKCE (S256), a nonce or a strong state", q)
	}
}
