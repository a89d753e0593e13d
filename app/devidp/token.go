package devidp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// tokenResponse is a successful token response (RFC 6749 section 5.1, OpenID
// Connect Core section 3.1.3.3).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope,omitempty"`
}

// userClaims are the claims about the person, released by scope: email and
// email_verified for "email"; name, picture, groups and the directory
// attributes for "profile" (real providers differ: Okta wants a "groups"
// scope, Keycloak a client scope with a group mapper).
type userClaims struct {
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Picture       string   `json:"picture,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	Department    string   `json:"department,omitempty"`
	JobTitle      string   `json:"job_title,omitempty"`
	ManagerEmail  string   `json:"manager_email,omitempty"`
}

// idTokenClaims are the claims of an ID token (OpenID Connect Core section 2).
type idTokenClaims struct {
	Issuer          string `json:"iss"`
	Subject         string `json:"sub"`
	Audience        string `json:"aud"`
	Expiry          int64  `json:"exp"`
	IssuedAt        int64  `json:"iat"`
	AuthTime        int64  `json:"auth_time"`
	Nonce           string `json:"nonce,omitempty"`
	AccessTokenHash string `json:"at_hash,omitempty"`
	// SessionID is the provider session this sign-in belongs to ("sid",
	// Back-Channel Logout 1.0 section 2.1); its logout token names it.
	SessionID string `json:"sid,omitempty"`
	userClaims
	// ClaimNames and ClaimSources are Entra ID's group overage pointer
	// (OpenID Connect Core section 5.6.2, distributed claims).
	ClaimNames   map[string]string            `json:"_claim_names,omitempty"`
	ClaimSources map[string]map[string]string `json:"_claim_sources,omitempty"`
}

// claimsFor releases the person's claims that scopes allow.
func claimsFor(id Identity, scopes []string) userClaims {
	var c userClaims
	if slices.Contains(scopes, "email") {
		// The developer vouches for every address (that is the point),
		// unless they asked otherwise.
		c.Email = id.Email
		switch id.Verification {
		case EmailVerified, EmailUnverified:
			verified := id.Verification == EmailVerified
			c.EmailVerified = &verified
		}
	}
	if slices.Contains(scopes, "profile") {
		c.Name, c.Picture = id.Name, id.AvatarURL
		c.Department, c.JobTitle, c.ManagerEmail = id.Department, id.JobTitle, id.ManagerEmail
		if !id.GroupsOverage {
			c.Groups = id.Groups
		}
	}
	return c
}

// overage returns the distributed-claim pointer that replaces the groups
// of an identity with GroupsOverage in its ID token, shaped as Entra ID's:
// the groups are to be fetched from Microsoft Graph, which the development
// provider does not serve, so the endpoint answers 404 here too.
func (p *Provider) overage(id Identity, scopes []string) (map[string]string, map[string]map[string]string) {
	if !id.GroupsOverage || !slices.Contains(scopes, "profile") {
		return nil, nil
	}
	return map[string]string{"groups": "src1"},
		map[string]map[string]string{"src1": {"endpoint": p.issuer + "/users/" + id.Subject + "/getMemberObjects"}}
}

// serveToken is the token endpoint: it exchanges an authorization code, once,
// for an access token and a signed ID token.
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the request body is not a readable form")
		return
	}
	form := r.PostForm // Token parameters travel in the body only (RFC 6749 section 3.2).
	for name, values := range form {
		if len(values) > 1 {
			p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", name+" is repeated")
			return
		}
	}

	client, ok, usedBasic := p.authenticateClient(w, r, form)
	if !ok {
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "authorization_code":
	case "":
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
		return
	default:
		p.writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := form.Get("code")
	if code == "" {
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code is missing")
		return
	}
	verifier := form.Get("code_verifier")
	if verifier == "" {
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code_verifier is missing (PKCE is required)")
		return
	}

	// The code is spent from here on, whatever the outcome.
	g, err := p.store.redeem(code)
	if err != nil {
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	}
	switch {
	case g.ClientID != client.ID:
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the code was issued to another client")
		return
	case form.Get("redirect_uri") != g.RedirectURI:
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	case !verifyPKCE(verifier, g.CodeChallenge):
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}

	now := p.now()
	accessToken, err := p.store.newAccessToken(code, storedToken{
		clientID: client.ID,
		scopes:   g.Scopes,
		identity: g.Identity,
		expires:  now.Add(accessTokenTTL),
	})
	switch {
	case errors.Is(err, errCodeReused):
		p.writeOAuthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
		return
	case err != nil:
		p.writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", err.Error())
		return
	}
	claimNames, claimSources := p.overage(g.Identity, g.Scopes)
	idToken, err := p.key.sign(idTokenClaims{
		Issuer:          p.issuer,
		Subject:         g.Identity.Subject,
		Audience:        client.ID,
		Expiry:          now.Add(idTokenTTL).Unix(),
		IssuedAt:        now.Unix(),
		AuthTime:        g.AuthTime.Unix(),
		Nonce:           g.Nonce,
		AccessTokenHash: accessTokenHash(accessToken),
		// The provider keeps no session of its own (the picker asks every
		// time), so each sign-in is a provider session of its own.
		SessionID:    rand.Text(),
		userClaims:   claimsFor(g.Identity, g.Scopes),
		ClaimNames:   claimNames,
		ClaimSources: claimSources,
	})
	if err != nil {
		p.log.Error("cannot sign ID token", "error", err)
		p.writeOAuthError(w, http.StatusInternalServerError, "server_error", "the ID token could not be signed")
		return
	}
	p.log.Info("tokens issued", "client_id", client.ID, "sub", g.Identity.Subject, "client_auth", authMethod(usedBasic))
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: accessToken,
		TokenType:   "Bearer",
		ExpiresIn:   int64(accessTokenTTL / time.Second),
		IDToken:     idToken,
		Scope:       strings.Join(g.Scopes, " "),
	})
}

// authenticateClient checks the client's credentials, sent either with HTTP
// Basic authentication (client_secret_basic) or in the form
// (client_secret_post), never both. On failure it has written the response.
func (p *Provider) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values) (Client, bool, bool) {
	id, secret, usedBasic := r.BasicAuth()
	if usedBasic {
		if form.Has("client_secret") {
			p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "use one client authentication method, not two")
			return Client{}, false, usedBasic
		}
		// RFC 6749 section 2.3.1 form-encodes both parts before Basic encoding.
		var errID, errSecret error
		id, errID = url.QueryUnescape(id)
		secret, errSecret = url.QueryUnescape(secret)
		if err := errors.Join(errID, errSecret); err != nil {
			p.refuseClient(w, "malformed Basic credentials")
			return Client{}, false, usedBasic
		}
		if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
			p.writeOAuthError(w, http.StatusBadRequest, "invalid_request", "client_id in the body differs from the authenticated client")
			return Client{}, false, usedBasic
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
		if id == "" || secret == "" {
			p.refuseClient(w, "client authentication is required")
			return Client{}, false, usedBasic
		}
	}
	c, known := p.clients[id]
	if !known || !secretsEqual(secret, c.Secret) {
		p.refuseClient(w, "unknown client or wrong secret")
		return Client{}, false, usedBasic
	}
	return c, true, usedBasic
}

// refuseClient answers failed client authentication with 401 and a Basic
// challenge (RFC 6749 section 5.2).
func (p *Provider) refuseClient(w http.ResponseWriter, description string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="devidp", charset="UTF-8"`)
	p.writeOAuthError(w, http.StatusUnauthorized, "invalid_client", description)
}

// secretsEqual compares in constant time; hashing first hides the length.
func secretsEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// verifyPKCE checks a code verifier against an S256 challenge (RFC 7636
// section 4.6). The verifier must have the RFC's length and alphabet.
func verifyPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range verifier {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	computed := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) == 1
}

// accessTokenHash is the at_hash claim: the left half of the SHA-256 of the
// access token, base64url-encoded (OpenID Connect Core section 3.1.3.6), so
// a relying party can check the token came with this ID token.
func accessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func authMethod(basic bool) string {
	if basic {
		return "client_secret_basic"
	}
	return "client_secret_post"
}
