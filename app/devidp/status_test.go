package devidp

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// statusOf returns the status element of the picker's button for email.
func statusOf(t *testing.T, doc *goquery.Document, email string) *goquery.Selection {
	t.Helper()
	button := doc.Find(identitiesForm + " button.btn").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), email)
	})
	if button.Length() != 1 {
		t.Fatalf("%d picker buttons show %s, want 1", button.Length(), email)
	}
	return button.Find(`[data-testid="devidp-status"]`)
}

func words(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func TestPickerShowsWhatTheAppSaysEachIdentityWillDoInWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status     Status
		kind       views.StatusKind
		badge      string
		sentence   []string
		unverified bool
	}{
		{Status{Kind: StatusLinked, Name: "Erin Q. Employee"}, views.StatusLinked, "Linked", []string{"Signs in as Erin Q. Employee."}, false},
		{Status{Kind: StatusNew}, views.StatusNew, "New", []string{"the first sign-in creates this person"}, false},
		{Status{Kind: StatusNew}, views.StatusNew, "New", []string{"the first sign-in is refused: the address is not verified"}, true},
		{Status{Kind: StatusClash, HasPassword: true}, views.StatusClash, "Clashes with a local account",
			[]string{"is not linked, so the sign-in is refused", "Sign in with its password and connect SSO from the profile, or ask an administrator."}, false},
		{Status{Kind: StatusClash}, views.StatusClash, "Clashes with a local account",
			[]string{"Sign in the way that account does and connect SSO from the profile, or ask an administrator."}, false},
		{Status{Kind: StatusDeactivated, Name: "Erin Q. Employee"}, views.StatusDeactivated, "Deactivated",
			[]string{"Erin Q. Employee's account is deactivated", "until an administrator reactivates it"}, false},
		{Status{Kind: StatusOtherIssuer, Issuer: "http://localhost:8080/dev-idp", Relinks: true}, views.StatusOtherIssuer, "Linked with another issuer",
			[]string{"Linked through http://localhost:8080/dev-idp, so the sign-in is refused.", "restart with go run ., which re-links the demo identities", "or delete data/"}, false},
		{Status{Kind: StatusOtherIssuer, Issuer: "https://login.example.com"}, views.StatusOtherIssuer, "Linked with another issuer",
			[]string{"delete data/ to start afresh; otherwise ask an administrator"}, false},
	} {
		t.Run(string(tc.kind)+"/"+tc.sentence[0], func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			asked := map[string]string{}
			e := newEnv(t, envOptions{status: func(_ context.Context, subject, email string) Status {
				mu.Lock()
				defer mu.Unlock()
				asked[email] = subject
				if email == "employee@example.com" {
					return tc.status
				}
				return Status{}
			}})
			if tc.unverified {
				e.idp.people.configured[0].Verification = EmailUnverified
				e.idp.people.bySubject[e.idp.people.configured[0].Subject] = e.idp.people.configured[0]
			}
			resp, err := e.noFollow.Get(e.authorizeURL(e.validAuthorizeQuery()))
			if err != nil {
				t.Fatal(err)
			}
			doc := parsePage(t, resp, http.StatusOK)
			st := statusOf(t, doc, "employee@example.com")
			if got := st.AttrOr("data-status", ""); got != string(tc.kind) {
				t.Errorf("data-status = %q, want %q", got, tc.kind)
			}
			if got := words(st.Find(".badge")); got != tc.badge {
				t.Errorf("badge says %q, want %q", got, tc.badge)
			}
			for _, s := range tc.sentence {
				if !strings.Contains(words(st), s) {
					t.Errorf("status says %q, want it to contain %q", words(st), s)
				}
			}
			if n := statusOf(t, doc, "manager@example.com").Length(); n != 0 {
				t.Errorf("the identity the app says nothing about shows %d statuses, want none", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if asked["manager@example.com"] != "dev-manager" || asked["employee@example.com"] != SubjectForEmail("employee@example.com") {
				t.Errorf("the status function was asked about %v, want each identity's subject by e-mail", asked)
			}
		})
	}
}

func TestPickerShowsNoStatusWithoutAStatusFunction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	resp, err := e.noFollow.Get(e.authorizeURL(e.validAuthorizeQuery()))
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, resp, http.StatusOK)
	if n := doc.Find(`[data-testid="devidp-status"]`).Length(); n != 0 {
		t.Errorf("%d statuses on a picker whose app gave no status function, want none", n)
	}
}
