package sso_test

import (
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/devidp"
)

func issuerOf(t *testing.T, db *gorm.DB, subject string) string {
	t.Helper()
	var issuers []string
	if err := db.Raw("SELECT issuer FROM identities WHERE provider = 'openid-connect' AND subject = ?", subject).Scan(&issuers).Error; err != nil {
		t.Fatal(err)
	}
	if len(issuers) != 1 {
		t.Fatalf("%d identities with subject %q, want 1", len(issuers), subject)
	}
	return issuers[0]
}

// wantIssuerChanged checks that res is the refusal of a sign-in from another
// issuer, that nobody is signed in, and that the log names both issuers.
func wantIssuerChanged(t *testing.T, res *response, b *browser, logs *logBuffer, stored, current string) {
	t.Helper()
	doc := wantProblem(t, res, http.StatusConflict, "issuer_changed")
	msg := doc.Find(`[data-testid="sso-problem-message"]`).Text()
	for _, want := range []string{"different identity provider than the one your account was linked with", "administrator"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if who := signedInAs(t, b); who != "" {
		t.Errorf("signed in as %s", who)
	}
	var line string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, "problem=issuer_changed") {
			line = l
		}
	}
	if !strings.Contains(line, `stored_issuer=`+stored) || !strings.Contains(line, `issuer=`+current) {
		t.Errorf("log line %q does not name the stored issuer %s and the sign-in's %s", line, stored, current)
	}
}

func TestSSOIdentitiesRecordTheIssuerOfTheirIDToken(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{})
	devIssuer := srv.URL + "/dev-idp"

	// The seeded demo identities were linked at the development provider.
	var seeded []string
	srv.DB.Raw("SELECT issuer FROM identities ORDER BY id").Scan(&seeded)
	if len(seeded) == 0 {
		t.Fatal("no seeded identities")
	}
	for _, iss := range seeded {
		if iss != devIssuer {
			t.Errorf("seeded identity with issuer %q, want %q", iss, devIssuer)
		}
	}

	// A first sign-in stores the issuer of its ID token.
	const jordan = "jordan.rivera@example.com"
	signIn(t, srv.Browser(t), "/auth/openid-connect", pick{Email: jordan})
	if got := issuerOf(t, srv.DB, devidp.SubjectForEmail(jordan)); got != devIssuer {
		t.Errorf("new identity's issuer %q, want %q", got, devIssuer)
	}

	// So does connecting a provider from the profile.
	b := srv.Browser(t)
	b.Login("employee@example.com", demoPassword)
	start := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-connect"]`, map[string][]string{"password": {demoPassword}})
	tr := continueAtProvider(t, b, start.Location(), pick{Email: "employee@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: status %d\n%s", tr.Callback.StatusCode, tr.Callback.Body)
	}
	if got := issuerOf(t, srv.DB, devidp.SubjectForEmail("employee@example.com")); got != devIssuer {
		t.Errorf("connected identity's issuer %q, want %q", got, devIssuer)
	}
}

// SSO_OIDC_ISSUER changes, the provider keeps its name "openid-connect", and
// the new issuer happens to use a subject the old one used. Subjects are
// unique per issuer only: this is not the same person, and must not be
// signed in as the old one.
func TestSSOSignInFromAnotherIssuerWithAKnownSubjectIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		robin := devidp.Identity{Subject: "acme-42", Name: "Robin Moss", Email: "robin@acme.test"}
		before, old, _ := appWithIdP(t, db, robin)
		signIn(t, before.Browser(t), "/auth/openid-connect", pick{Email: robin.Email})
		if got := issuerOf(t, db, "acme-42"); got != old.issuer {
			t.Fatalf("identity's issuer %q, want %q", got, old.issuer)
		}

		// The same app, now configured with another issuer. Its acme-42 is
		// someone else.
		after, x, logs := appWithIdP(t, db, devidp.Identity{Subject: "acme-42", Name: "Sam Other", Email: "sam@other.test"})
		b := after.Browser(t)
		tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "sam@other.test"}, nil)
		wantIssuerChanged(t, tr.Callback, b, logs, old.issuer, x.issuer)

		if n := count(t, db, "SELECT count(*) FROM users"); n != 1 {
			t.Errorf("%d users, want Robin's only", n)
		}
		var id struct{ Issuer, Email, Name string }
		db.Raw("SELECT issuer, email, name FROM identities WHERE subject = 'acme-42'").Scan(&id)
		if id.Issuer != old.issuer || id.Email != robin.Email || id.Name != robin.Name {
			t.Errorf("identity after the refusal %+v, want Robin's unchanged", id)
		}

		// Robin still signs in through the issuer the account was linked with.
		b2 := before.Browser(t)
		signIn(t, b2, "/auth/openid-connect", pick{Email: robin.Email})
		if who := signedInAs(t, b2); who != robin.Email {
			t.Errorf("Robin signed in as %q", who)
		}
	})
}

// The demo identities are linked at the development provider with subjects
// "dev-…". A real issuer configured later that hands out such a subject
// must not get into the demo account.
func TestSSOSeededDevIdentityIsNotSignedInByARealIssuerWithItsSubject(t *testing.T) {
	t.Parallel()
	db := openSQLite(t)
	dev, _ := startApp(t, db, fakeOptions{})
	liam := devidp.SubjectForEmail("liam.chen@example.com")

	company, x, logs := appWithIdP(t, db, devidp.Identity{Subject: liam, Name: "Mallory", Email: "mallory@acme.test"})
	b := company.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect", pick{Email: "mallory@acme.test"}, nil)
	wantIssuerChanged(t, tr.Callback, b, logs, dev.URL+"/dev-idp", x.issuer)
	if n := count(t, db, "SELECT count(*) FROM users WHERE email = 'mallory@acme.test'"); n != 0 {
		t.Error("an account was created for the other issuer's person")
	}
}

// Identities stored before issuers were recorded have none. They take the
// issuer of their next sign-in, and are bound to it from then on.
func TestSSOIdentityWithoutAnIssuerTakesTheIssuerOfItsNextSignIn(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		old, _ := startApp(t, db, fakeOptions{})
		// The schema as it was: no issuer column. The next start adds it,
		// empty for the rows there are.
		if err := db.Exec("ALTER TABLE identities DROP COLUMN issuer").Error; err != nil {
			t.Fatal(err)
		}
		srv, _ := startApp(t, db, fakeOptions{})
		liam := devidp.SubjectForEmail("liam.chen@example.com")
		if got := issuerOf(t, db, liam); got != "" {
			t.Fatalf("issuer after the migration %q, want empty", got)
		}

		b := srv.Browser(t)
		signIn(t, b, "/auth/openid-connect", pick{Email: "liam.chen@example.com"})
		if who := signedInAs(t, b); who != "liam.chen@example.com" {
			t.Errorf("signed in as %q, want Liam", who)
		}
		if got, want := issuerOf(t, db, liam), srv.URL+"/dev-idp"; got != want {
			t.Errorf("issuer after the sign-in %q, want %q", got, want)
		}

		// From now on another issuer (here the first app's development
		// provider, at another URL) is refused.
		b2 := old.Browser(t)
		tr := ssoRoundTrip(t, b2, "/auth/openid-connect", pick{Email: "liam.chen@example.com"}, nil)
		wantProblem(t, tr.Callback, http.StatusConflict, "issuer_changed")
	})
}
