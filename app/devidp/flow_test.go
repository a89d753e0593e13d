package devidp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// idClaims are the claims the tests read from ID tokens and userinfo.
type idClaims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
	Picture       string `json:"picture"`
	AuthTime      int64  `json:"auth_time"`
}

func TestSignInWorksWithGoOIDCAndOAuth2(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})

	tests := []struct {
		name  string
		style oauth2.AuthStyle
		typed bool // fill in "someone new" instead of pressing a button
		want  idClaims
	}{
		{
			name:  "demo identity with client_secret_basic",
			style: oauth2.AuthStyleInHeader,
			want: idClaims{
				Subject: SubjectForEmail("employee@example.com"), Email: "employee@example.com",
				Name: "Erin Employee", Picture: "https://avatars.example.com/erin.png",
			},
		},
		{
			name:  "demo identity with explicit subject and client_secret_post",
			style: oauth2.AuthStyleInParams,
			want:  idClaims{Subject: "dev-manager", Email: "manager@example.com", Name: "Mona Manager"},
		},
		{
			name:  "someone new typed into the picker",
			style: oauth2.AuthStyleInHeader,
			typed: true,
			want:  idClaims{Subject: SubjectForEmail("nora.new@example.com"), Email: "nora.new@example.com", Name: "Nora New"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			provider, err := oidc.NewProvider(ctx, e.issuer)
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			conf := e.oauthConfig(provider, tt.style)

			l, doc := e.startLogin(t, conf)
			resp := e.pick
			if tt.typed {
				resp = func(t *testing.T, c *http.Client, doc *goquery.Document, _ string) *http.Response {
					return e.submitNew(t, c, doc, tt.want.Name, tt.want.Email)
				}
			}
			q := callbackParams(t, resp(t, e.browser, doc, tt.want.Subject), e.redirectURI)
			if got := q.Get("state"); got != l.state {
				t.Fatalf("state = %q, want %q", got, l.state)
			}

			tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(l.verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Fatalf("token = %+v, want a Bearer token with an expiry", tok)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idToken, err := provider.Verifier(&oidc.Config{ClientID: testClientID}).Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("verify ID token: %v", err)
			}
			if idToken.Issuer != e.issuer || idToken.Nonce != l.nonce {
				t.Errorf("iss = %q nonce = %q, want %q and %q", idToken.Issuer, idToken.Nonce, e.issuer, l.nonce)
			}
			if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var got idClaims
			if err := idToken.Claims(&got); err != nil {
				t.Fatal(err)
			}
			checkClaims(t, "ID token", got, tt.want)
			if got.AuthTime == 0 {
				t.Error("auth_time is missing")
			}

			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var fromUserinfo idClaims
			if err := info.Claims(&fromUserinfo); err != nil {
				t.Fatal(err)
			}
			checkClaims(t, "userinfo", fromUserinfo, tt.want)
		})
	}
}

func checkClaims(t *testing.T, where string, got, want idClaims) {
	t.Helper()
	if got.Subject != want.Subject || got.Email != want.Email || got.Name != want.Name || got.Picture != want.Picture {
		t.Errorf("%s claims = %+v, want %+v", where, got, want)
	}
	if got.EmailVerified == nil || !*got.EmailVerified {
		t.Errorf("%s email_verified = %v, want true", where, got.EmailVerified)
	}
}

func TestTamperedIDTokenFailsVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	conf := e.oauthConfig(provider, oauth2.AuthStyleInHeader)
	l, code := e.signIn(t, conf, "dev-manager")
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	verifier := provider.Verifier(&oidc.Config{ClientID: testClientID})
	if _, err := verifier.Verify(ctx, raw); err != nil {
		t.Fatalf("untouched token fails: %v", err)
	}

	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts, want 3", len(parts))
	}
	sig := []byte(parts[2])
	i := len(sig) / 2 // the middle, so the change is not lost in base64 padding bits
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	if _, err := verifier.Verify(ctx, tampered); err == nil {
		t.Fatal("a token with a flipped signature byte verified")
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: otherClientID}).Verify(ctx, raw); err == nil {
		t.Fatal("a token for another audience verified")
	}
}

func TestClaimsAreReleasedByScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	tests := []struct {
		name               string
		scopes             []string
		wantEmail, wantNme bool
	}{
		{"openid only", []string{oidc.ScopeOpenID}, false, false},
		{"email", []string{oidc.ScopeOpenID, "email"}, true, false},
		{"profile", []string{oidc.ScopeOpenID, "profile"}, false, true},
		{"unknown scopes are ignored", []string{oidc.ScopeOpenID, "email", "offline_access", "groups"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conf := e.oauthConfig(provider, oauth2.AuthStyleInHeader, tt.scopes...)
			l, code := e.signIn(t, conf, "dev-manager")
			tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(l.verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idToken, err := provider.Verifier(&oidc.Config{ClientID: testClientID}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			var got idClaims
			if err := idToken.Claims(&got); err != nil {
				t.Fatal(err)
			}
			if (got.Email != "") != tt.wantEmail || (got.EmailVerified != nil) != tt.wantEmail || (got.Name != "") != tt.wantNme {
				t.Errorf("claims = %+v, want email %v, name %v", got, tt.wantEmail, tt.wantNme)
			}
			if got.Subject != "dev-manager" {
				t.Errorf("sub = %q, want dev-manager", got.Subject)
			}
		})
	}
}
