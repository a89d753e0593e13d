package devidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestTokenExchangeRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// exchange redeems code as the test case wants; conf is the
		// expenses client's configuration.
		exchange   func(t *testing.T, e *testEnv, clock *fakeClock, conf *oauth2.Config, l login, code string) error
		wantStatus int
		wantError  string
	}{
		{
			name: "wrong PKCE verifier",
			exchange: func(t *testing.T, _ *testEnv, _ *fakeClock, conf *oauth2.Config, _ login, code string) error {
				_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "missing PKCE verifier",
			exchange: func(t *testing.T, _ *testEnv, _ *fakeClock, conf *oauth2.Config, _ login, code string) error {
				_, err := conf.Exchange(t.Context(), code)
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name: "code used twice",
			exchange: func(t *testing.T, e *testEnv, _ *fakeClock, conf *oauth2.Config, l login, code string) error {
				tok, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				if err != nil {
					t.Fatalf("first exchange: %v", err)
				}
				_, err = conf.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				// A replay revokes the token the code bought.
				if status := userinfoStatus(t, e, tok.AccessToken); status != http.StatusUnauthorized {
					t.Errorf("after the replay userinfo answers %d, want 401", status)
				}
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "expired code",
			exchange: func(t *testing.T, _ *testEnv, clock *fakeClock, conf *oauth2.Config, l login, code string) error {
				clock.Advance(codeTTL + time.Second)
				_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "redirect_uri differs from the authorization request",
			exchange: func(t *testing.T, e *testEnv, _ *fakeClock, conf *oauth2.Config, l login, code string) error {
				other := *conf
				other.RedirectURL = e.srv.URL + "/callback2" // registered, but not the one used
				_, err := other.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "wrong client secret",
			exchange: func(t *testing.T, _ *testEnv, _ *fakeClock, conf *oauth2.Config, l login, code string) error {
				other := *conf
				other.ClientSecret = "guessed"
				_, err := other.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "wrong client secret in the body",
			exchange: func(t *testing.T, _ *testEnv, _ *fakeClock, conf *oauth2.Config, l login, code string) error {
				other := *conf
				other.ClientSecret = "guessed"
				other.Endpoint.AuthStyle = oauth2.AuthStyleInParams
				_, err := other.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name: "code issued to another client",
			exchange: func(t *testing.T, e *testEnv, _ *fakeClock, conf *oauth2.Config, l login, code string) error {
				other := *conf
				other.ClientID, other.ClientSecret, other.RedirectURL = otherClientID, otherSecret, e.otherRedirect
				_, err := other.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
		{
			name: "made-up code",
			exchange: func(t *testing.T, _ *testEnv, _ *fakeClock, conf *oauth2.Config, l login, _ string) error {
				_, err := conf.Exchange(t.Context(), randomToken(), oauth2.VerifierOption(l.verifier))
				return err
			},
			wantStatus: http.StatusBadRequest, wantError: "invalid_grant",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			e := newEnv(t, envOptions{clock: clock})
			conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
			l, code := e.signIn(t, conf, "dev-manager")

			re := retrieveError(t, tt.exchange(t, e, clock, conf, l, code))
			if re.Response.StatusCode != tt.wantStatus || re.ErrorCode != tt.wantError {
				t.Errorf("got %d %q (%s), want %d %q", re.Response.StatusCode, re.ErrorCode, re.ErrorDescription, tt.wantStatus, tt.wantError)
			}
			if re.ErrorDescription == "" {
				t.Error("error_description is empty")
			}
			if ct := re.Response.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if tt.wantStatus == http.StatusUnauthorized && !strings.HasPrefix(re.Response.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("401 without a Basic challenge: %q", re.Response.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestTokenEndpointRawRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name       string
		form       url.Values
		basic      bool
		wantStatus int
		wantError  string
	}{
		{
			name:       "password grant",
			form:       url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}},
			basic:      true,
			wantStatus: http.StatusBadRequest, wantError: "unsupported_grant_type",
		},
		{
			name:       "no client authentication",
			form:       url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {testClientID}},
			wantStatus: http.StatusUnauthorized, wantError: "invalid_client",
		},
		{
			name:       "two client authentication methods",
			form:       url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_secret": {testClientSecret}},
			basic:      true,
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "repeated parameter",
			form:       url.Values{"grant_type": {"authorization_code"}, "code": {"x", "y"}},
			basic:      true,
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "missing code",
			form:       url.Values{"grant_type": {"authorization_code"}, "code_verifier": {oauth2.GenerateVerifier()}},
			basic:      true,
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
		{
			name:       "oversized body",
			form:       url.Values{"grant_type": {"authorization_code"}, "junk": {strings.Repeat("x", maxFormBytes)}},
			basic:      true,
			wantStatus: http.StatusBadRequest, wantError: "invalid_request",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.issuer+"/token", strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic {
				req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testClientSecret))
			}
			resp, err := e.noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("error body is not a JSON object of strings: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || body["error"] != tt.wantError || body["error_description"] == "" {
				t.Errorf("got %d %v, want %d error=%s with a description", resp.StatusCode, body, tt.wantStatus, tt.wantError)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("token response may be cached")
			}
		})
	}
}

// userinfoStatus calls userinfo with token and returns the status.
func userinfoStatus(t *testing.T, e *testEnv, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.issuer+"/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUserinfoRequiresALiveAccessToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
	l, code := e.signIn(t, conf, "dev-manager")
	tok, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}

	tests := []struct {
		name          string
		method        string
		authorization string
		body          url.Values
		wantStatus    int
		wantChallenge string
	}{
		{"bearer header with GET", http.MethodGet, "Bearer " + tok.AccessToken, nil, http.StatusOK, ""},
		{"bearer scheme is case-insensitive", http.MethodGet, "bearer " + tok.AccessToken, nil, http.StatusOK, ""},
		{"access_token in a POST body", http.MethodPost, "", url.Values{"access_token": {tok.AccessToken}}, http.StatusOK, ""},
		{"no token", http.MethodGet, "", nil, http.StatusUnauthorized, `Bearer realm=`},
		{"unknown token", http.MethodGet, "Bearer " + randomToken(), nil, http.StatusUnauthorized, `error="invalid_token"`},
		{"basic instead of bearer", http.MethodGet, "Basic Zm9vOmJhcg==", nil, http.StatusBadRequest, `error="invalid_request"`},
		{"token twice", http.MethodPost, "Bearer " + tok.AccessToken, url.Values{"access_token": {tok.AccessToken}}, http.StatusBadRequest, `error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body *strings.Reader
			if tt.body != nil {
				body = strings.NewReader(tt.body.Encode())
			} else {
				body = strings.NewReader("")
			}
			req, err := http.NewRequestWithContext(t.Context(), tt.method, e.issuer+"/userinfo", body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			resp, err := e.noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, tt.wantChallenge) {
				t.Errorf("WWW-Authenticate = %q, want it to contain %q", got, tt.wantChallenge)
			}
			if tt.wantStatus == http.StatusOK {
				var info map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
					t.Fatal(err)
				}
				if info["sub"] != "dev-manager" || info["email"] != "manager@example.com" || info["email_verified"] != true {
					t.Errorf("userinfo = %v", info)
				}
			}
		})
	}
}

func TestUserinfoRefusesExpiredAccessToken(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, envOptions{clock: clock})
	conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
	l, code := e.signIn(t, conf, "dev-manager")
	tok, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if got := userinfoStatus(t, e, tok.AccessToken); got != http.StatusOK {
		t.Fatalf("fresh token: status %d", got)
	}
	clock.Advance(accessTokenTTL)
	if got := userinfoStatus(t, e, tok.AccessToken); got != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d, want 401", got)
	}
}
