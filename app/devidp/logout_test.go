package devidp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	jose "github.com/go-jose/go-jose/v4"
)

// logoutEnv is a provider whose client registered a post-logout redirect
// and a back-channel logout URI, served by a test server that records the
// logout tokens it receives.
type logoutEnv struct {
	idp    *Provider
	srv    *httptest.Server
	mu     sync.Mutex
	tokens []string
}

func newLogoutEnv(t *testing.T) *logoutEnv {
	t.Helper()
	e := &logoutEnv{}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.tokens = append(e.tokens, r.PostFormValue("logout_token"))
		e.mu.Unlock()
	}))
	t.Cleanup(app.Close)
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	idp, err := New(Config{
		Issuer: e.srv.URL + "/idp",
		Clients: []Client{{ID: testClientID, Secret: testClientSecret, RedirectURIs: []string{"http://app.example/callback"},
			PostLogoutRedirectURIs: []string{"http://app.example/signed-out"}, BackChannelLogoutURI: app.URL + "/backchannel"}},
		Identities: demoIdentities,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", idp.Handler())
	e.idp = idp
	return e
}

// hint is an ID token of the provider for the client, long expired.
func (e *logoutEnv) hint(t *testing.T, aud string) string {
	t.Helper()
	tok, err := e.idp.key.sign(idTokenClaims{Issuer: e.idp.issuer, Subject: "dev-manager", Audience: aud,
		Expiry: time.Now().Add(-time.Hour).Unix(), IssuedAt: time.Now().Add(-2 * time.Hour).Unix(), SessionID: "the-sid", Nonce: "n"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *logoutEnv) endSession(t *testing.T, q url.Values) (*http.Response, *goquery.Document) {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/idp/end-session?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, doc
}

func (e *logoutEnv) received() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.tokens...)
}

func TestEndSessionSendsASignedLogoutTokenAndLinksBackToTheRegisteredRedirectWithTheState(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	res, doc := e.endSession(t, url.Values{"id_token_hint": {e.hint(t, testClientID)}, "client_id": {testClientID},
		"post_logout_redirect_uri": {"http://app.example/signed-out"}, "state": {"s1"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Find("h1").Text(), "signed out of the development provider") {
		t.Fatalf("end-session: %d %q", res.StatusCode, doc.Find("h1").Text())
	}
	if got := doc.Find(`[data-testid="devidp-return"]`).AttrOr("href", ""); got != "http://app.example/signed-out?state=s1" {
		t.Errorf("return link %q, want the registered redirect with the state", got)
	}
	tokens := e.received()
	if len(tokens) != 1 {
		t.Fatalf("%d logout tokens reached the app, want 1", len(tokens))
	}
	jws, err := jose.ParseSignedCompact(tokens[0], []jose.SignatureAlgorithm{signingAlg})
	if err != nil {
		t.Fatal(err)
	}
	if typ, _ := jws.Signatures[0].Header.ExtraHeaders["typ"].(string); typ != "logout+jwt" {
		t.Errorf("typ %q, want logout+jwt", typ)
	}
	payload, err := jws.Verify(e.idp.key.public.Key)
	if err != nil {
		t.Fatalf("the logout token does not verify with the published key: %v", err)
	}
	var c map[string]any
	_ = json.Unmarshal(payload, &c)
	events, _ := c["events"].(map[string]any)
	if c["iss"] != e.idp.issuer || c["aud"] != testClientID || c["sub"] != "dev-manager" || c["sid"] != "the-sid" ||
		c["jti"] == nil || c["iat"] == nil || events[backChannelLogoutEvent] == nil || c["nonce"] != nil {
		t.Errorf("logout token claims %v", c)
	}
}

func TestEndSessionRefusesAnUnregisteredRedirectAForeignHintAndAnotherClientsHint(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	for name, q := range map[string]url.Values{
		"unregistered redirect": {"id_token_hint": {e.hint(t, testClientID)}, "post_logout_redirect_uri": {"https://evil.example/"}},
		"no hint, no client":    {"post_logout_redirect_uri": {"http://app.example/signed-out"}},
		"forged hint":           {"id_token_hint": {"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}},
		"client_id mismatch":    {"id_token_hint": {e.hint(t, testClientID)}, "client_id": {"other-app"}},
	} {
		res, doc := e.endSession(t, q)
		if res.StatusCode != http.StatusBadRequest || doc.Find(`[data-testid="devidp-error"]`).Length() != 1 {
			t.Errorf("%s: %d, want 400 with the error page", name, res.StatusCode)
		}
	}
	if n := len(e.received()); n != 0 {
		t.Errorf("refused sign-outs sent %d logout tokens", n)
	}
	// A hint from before a restart still signs out with client_id, but
	// tells nobody: the provider cannot know whose session it was.
	res, doc := e.endSession(t, url.Values{"id_token_hint": {"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}, "client_id": {testClientID},
		"post_logout_redirect_uri": {"http://app.example/signed-out"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Find(`[data-testid="devidp-backchannel"]`).Text(), "No back-channel logout") {
		t.Errorf("stale hint with client_id: %d %q", res.StatusCode, doc.Find(`[data-testid="devidp-backchannel"]`).Text())
	}
	if n := len(e.received()); n != 0 {
		t.Errorf("a stale hint sent %d logout tokens", n)
	}
}

func TestDiscoveryAdvertisesEndSessionAndBackChannelLogout(t *testing.T) {
	t.Parallel()
	e := newLogoutEnv(t)
	res, err := http.Get(e.srv.URL + "/idp/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var d map[string]any
	_ = json.Unmarshal(body, &d)
	if d["end_session_endpoint"] != e.srv.URL+"/idp/end-session" || d["backchannel_logout_supported"] != true || d["backchannel_logout_session_supported"] != true {
		t.Errorf("discovery %s lacks end_session_endpoint or back-channel logout support", body)
	}
}
