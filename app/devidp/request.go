package devidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits on free-form authorization parameters, so a sealed request stays a
// reasonable size for a hidden form field.
const (
	maxStateBytes = 2048
	maxNonceBytes = 512
	maxScopeBytes = 1024
)

// supportedScopes are the scopes the provider understands; others are
// ignored, as RFC 6749 section 3.3 allows.
var supportedScopes = []string{"openid", "email", "profile"}

// authorizeRequest is a checked authorization request. It travels through
// the picker sealed (see requestSealer), so the picker's POST cannot change
// any of it.
type authorizeRequest struct {
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	CodeChallenge       string   `json:"code_challenge"`
	CodeChallengeMethod string   `json:"code_challenge_method"`
	Scopes              []string `json:"scopes"`
	// Expires bounds how long the picker may sit open, in Unix seconds.
	Expires int64 `json:"exp"`
}

// authorizeError is an error to send back to the client's redirect URI
// (RFC 6749 section 4.1.2.1).
type authorizeError struct {
	Code        string
	Description string
}

func (e *authorizeError) Error() string { return e.Code + ": " + e.Description }

// pageError is an authorization error that must not be redirected: the
// client or redirect URI cannot be trusted, so the browser is shown a page.
type pageError struct {
	Heading, Message string
}

func (e *pageError) Error() string { return e.Heading + ": " + e.Message }

// parseAuthorizeRequest checks an authorization request's query. It returns
// a *pageError while the redirect URI is not yet trusted, and afterwards the
// request so far together with an *authorizeError to redirect back with.
func (p *Provider) parseAuthorizeRequest(q url.Values) (authorizeRequest, error) {
	var req authorizeRequest

	clientID, ok := single(q, "client_id")
	if !ok || clientID == "" {
		return req, &pageError{"Unknown application", "The sign-in request does not say which application is asking (client_id is missing or repeated)."}
	}
	client, ok := p.clients[clientID]
	if !ok {
		return req, &pageError{"Unknown application", fmt.Sprintf("No application with client_id %q is registered with this identity provider.", clientID)}
	}
	redirectURI, ok := single(q, "redirect_uri")
	if !ok || redirectURI == "" {
		return req, &pageError{"Missing redirect URI", "The sign-in request does not say where to send the result (redirect_uri is missing or repeated)."}
	}
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		return req, &pageError{"Unregistered redirect URI", fmt.Sprintf("%q is not a redirect URI registered for %q, so the result will not be sent there.", redirectURI, clientID)}
	}
	req.ClientID, req.RedirectURI = clientID, redirectURI

	// From here on errors go back to the client, with its state.
	state, ok := single(q, "state")
	if ok {
		req.State = state
	}
	for _, name := range []string{"response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "prompt", "response_mode"} {
		if len(q[name]) > 1 {
			return req, &authorizeError{"invalid_request", name + " is repeated"}
		}
	}
	if len(req.State) > maxStateBytes {
		req.State = ""
		return req, &authorizeError{"invalid_request", "state is too long"}
	}
	if q.Has("request") {
		return req, &authorizeError{"request_not_supported", "request objects are not supported"}
	}
	if q.Has("request_uri") {
		return req, &authorizeError{"request_uri_not_supported", "request_uri is not supported"}
	}
	if rt := q.Get("response_type"); rt != "code" {
		return req, &authorizeError{"unsupported_response_type", "only response_type=code is supported"}
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		return req, &authorizeError{"invalid_request", "only response_mode=query is supported"}
	}

	scope := q.Get("scope")
	if len(scope) > maxScopeBytes {
		return req, &authorizeError{"invalid_scope", "scope is too long"}
	}
	requested := strings.Fields(scope)
	if !slices.Contains(requested, "openid") {
		return req, &authorizeError{"invalid_scope", "the openid scope is required"}
	}
	for _, s := range supportedScopes {
		if slices.Contains(requested, s) {
			req.Scopes = append(req.Scopes, s)
		}
	}

	req.Nonce = q.Get("nonce")
	if len(req.Nonce) > maxNonceBytes {
		return req, &authorizeError{"invalid_request", "nonce is too long"}
	}

	// PKCE is mandatory, and only with S256: "plain" would hand the verifier
	// to anyone who can read the authorization request.
	req.CodeChallenge = q.Get("code_challenge")
	req.CodeChallengeMethod = q.Get("code_challenge_method")
	switch {
	case req.CodeChallenge == "":
		return req, &authorizeError{"invalid_request", "code_challenge is required (PKCE with S256)"}
	case req.CodeChallengeMethod != "S256":
		return req, &authorizeError{"invalid_request", "code_challenge_method must be S256"}
	case !validChallenge(req.CodeChallenge):
		return req, &authorizeError{"invalid_request", "code_challenge must be a base64url SHA-256 hash (43 characters)"}
	}

	// Every request shows the picker, so prompt=login, consent and
	// select_account are satisfied as they are. prompt=none cannot be: there
	// is no provider session to sign in silently with.
	prompts := strings.Fields(q.Get("prompt"))
	if slices.Contains(prompts, "none") {
		if len(prompts) > 1 {
			return req, &authorizeError{"invalid_request", "prompt=none cannot be combined with other values"}
		}
		return req, &authorizeError{"login_required", "the development provider always asks who you are"}
	}
	return req, nil
}

// single returns the only value of a parameter; ok is false when it is
// repeated. An absent parameter is the empty string with ok true.
func single(q url.Values, name string) (string, bool) {
	switch v := q[name]; len(v) {
	case 0:
		return "", true
	case 1:
		return v[0], true
	default:
		return "", false
	}
}

// validChallenge reports whether s looks like BASE64URL(SHA256(verifier)).
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// requestSealer seals authorization requests into the picker's hidden field
// with an HMAC key made at start. A sealed request cannot be altered, and
// stops working after pickerTTL or a restart.
type requestSealer struct {
	key []byte
	now func() time.Time
}

var errBadSeal = errors.New("sealed request is malformed, tampered with or expired")

// sealPrefix separates this MAC's purpose from any other use of the key.
const sealPrefix = "devidp.authorize.v1."

func (s *requestSealer) seal(req authorizeRequest) (string, error) {
	req.Expires = s.now().Add(pickerTTL).Unix()
	b, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("devidp: encode authorization request: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload)), nil
}

func (s *requestSealer) open(sealed string) (authorizeRequest, error) {
	var req authorizeRequest
	payload, sig, ok := strings.Cut(sealed, ".")
	if !ok {
		return req, errBadSeal
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return req, errBadSeal
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return req, errBadSeal
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return req, fmt.Errorf("%w: %w", errBadSeal, err)
	}
	if s.now().Unix() >= req.Expires {
		return req, errBadSeal
	}
	return req, nil
}

func (s *requestSealer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(sealPrefix))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
