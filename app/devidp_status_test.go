package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// TestDevIdPStatusTellsLinkedNewClashDeactivatedAndOtherIssuerFromIdentitiesAndUsers
// checks the function the picker asks, on both databases: an identity of
// this provider and issuer signs in as its account (or is refused when the
// account is deactivated), one with another issuer is refused, and without
// an identity the e-mail address decides: a new person, an existing account
// (never linked silently), or a deactivated one.
func TestDevIdPStatusTellsLinkedNewClashDeactivatedAndOtherIssuerFromIdentitiesAndUsers(t *testing.T) {
	t.Parallel()
	const issuer = "http://localhost:8302/dev-idp"
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		person := func(email, name string, active bool, password string) models.User {
			t.Helper()
			e := models.NewLocalEmployee(email, name)
			e.User.PasswordHash = password
			if err := models.CreateEmployee(db, e); err != nil {
				t.Fatal(err)
			}
			if !active {
				if err := db.Model(&e.User).Update("active", false).Error; err != nil {
					t.Fatal(err)
				}
			}
			return e.User
		}
		link := func(u models.User, provider, subject, iss string) {
			t.Helper()
			now := time.Now().UTC()
			if err := db.Create(&sso.Identity{Provider: provider, Subject: subject, Issuer: iss, UserID: u.ID, Email: u.Email,
				CreatedAt: now, LastLoginAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		liam := person("liam@example.com", "Liam Chen", true, "")
		link(liam, "openid-connect", "dev-liam", issuer)
		gone := person("gone@example.com", "Gone Away", false, "")
		link(gone, "openid-connect", "dev-gone", issuer)
		moved := person("moved@example.com", "Moved Port", true, "")
		link(moved, "openid-connect", "dev-moved", "http://localhost:8080/dev-idp")
		real := person("real@example.com", "Real Issuer", true, "")
		link(real, "openid-connect", "dev-real", "https://login.example.com")
		legacy := person("legacy@example.com", "Legacy Identity", true, "")
		link(legacy, "openid-connect", "dev-legacy", "")
		person("emily@example.com", "Emily Carter", true, "$argon2id$dummy")
		person("sso-only@example.com", "Sso Only", true, "")
		person("left@example.com", "Left Company", false, "$argon2id$dummy")
		// Liam's SAML identity is another provider's: the OpenID Connect
		// side does not see it, the SAML side does.
		link(liam, "saml", "dev-liam-saml", "http://localhost:8302/dev-idp/saml/metadata")

		status := app.DevIdPStatus(db, slog.New(slog.DiscardHandler), "openid-connect", issuer)
		for _, tc := range []struct {
			subject, email string
			want           devidp.Status
		}{
			{"dev-liam", "liam@example.com", devidp.Status{Kind: devidp.StatusLinked, Name: "Liam Chen"}},
			// The identity decides, not the e-mail the provider sends now.
			{"dev-liam", "renamed@example.com", devidp.Status{Kind: devidp.StatusLinked, Name: "Liam Chen"}},
			{"dev-legacy", "legacy@example.com", devidp.Status{Kind: devidp.StatusLinked, Name: "Legacy Identity"}},
			{"dev-gone", "gone@example.com", devidp.Status{Kind: devidp.StatusDeactivated, Name: "Gone Away"}},
			{"dev-moved", "moved@example.com", devidp.Status{Kind: devidp.StatusOtherIssuer, Issuer: "http://localhost:8080/dev-idp", Relinks: true}},
			{"dev-real", "real@example.com", devidp.Status{Kind: devidp.StatusOtherIssuer, Issuer: "https://login.example.com"}},
			{"dev-jordan", "jordan@example.com", devidp.Status{Kind: devidp.StatusNew}},
			{"dev-emily", "Emily@Example.com", devidp.Status{Kind: devidp.StatusClash, HasPassword: true}},
			{"dev-sso-only", "sso-only@example.com", devidp.Status{Kind: devidp.StatusClash}},
			{"dev-left", "left@example.com", devidp.Status{Kind: devidp.StatusDeactivated, Name: "Left Company"}},
			{"dev-liam-saml", "liam@example.com", devidp.Status{Kind: devidp.StatusClash}},
		} {
			if got := status(ctx, tc.subject, tc.email); got != tc.want {
				t.Errorf("status of (%s, %s) = %+v, want %+v", tc.subject, tc.email, got, tc.want)
			}
		}
		saml := app.DevIdPStatus(db, slog.New(slog.DiscardHandler), "saml", "http://localhost:8302/dev-idp/saml/metadata")
		if got := saml(ctx, "dev-liam-saml", "liam@example.com"); got != (devidp.Status{Kind: devidp.StatusLinked, Name: "Liam Chen"}) {
			t.Errorf("SAML status of Liam = %+v, want linked as Liam Chen", got)
		}
		// A SAML identity kept after the port moved is not re-linked at
		// start (seed.FollowDevIssuer follows the OpenID Connect side).
		moving := app.DevIdPStatus(db, slog.New(slog.DiscardHandler), "saml", "http://localhost:9000/dev-idp/saml/metadata")
		if got := moving(ctx, "dev-liam-saml", "liam@example.com"); got.Kind != devidp.StatusOtherIssuer || got.Relinks {
			t.Errorf("SAML status of Liam after a port change = %+v, want another issuer that a restart does not re-link", got)
		}
	})
}

// pickerStatuses opens the development provider's picker through the app's
// sign-in button at start (a path under /auth) and returns each identity's
// status, by e-mail: its data-status and its words.
func pickerStatuses(t *testing.T, srv *apptest.Server, start string) map[string][2]string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	picker := get(t, c, srv.URL+start)
	if !strings.Contains(picker.url, "/dev-idp/") {
		t.Fatalf("%s led to %s, want the development provider's picker", start, picker.url)
	}
	out := map[string][2]string{}
	picker.doc.Find(`[data-testid="devidp-identities"] button`).Each(func(_ int, b *goquery.Selection) {
		email := strings.TrimSpace(b.Find(".devidp-identity-email").Text())
		st := b.Find(`[data-testid="devidp-status"]`)
		out[email] = [2]string{st.AttrOr("data-status", ""), strings.Join(strings.Fields(st.Text()), " ")}
	})
	return out
}

// TestDevIdPPickerSaysWhatEachSeededIdentityWillDo opens the picker of the
// app as `go run .` seeds it: Liam is linked and signs in as himself, Jordan
// is new, Emily (employee@example.com) clashes with her local account;
// after Priya is deactivated she shows so, and after her identity names the
// provider at another port, the picker says that a restart re-links it. The
// SAML side tells the same for its own identities.
func TestDevIdPPickerSaysWhatEachSeededIdentityWillDo(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"DEV_IDP_SAML": "on"}})
	check := func(got map[string][2]string, email, kind, words string) {
		t.Helper()
		if got[email][0] != kind || !strings.Contains(got[email][1], words) {
			t.Errorf("picker shows %s as %q %q, want %q with %q", email, got[email][0], got[email][1], kind, words)
		}
	}
	got := pickerStatuses(t, srv, "/auth/openid-connect")
	check(got, "liam.chen@example.com", "linked", "Linked Signs in as Liam Chen.")
	check(got, "jordan.rivera@example.com", "new", "New Not in the app yet: the first sign-in creates this person.")
	check(got, "employee@example.com", "clash", "Clashes with a local account An account with this e-mail exists but is not linked, so the sign-in is refused")
	check(got, "employee@example.com", "clash", "Sign in with its password and connect SSO from the profile, or ask an administrator.")

	if err := srv.DB.Model(&models.User{}).Where("email = ?", "priya.patel@example.com").Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	check(pickerStatuses(t, srv, "/auth/openid-connect"), "priya.patel@example.com", "deactivated",
		"Deactivated Priya Patel's account is deactivated: the sign-in is refused until an administrator reactivates it.")

	if err := srv.DB.Model(&models.User{}).Where("email = ?", "priya.patel@example.com").Update("active", true).Error; err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.Model(&sso.Identity{}).Where("provider = ? AND email = ?", "openid-connect", "priya.patel@example.com").
		Update("issuer", "http://localhost:8080/dev-idp").Error; err != nil {
		t.Fatal(err)
	}
	check(pickerStatuses(t, srv, "/auth/openid-connect"), "priya.patel@example.com", "other-issuer",
		"Linked with another issuer Linked through http://localhost:8080/dev-idp, so the sign-in is refused. Only this provider's address moved (another PORT or BASE_URL): restart with go run ., which re-links the demo identities when it starts, or delete data/ to start afresh.")

	saml := pickerStatuses(t, srv, "/auth/saml")
	check(saml, "liam.chen@example.com", "linked", "Signs in as Liam Chen.")
	check(saml, "jordan.rivera@example.com", "new", "the first sign-in creates this person")
	check(saml, "employee@example.com", "clash", "Clashes with a local account")
}
