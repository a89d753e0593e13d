package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// TestSAMLACSIsTheOnlyPostOutsideTheCSRFCheck starts the app with a SAML
// provider (the development one) and posts cross-site, without a token, as
// an identity provider's page does: the assertion consumer service takes the
// post to its own checks (no flow cookie here, so the SSO module's "sign-in
// expired" page), while the sign-in and sign-out forms next to it are still
// refused by the CSRF check. Without a SAML provider the ACS is 404.
func TestSAMLACSIsTheOnlyPostOutsideTheCSRFCheck(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{"DEV_IDP_SAML": "on"}})
	crossSite := func(path string, form url.Values) *apptest.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://idp.example")
		return srv.Browser(t).Do(req)
	}
	res := crossSite("/auth/saml/acs", url.Values{"SAMLResponse": {"PHNhbWxwOlJlc3BvbnNlLz4="}, "RelayState": {strings.Repeat("a", 43)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `data-problem="state"`) {
		t.Errorf("cross-site POST to the ACS: status %d, want the SSO module's 400 \"state\" page\n%s", res.StatusCode, res.Body)
	}
	for _, path := range []string{"/login", "/logout"} {
		if res := crossSite(path, url.Values{"email": {"a@b.c"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusBadRequest {
			t.Errorf("cross-site POST %s without a token: status %d, want the CSRF refusal", path, res.StatusCode)
		}
	}
	if res := srv.Browser(t).Get("/auth/saml/metadata"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "AssertionConsumerService") {
		t.Errorf("GET /auth/saml/metadata: status %d", res.StatusCode)
	}

	// Without SAML (and with a CSRF token, so that the catch-all's CSRF
	// check does not answer first) the routes do not exist.
	off := apptest.New(t, apptest.Options{NoSeed: true})
	b := off.Browser(t)
	for _, res := range []*apptest.Response{
		b.PostForm("/auth/saml/acs", url.Values{"SAMLResponse": {"x"}, "_csrf": {b.CSRF("/login")}}),
		b.Get("/auth/saml/metadata"),
	} {
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s without SAML: status %d, want 404", res.Request.Method, res.Request.URL.Path, res.StatusCode)
		}
	}
}
