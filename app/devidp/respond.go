package devidp

import (
	"encoding/json"
	"net/http"
)

// writeJSON writes v as a JSON response that no cache may keep, as RFC 6749
// section 5.1 requires of token responses; the same suits userinfo, and does
// no harm to discovery in a provider whose keys change at every restart.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, status, "application/json", v)
}

// writeJSONAs is writeJSON with another JSON media type.
func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// oauthError is an error response of the token and userinfo endpoints
// (RFC 6749 section 5.2).
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeOAuthError writes an error response and logs it, because a developer
// debugging a failed sign-in has no other way to see why the exchange failed.
func (p *Provider) writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	p.log.Info("request refused", "status", status, "error", code, "description", description)
	writeJSON(w, status, oauthError{Code: code, Description: description})
}
