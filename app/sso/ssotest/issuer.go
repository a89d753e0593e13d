// Package ssotest is an OpenID Connect issuer for tests of single sign-out:
// it publishes a discovery document (with an end_session_endpoint) and its
// JWKS, and signs logout tokens, valid or broken on purpose, with a key the
// test holds. It signs nobody in; the sign-in flow is tested against the
// development identity provider (app/devidp).
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// BackChannelLogoutEvent is the events member of a logout token.
const BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// Issuer is a test OpenID Connect issuer.
type Issuer struct {
	*httptest.Server
	// ClientID is the audience of the tokens it signs by default.
	ClientID string
	key      *rsa.PrivateKey
}

// Option changes what NewIssuer's issuer publishes.
type Option func(map[string]any)

// WithoutEndSession leaves end_session_endpoint out of the discovery
// document, as Google's has none.
func WithoutEndSession() Option { return func(d map[string]any) { delete(d, "end_session_endpoint") } }

// NewIssuer starts an issuer for clientID, stopped when the test ends.
func NewIssuer(t testing.TB, clientID string, opts ...Option) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{ClientID: clientID, key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		d := map[string]any{
			"issuer":                                iss.URL,
			"authorization_endpoint":                iss.URL + "/authorize",
			"token_endpoint":                        iss.URL + "/token",
			"jwks_uri":                              iss.URL + "/jwks",
			"end_session_endpoint":                  iss.URL + "/logout",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"backchannel_logout_supported":          true,
			"backchannel_logout_session_supported":  true,
		}
		for _, o := range opts {
			o(d)
		}
		writeJSON(w, d)
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "test", Algorithm: "RS256", Use: "sig"}}})
	})
	iss.Server = httptest.NewServer(mux)
	t.Cleanup(iss.Close)
	return iss
}

// LogoutClaims are the claims of a valid logout token for sub and sid
// (either may be empty), issued now with a fresh jti. Change them to make
// a broken one.
func (i *Issuer) LogoutClaims(sub, sid string) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss":    i.URL,
		"aud":    i.ClientID,
		"iat":    now.Unix(),
		"exp":    now.Add(2 * time.Minute).Unix(),
		"jti":    rand.Text(),
		"events": map[string]any{BackChannelLogoutEvent: map[string]any{}},
	}
	if sub != "" {
		c["sub"] = sub
	}
	if sid != "" {
		c["sid"] = sid
	}
	return c
}

// Sign signs claims with the issuer's key, as a logout+jwt.
func (i *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return sign(t, i.key, claims)
}

// SignWithAnotherKey signs claims with a key the issuer does not publish.
func (i *Issuer) SignWithAnotherKey(t testing.TB, claims map[string]any) string {
	t.Helper()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return sign(t, other, claims)
}

func sign(t testing.TB, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "test"}},
		(&jose.SignerOptions{}).WithType("logout+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
