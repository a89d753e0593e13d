package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// The development identity provider's token and userinfo endpoints are
// called server to server, with no cookie and no CSRF token; its picker is a
// browser form and keeps the app's CSRF protection.
func TestDevIdPServerToServerEndpointsSkipCSRFAndThePickerDoesNot(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)

	token := b.PostForm("/dev-idp/token", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}})
	if !strings.HasPrefix(token.Header.Get("Content-Type"), "application/json") || !strings.Contains(token.Body, `"error"`) {
		t.Errorf("POST /dev-idp/token without a CSRF token: %d %s, want the provider's own OAuth error", token.StatusCode, token.Body)
	}
	userinfo := b.Get("/dev-idp/userinfo")
	if userinfo.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /dev-idp/userinfo = %d, want the provider's 401", userinfo.StatusCode)
	}

	pick := b.PostForm("/dev-idp/authorize", url.Values{"subject": {"dev-x"}})
	if pick.StatusCode != http.StatusBadRequest && pick.StatusCode != http.StatusForbidden {
		t.Fatalf("picker POST without a CSRF token: %d, want it refused", pick.StatusCode)
	}
	if pick.Doc(t).Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Error("picker POST without a CSRF token was not refused by the app's CSRF protection")
	}
}

func TestSignInPageAndProfileNameTheProviderByItsDisplayName(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	if got := strings.TrimSpace(b.Get("/login").Doc(t).Find(`[data-testid="sso-buttons"] a`).Text()); got != "Sign in with Company SSO (development)" {
		t.Errorf("button %q", got)
	}
	b.Login("liam.chen@example.com", apptest.DemoPassword)
	doc := b.Get("/profile").Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="account-kind"]`).Text()); got != "Local account" {
		t.Errorf("password sign-in of a local account shows %q, want Local account", got)
	}
	linked := doc.Find(`[data-testid="sso-linked-provider"] strong`).Text()
	if linked != "Company SSO (development)" {
		t.Errorf("connected provider shown as %q", linked)
	}
}

// In SSO-only mode with one provider the sign-in page normally sends
// visitors straight to it; while it cannot be reached, the page shows why
// instead of redirecting into an error.
func TestSSOOnlySignInShowsTheUnreachableProviderInsteadOfRedirectingToIt(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	issuer := dead.URL
	dead.Close() // nothing listens there any more
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{
		"LOGIN_MODE": "sso", "SSO_OIDC_ISSUER": issuer, "SSO_OIDC_CLIENT_ID": "app", "SSO_OIDC_CLIENT_SECRET": "s",
	}})
	res := srv.Browser(t).Get("/login")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /login with the only provider down: status %d (Location %q), want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
	if !strings.Contains(res.Body, "unreachable") {
		t.Error("the sign-in page does not say the provider is unreachable")
	}
}
