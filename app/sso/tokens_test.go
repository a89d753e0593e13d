package sso_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/company-expenses/company-expenses/app/sso"
)

// Ways to forge an ID token, for the tests that check the app refuses them.

// flipSignatureByte changes one byte of the token's signature.
func flipSignatureByte(token string) string {
	parts := strings.Split(token, ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) == 0 {
		return token + "x"
	}
	sig[len(sig)/2] ^= 0x01
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	return strings.Join(parts, ".")
}

// resignWithAnotherKey keeps the claims and the key id, and signs with a key
// the provider never published: what an attacker without the provider's
// key can do.
func resignWithAnotherKey(token string) (string, error) {
	parts := strings.Split(token, ".")
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", err
	}
	var h struct {
		KeyID string `json:"kid"`
	}
	if err := json.Unmarshal(header, &h); err != nil {
		return "", err
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: h.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// claim reads one string claim of a token without verifying it.
func claim(token, name string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	s, _ := claims[name].(string)
	return s
}

// mintIDToken signs a person in at a development identity provider served
// by h, as the application clientID, and returns the genuine ID token it
// issues, with the given nonce. The test uses it to obtain tokens that are
// validly signed but meant for someone else.
func mintIDToken(issuer string, h http.Handler, clientID, secret, redirectURI, nonce, subject string) (string, error) {
	client := sso.InProcessClient(issuer, h)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	verifier := oauth2.GenerateVerifier()
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"test-state"}, "nonce": {nonce},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}
	res, err := client.Get(issuer + "/authorize?" + q.Encode())
	if err != nil {
		return "", err
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		return "", err
	}
	authz := doc.Find(`form[data-testid="devidp-identities"] input[name="authz"]`).AttrOr("value", "")
	if authz == "" {
		return "", fmt.Errorf("no picker at %s (status %d)", issuer, res.StatusCode)
	}
	res, err = client.PostForm(issuer+"/authorize", url.Values{"authz": {authz}, "subject": {subject}})
	if err != nil {
		return "", err
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("no code from %s (status %d, location %q)", issuer, res.StatusCode, res.Header.Get("Location"))
	}
	res, err = client.PostForm(issuer+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI},
		"code_verifier": {verifier}, "client_id": {clientID}, "client_secret": {secret},
	})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var body struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.IDToken == "" {
		return "", errors.Join(fmt.Errorf("no ID token from %s (status %d)", issuer, res.StatusCode), err)
	}
	return body.IDToken, nil
}
