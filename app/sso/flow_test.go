package sso_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/devidp"
)

// Seed steps 6 and 9, the module's side: the first SSO sign-in runs the
// app's first-login hook, stores the identity on the account it returns, and
// signs the person in where they were going. (The app's side, an Employee
// with IsLocalUser = false, is app/web's
// TestSSOFirstLoginCreatesEmployeeWithIsLocalUserFalse.)
func TestSSOFirstLoginRunsTheFirstLoginHookAndStoresTheIdentity(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{})
	b := srv.Browser(t)
	const email = "jordan.rivera@example.com"
	if n := count(t, srv.DB, "SELECT count(*) FROM users WHERE email = ?", email); n != 0 {
		t.Fatalf("Jordan exists before signing in")
	}

	if to := signIn(t, b, "/auth/openid-connect?next=/profile", pick{Email: email}); to != "/profile" {
		t.Errorf("after sign-in: redirect to %q, want /profile", to)
	}

	var row struct {
		ID           uint
		Name         string
		PasswordHash string
		Active       int64
	}
	if err := srv.DB.Raw(`SELECT id, name, password_hash, active FROM users WHERE email = ?`, email).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.ID == 0 {
		t.Fatal("the first-login hook created no account")
	}
	if row.Name != "Jordan Rivera" {
		t.Errorf("name %q, want the provider's %q", row.Name, "Jordan Rivera")
	}
	if row.PasswordHash != "" || row.Active != 1 {
		t.Errorf("password_hash %q, active %d: want no password and active", row.PasswordHash, row.Active)
	}
	var id struct{ Provider, Subject, Email string }
	srv.DB.Raw("SELECT provider, subject, email FROM identities WHERE user_id = ?", row.ID).Scan(&id)
	if id.Provider != "openid-connect" || id.Subject != devidp.SubjectForEmail(email) || id.Email != email {
		t.Errorf("identity %+v, want openid-connect with the provider's subject and e-mail", id)
	}
	if who := signedInAs(t, b); who != email {
		t.Errorf("signed in as %q, want %s", who, email)
	}
	if doc := b.Get("/profile").Doc(t); doc.Find(`[data-testid="sso-last-way"]`).Length() != 1 {
		t.Error("the new account's only identity can be disconnected")
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
	srv.DB.Raw(`SELECT u.email, u.name AS full_name, i.email AS identity_email FROM users u
		JOIN identities i ON i.user_id = u.id WHERE u.id = ?`, userID).Scan(&got)
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
	srv := newFakeApp(t, fakeOptions{})
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
	srv := newFakeApp(t, fakeOptions{})
	b := srv.Browser(t)
	b.Login("employee@example.com", demoPassword)

	profile := b.Get("/profile")
	if profile.Doc(t).Find(`[data-testid="sso-connect-openid-connect"]`).Length() == 0 {
		t.Fatalf("no Connect button for the development provider on the profile\n%s", profile.Body)
	}

	wrong := b.SubmitOn(profile, `form[data-testid="sso-connect"]`, url.Values{"password": {"not-my-password"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(wrong.Body, "not your current password") {
		t.Fatalf("wrong password: status %d, want 422 with a message", wrong.StatusCode)
	}

	start := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-connect"]`, url.Values{"password": {demoPassword}})
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
	srv := newFakeApp(t, fakeOptions{})
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
	srv := newFakeApp(t, fakeOptions{})
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
	srv := newFakeApp(t, fakeOptions{AllowedDomains: []string{"example.com"}})
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
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
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
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
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
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example"} {
		b := srv.Browser(t)
		if to := signIn(t, b, "/auth/openid-connect?next="+url.QueryEscape(next), pick{Email: "jordan.rivera@example.com"}); to != "/" {
			t.Errorf("next=%s: redirect to %q, want /", next, to)
		}
	}
}

func TestSSOProviderCancelShowsTheCancelledPage(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
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
	srv := newFakeApp(t, fakeOptions{})

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
	res := jordan.PostForm("/profile/sso/identities/"+itoa(jordanID)+"/disconnect", url.Values{})
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
	liam.Login("liam.chen@example.com", demoPassword)
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
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
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
