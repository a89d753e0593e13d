package apptest

import (
	"net/http"
	"net/url"
	"strings"
)

// ForgedRequest is one way a forged cross-site request arrives at an unsafe
// route: the form it carries and the headers a browser adds.
type ForgedRequest struct {
	Name   string
	Form   url.Values
	Header http.Header
}

// CSRFForm is a form of the fields in base (a route's own, such as an
// expense's version; nil for none) and the CSRF token tok (none when empty).
func CSRFForm(tok string, base url.Values) url.Values {
	f := url.Values{}
	for k, v := range base {
		f[k] = append([]string(nil), v...)
	}
	if tok != "" {
		f.Set("_csrf", tok)
	}
	return f
}

// ForgedRequests are the forgeries every unsafe route must refuse, for a
// person whose page token is token, with attackerToken a valid token of
// another session, and base the fields the route's form carries anyway
// (see CSRFForm). The route inventories of the template (app/web) and of
// the demo (app/expenses/pages) send each to every POST route, so that a
// new route is checked against the same list.
func ForgedRequests(token, attackerToken string, base url.Values) []ForgedRequest {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	form := func(tok string) url.Values { return CSRFForm(tok, base) }
	return []ForgedRequest{
		{Name: "no token", Form: form("")},
		{Name: "another session's token", Form: form(attackerToken)},
		{Name: "a made-up token", Form: form(strings.Repeat("A", len(token)))},
		{Name: "Sec-Fetch-Site cross-site with a valid token", Form: form(token), Header: hdr("Sec-Fetch-Site", "cross-site")},
		{Name: "Sec-Fetch-Site cross-site and another site's Origin, no token", Form: form(""),
			Header: hdr("Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")},
		{Name: "another site's Origin, no token", Form: form(""), Header: hdr("Origin", "https://evil.example")},
		{Name: "another site's Origin with a valid token", Form: form(token), Header: hdr("Origin", "https://evil.example")},
		{Name: "Sec-Fetch-Site same-site (a sibling subdomain) with a valid token", Form: form(token), Header: hdr("Sec-Fetch-Site", "same-site", "Origin", "http://evil.localhost")},
	}
}
