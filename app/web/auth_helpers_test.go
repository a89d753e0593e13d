package web_test

import (
	"net/http"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// trustProxy makes the app take the client's address from X-Forwarded-For,
// so that browserFrom can sign in from several addresses.
var trustProxy = map[string]string{"TRUST_PROXY": "true"}

// browserFrom returns a browser whose requests come from ip, as a trusted
// reverse proxy reports it. The server must run with trustProxy.
func browserFrom(t *testing.T, srv *apptest.Server, ip string) *apptest.Browser {
	t.Helper()
	b := srv.Browser(t)
	b.Transport = forwardedFor(ip)
	return b
}

type forwardedFor string

func (ip forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(ip))
	return http.DefaultTransport.RoundTrip(r)
}
