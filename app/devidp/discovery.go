package devidp

import "net/http"

// discoveryDocument is the OpenID Provider Metadata (OpenID Connect
// Discovery 1.0 section 3), limited to what the provider really does.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	// The spec's default for request_uri_parameter_supported is true, so
	// say explicitly that request objects are not supported.
	RequestParameterSupported    bool `json:"request_parameter_supported"`
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
	ClaimsParameterSupported     bool `json:"claims_parameter_supported"`
	// RP-Initiated Logout 1.0 and Back-Channel Logout 1.0 (logout.go).
	EndSessionEndpoint                string `json:"end_session_endpoint"`
	BackchannelLogoutSupported        bool   `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported bool   `json:"backchannel_logout_session_supported"`
}

// serveDiscovery serves /.well-known/openid-configuration.
func (p *Provider) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, discoveryDocument{
		Issuer:                            p.issuer,
		AuthorizationEndpoint:             p.endpoints.Authorization,
		TokenEndpoint:                     p.endpoints.Token,
		UserinfoEndpoint:                  p.endpoints.Userinfo,
		JWKSURI:                           p.endpoints.JWKS,
		ScopesSupported:                   supportedScopes,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{string(signingAlg)},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
			"email", "email_verified", "name", "picture", "sid",
		},
		EndSessionEndpoint:                p.endpoints.EndSession,
		BackchannelLogoutSupported:        true,
		BackchannelLogoutSessionSupported: true,
	})
}

// serveJWKS serves the public signing key. Relying parties such as go-oidc
// refetch it when they meet an unknown key id, which is what happens after
// a restart generates a new key.
func (p *Provider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSONAs(w, http.StatusOK, "application/jwk-set+json", p.key.keySet())
}
