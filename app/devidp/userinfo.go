package devidp

import (
	"net/http"
	"strings"
)

// userinfoResponse is the UserInfo response (OpenID Connect Core section
// 5.3.2): the subject and the claims the token's scopes release.
type userinfoResponse struct {
	Subject string `json:"sub"`
	userClaims
}

// serveUserinfo is the UserInfo endpoint. It takes the access token from the
// Authorization header, or for POST from an access_token form field
// (RFC 6750 sections 2.1 and 2.2), never from the query.
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := p.bearerToken(w, r)
	if !ok {
		return
	}
	t, live := p.store.accessToken(token)
	if !live {
		p.refuseBearer(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown or expired")
		return
	}
	writeJSON(w, http.StatusOK, userinfoResponse{Subject: t.identity.Subject, userClaims: claimsFor(t.identity, t.scopes)})
}

// bearerToken extracts the access token. On failure it has written the
// response.
func (p *Provider) bearerToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	var token string
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, value, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
			p.refuseBearer(w, http.StatusBadRequest, "invalid_request", "the Authorization header must be a Bearer token")
			return "", false
		}
		token = strings.TrimSpace(value)
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			p.refuseBearer(w, http.StatusBadRequest, "invalid_request", "the request body is not a readable form")
			return "", false
		}
		if r.PostForm.Has("access_token") {
			if token != "" || len(r.PostForm["access_token"]) > 1 {
				p.refuseBearer(w, http.StatusBadRequest, "invalid_request", "send the access token once")
				return "", false
			}
			token = r.PostForm.Get("access_token")
		}
	}
	if token == "" {
		// RFC 6750 section 3.1: no error code when no credentials were sent.
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+p.issuer+`"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Code: "invalid_token", Description: "an access token is required"})
		return "", false
	}
	return token, true
}

// refuseBearer answers with an RFC 6750 challenge.
func (p *Provider) refuseBearer(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+p.issuer+`", error="`+code+`", error_description="`+description+`"`)
	p.writeOAuthError(w, status, code, description)
}
