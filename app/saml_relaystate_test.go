package app_test

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// TestSAMLDeepLinkReturnsToItsPageThroughRelayState follows a deep link
// (a page with a query) through a whole SAML round trip, with the
// development identity provider's SAML side and with SimpleSAMLphp (where
// it is installed): what travels to the identity provider and back as
// RelayState is an opaque id, not the path; the path waits in the app's
// sso_saml_requests row the id names; the identity provider hands the same
// id back in its response form, and the person lands on the page, the row
// spent.
func TestSAMLDeepLinkReturnsToItsPageThroughRelayState(t *testing.T) {
	t.Parallel()
	const deepLink = "/profile?from=relay-state&tab=sessions"

	t.Run("development provider", func(t *testing.T) {
		t.Parallel()
		srv := apptest.New(t, apptest.Options{Env: map[string]string{"DEV_IDP_SAML": "on"}})
		c, relay := relayStateClient()
		picker := get(t, c, srv.URL+"/auth/saml?next="+url.QueryEscape(deepLink))
		checkRelayStateRow(t, srv, *relay, deepLink)
		posted := submit(t, c, picker, picker.doc.Find(`[data-testid="devidp-new"]`).First(),
			url.Values{"name": {"Casey Relay"}, "email": {"casey.relay@example.com"}})
		finishThroughACS(t, c, srv, posted, *relay, deepLink)
	})

	t.Run("SimpleSAMLphp", func(t *testing.T) {
		t.Parallel()
		idp := startSimpleSAMLphp(t, requireSimpleSAMLphp(t))
		srv := appWithSimpleSAMLphp(t, idp)
		c, relay := relayStateClient()
		login := get(t, c, srv.URL+"/auth/saml?next="+url.QueryEscape(deepLink))
		checkRelayStateRow(t, srv, *relay, deepLink)
		form := login.doc.Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`input[name="password"]`).Length() > 0
		})
		if form.Length() == 0 {
			t.Fatalf("no login form at %s\n%s", login.url, login.body)
		}
		posted := submit(t, c, login, form, url.Values{"username": {"ann"}, "password": {"ann-password"}})
		finishThroughACS(t, c, srv, posted, *relay, deepLink)
	})
}

// relayStateClient is a browser-like client (cookie jar, following
// redirects) that records the RelayState of the redirect carrying the
// AuthnRequest to the identity provider.
func relayStateClient() (*http.Client, *string) {
	jar, _ := cookiejar.New(nil)
	relay := new(string)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if q := req.URL.Query(); q.Get("SAMLRequest") != "" {
			*relay = q.Get("RelayState")
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}}, relay
}

var opaqueRelayState = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// checkRelayStateRow checks that relay is opaque and names the row that
// holds the deep link.
func checkRelayStateRow(t *testing.T, srv *apptest.Server, relay, deepLink string) {
	t.Helper()
	if !opaqueRelayState.MatchString(relay) || strings.Contains(relay, "profile") {
		t.Fatalf("RelayState sent to the IdP is %q, want an opaque 43-character id", relay)
	}
	var paths []string
	if err := srv.DB.Raw(`SELECT return_path FROM sso_saml_requests WHERE id = ?`, relay).Scan(&paths).Error; err != nil {
		t.Fatalf("read sso_saml_requests: %v", err)
	}
	if len(paths) != 1 || paths[0] != deepLink {
		t.Fatalf("the RelayState's row holds %q, want the deep link %q", paths, deepLink)
	}
}

// finishThroughACS posts the identity provider's SAMLResponse form on
// posted, checks it carries relay back unchanged, and that the browser
// lands on the deep link with the row spent.
func finishThroughACS(t *testing.T, c *http.Client, srv *apptest.Server, posted page, relay, deepLink string) {
	t.Helper()
	acsForm := posted.doc.Find(`form`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`input[name="SAMLResponse"]`).Length() > 0
	})
	if acsForm.Length() == 0 {
		t.Fatalf("no SAMLResponse form at %s\n%s", posted.url, posted.body)
	}
	if got := acsForm.Find(`input[name="RelayState"]`).AttrOr("value", ""); got != relay {
		t.Fatalf("the IdP's form carries RelayState %q, want the one sent, %q", got, relay)
	}
	landed := submit(t, c, posted, acsForm, nil)
	if landed.url != srv.URL+deepLink {
		t.Fatalf("landed on %s, want the deep link %s\n%s", landed.url, srv.URL+deepLink, landed.body)
	}
	var n int64
	srv.DB.Raw(`SELECT COUNT(*) FROM sso_saml_requests WHERE id = ?`, relay).Scan(&n)
	if n != 0 {
		t.Errorf("the RelayState's row is still there after the sign-in")
	}
}
