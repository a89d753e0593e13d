package devidp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestDiscoveryDocumentDescribesTheProvider(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	resp, err := e.noFollow.Get(e.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"issuer":                                e.issuer,
		"authorization_endpoint":                e.issuer + "/authorize",
		"token_endpoint":                        e.issuer + "/token",
		"userinfo_endpoint":                     e.issuer + "/userinfo",
		"jwks_uri":                              e.issuer + "/jwks",
		"response_types_supported":              []any{"code"},
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"RS256"},
		"scopes_supported":                      []any{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []any{"S256"},
		"grant_types_supported":                 []any{"authorization_code"},
		"request_uri_parameter_supported":       false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(doc[k], v) {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	ep := e.idp.Endpoints()
	if ep.Issuer != doc["issuer"] || ep.Authorization != doc["authorization_endpoint"] || ep.Token != doc["token_endpoint"] ||
		ep.Userinfo != doc["userinfo_endpoint"] || ep.JWKS != doc["jwks_uri"] || ep.Discovery != e.issuer+"/.well-known/openid-configuration" {
		t.Errorf("Endpoints() = %+v disagrees with the discovery document", ep)
	}
	claims, _ := doc["claims_supported"].([]any)
	for _, c := range []string{"sub", "email", "email_verified", "name", "picture", "nonce"} {
		if !containsAny(claims, c) {
			t.Errorf("claims_supported lacks %s", c)
		}
	}
}

func containsAny(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestJWKSPublishesOnlyThePublicSigningKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	resp, err := e.noFollow.Get(e.issuer + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(set.Keys))
	}
	k := set.Keys[0]
	if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["kid"] == "" || k["n"] == nil || k["e"] == nil {
		t.Errorf("key = %v", k)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Errorf("the JWKS leaks the private parameter %q", private)
		}
	}
}

func TestHandlerServesOnlyItsOwnPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/dev-idp/unknown", http.StatusNotFound},
		{http.MethodGet, "/dev-idp/token", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/dev-idp/authorize", http.StatusMethodNotAllowed},
		{http.MethodPost, "/dev-idp/jwks", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tt.method, e.srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := e.noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}

	// Without the prefix the handler matches nothing: it must be mounted
	// without http.StripPrefix.
	rec := httptest.NewRecorder()
	e.idp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/openid-configuration", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("unprefixed discovery: status %d, want 404", rec.Code)
	}
}

func TestNewDerivesTheBasePathFromTheIssuer(t *testing.T) {
	t.Parallel()
	tests := []struct{ issuer, want string }{
		{"http://localhost:8080/dev-idp", "/dev-idp"},
		{"http://localhost:8080/dev-idp/", "/dev-idp"},
		{"https://expenses.example.com/sso/dev", "/sso/dev"},
		{"http://localhost:8080", ""},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			t.Parallel()
			p, err := New(validConfig(func(c *Config) { c.Issuer = tt.issuer }))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if p.BasePath() != tt.want || p.Issuer() != tt.issuer {
				t.Errorf("BasePath() = %q, Issuer() = %q; want %q and the issuer unchanged", p.BasePath(), p.Issuer(), tt.want)
			}
		})
	}
}

func validConfig(change func(*Config)) Config {
	c := Config{
		Issuer:     "http://localhost:8080/dev-idp",
		Clients:    []Client{{ID: "app", Secret: "secret", RedirectURIs: []string{"http://localhost:8080/auth/openid-connect/callback"}}},
		Identities: demoIdentities,
	}
	if change != nil {
		change(&c)
	}
	return c
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string
	}{
		{"empty issuer", func(c *Config) { c.Issuer = "" }, "scheme"},
		{"issuer with a query", func(c *Config) { c.Issuer = "http://localhost:8080/dev-idp?x=1" }, "query"},
		{"issuer path with a pattern wildcard", func(c *Config) { c.Issuer = "http://localhost:8080/{idp}" }, "path"},
		{"no clients", func(c *Config) { c.Clients = nil }, "no clients"},
		{"duplicate client", func(c *Config) { c.Clients = append(c.Clients, c.Clients[0]) }, "twice"},
		{"client without a secret", func(c *Config) { c.Clients[0].Secret = "" }, "secret"},
		{"client without redirect URIs", func(c *Config) { c.Clients[0].RedirectURIs = nil }, "redirect"},
		{"relative redirect URI", func(c *Config) { c.Clients[0].RedirectURIs = []string{"/callback"} }, "absolute"},
		{"redirect URI with a fragment", func(c *Config) { c.Clients[0].RedirectURIs = []string{"http://localhost/cb#x"} }, "fragment"},
		{"identity with a bad e-mail", func(c *Config) { c.Identities = []Identity{{Name: "X", Email: "nope"}} }, "e-mail"},
		{"identity without a name", func(c *Config) { c.Identities = []Identity{{Email: "x@example.com"}} }, "name"},
		{"two identities with one e-mail", func(c *Config) {
			c.Identities = []Identity{{Name: "A", Email: "a@example.com"}, {Name: "B", Email: "A@example.com"}}
		}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := validConfig(nil)
			cfg.Clients = append([]Client(nil), cfg.Clients...)
			tt.change(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New: %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestSubjectForEmailIsStableAndCaseInsensitive(t *testing.T) {
	t.Parallel()
	a := SubjectForEmail("Ann@Example.com")
	if a != SubjectForEmail(" ann@example.com ") {
		t.Error("subject depends on case or spaces")
	}
	if a == SubjectForEmail("bob@example.com") {
		t.Error("two people share a subject")
	}
	// A fixed value: the subject must not change between releases, or
	// seeded links between demo accounts and identities break.
	const want = "dev-86c3c48a4f4e91e9" // printf employee@example.com | sha256sum
	if SubjectForEmail("employee@example.com") != want {
		t.Errorf("SubjectForEmail(employee@example.com) = %s, want %s", SubjectForEmail("employee@example.com"), want)
	}
}
