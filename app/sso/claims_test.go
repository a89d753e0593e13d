package sso

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/markbates/goth"
)

func oidcProvider(trust bool) *provider {
	return &provider{name: "openid-connect", kind: kindOIDC, trustEmail: trust, avatarHosts: []string{"idp.acme.test"}}
}

// Only an address the provider asserts as verified counts: true or "true".
// An absent claim, false, "false", "yes" or 1 do not, unless the provider is
// configured as releasing verified addresses only.
func TestOIDCEmailCountsAsVerifiedOnlyWhenTheProviderAssertsIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		claim any // nil: absent
		trust bool
		want  bool
	}{
		{"true", true, false, true},
		{`"true"`, "true", false, true},
		{`"TRUE"`, "TRUE", false, true},
		{"absent", nil, false, false},
		{"false", false, false, false},
		{`"false"`, "false", false, false},
		{`"yes"`, "yes", false, false},
		{"1", 1.0, false, false},
		{"absent, trusted provider", nil, true, true},
	} {
		id := map[string]any{"sub": "s1", "email": "Ann@Acme.test"}
		if tc.claim != nil {
			id["email_verified"] = tc.claim
		}
		got, err := profileFromClaims(oidcProvider(tc.trust), id, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.EmailVerified != tc.want || got.Email != "ann@acme.test" {
			t.Errorf("%s: verified %v, e-mail %q; want %v", tc.name, got.EmailVerified, got.Email, tc.want)
		}
	}
}

// The verdict comes with the address it is about: userinfo's address is
// not vouched for by the ID token's email_verified.
func TestOIDCEmailVerificationIsReadFromTheSourceOfTheAddress(t *testing.T) {
	t.Parallel()
	id := map[string]any{"sub": "s1", "email": "old@acme.test", "email_verified": true}
	ui := map[string]any{"sub": "s1", "email": "new@acme.test"}
	got, err := profileFromClaims(oidcProvider(false), id, ui)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "new@acme.test" || got.EmailVerified {
		t.Errorf("e-mail %q verified %v, want new@acme.test unverified", got.Email, got.EmailVerified)
	}
	if _, err := profileFromClaims(oidcProvider(false), id, map[string]any{"sub": "someone-else"}); err == nil {
		t.Error("a userinfo response about another subject was accepted")
	}
}

// Microsoft's address (Graph "mail") is set by the tenant's administrator:
// it counts only with one configured tenant, and the multi-tenant values
// need an explicit opt-in.
func TestMicrosoftAddressCountsAsVerifiedOnlyWithOneConfiguredTenant(t *testing.T) {
	t.Parallel()
	b := builder{baseURL: "https://app.acme.test", timeout: 1}
	for _, tenant := range []string{"", "common", "organizations", "consumers"} {
		if _, err := (Microsoft{Key: "k", Secret: "s", Tenant: tenant}).build(t.Context(), b); err == nil || !strings.Contains(err.Error(), "SSO_MICROSOFT_TENANT") {
			t.Errorf("tenant %q accepted without opt-in (err %v)", tenant, err)
		}
	}
	user := goth.User{UserID: "u1", Email: "ceo@acme.test", RawData: map[string]any{"mail": "ceo@acme.test", "email_verified": true}}
	multi, err := Microsoft{Key: "k", Secret: "s", Tenant: "common", AnyTenant: true}.build(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if profileOf(multi, user).EmailVerified {
		t.Error("an address from any tenant counts as verified")
	}
	one, err := Microsoft{Key: "k", Secret: "s", Tenant: "acme.onmicrosoft.com"}.build(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if !profileOf(one, user).EmailVerified {
		t.Error("an address from the company's own tenant does not count as verified")
	}
}

// GitHub: only the primary address, and only when GitHub has verified it.
func TestGitHubAddressCountsOnlyWhenPrimaryAndVerified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, list, email string
		verified          bool
	}{
		{"primary verified", `[{"email":"other@x.test","primary":false,"verified":true},{"email":"Me@Acme.test","primary":true,"verified":true}]`, "me@acme.test", true},
		{"primary unverified", `[{"email":"other@x.test","primary":false,"verified":true},{"email":"me@acme.test","primary":true,"verified":false}]`, "me@acme.test", false},
		{"no primary", `[{"email":"other@x.test","primary":false,"verified":true}]`, "", false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(tc.list))
		}))
		email, verified, err := githubPrimaryEmail(t.Context(), srv.Client(), srv.URL+"/user/emails", "tok")
		srv.Close()
		if err != nil || email != tc.email || verified != tc.verified {
			t.Errorf("%s: %q %v %v, want %q %v", tc.name, email, verified, err, tc.email, tc.verified)
		}
	}
}

// Avatars are kept from the provider's own hosts only.
func TestAvatarIsKeptOnlyFromTheProvidersHosts(t *testing.T) {
	t.Parallel()
	hosts := []string{"avatars.githubusercontent.com", "*.googleusercontent.com"}
	for in, want := range map[string]string{
		"https://avatars.githubusercontent.com/u/1?v=4":       "https://avatars.githubusercontent.com/u/1?v=4",
		"https://lh3.googleusercontent.com/a/abc":             "https://lh3.googleusercontent.com/a/abc",
		"https://googleusercontent.com.evil.test/a":           "",
		"https://evil.test/avatars.githubusercontent.com.png": "",
		"https://user@avatars.githubusercontent.com/u/1":      "",
		"javascript:alert(1)":                                 "",
		"":                                                    "",
	} {
		if got := cleanAvatar(in, hosts); got != want {
			t.Errorf("cleanAvatar(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzProfileFromClaims feeds arbitrary ID token and userinfo claims (as
// JSON) to the parser. The corpus in testdata/fuzz holds the shapes real
// providers send and the tricky ones; plain go test runs it as regression
// cases. Whatever the input, the profile is tidy: an address is a plain
// lower-case one, verified only with an address, the name one line within
// its limit, the avatar from the provider's host.
func FuzzProfileFromClaims(f *testing.F) {
	f.Add(`{"sub":"a","email":"ann@acme.test","email_verified":true,"name":"Ann"}`, ``)
	f.Add(`{"sub":"a","email":"ann@acme.test"}`, `{"sub":"a","email":"ann@acme.test","email_verified":"true"}`)
	f.Fuzz(func(t *testing.T, idJSON, uiJSON string) {
		var id, ui map[string]any
		if json.Unmarshal([]byte(idJSON), &id) != nil {
			return
		}
		if uiJSON != "" && json.Unmarshal([]byte(uiJSON), &ui) != nil {
			return
		}
		p := oidcProvider(false)
		prof, err := profileFromClaims(p, id, ui)
		if err != nil {
			return
		}
		if prof.Subject == "" || prof.Subject != id["sub"] {
			t.Fatalf("subject %q from %v", prof.Subject, id["sub"])
		}
		if prof.Email != "" && (prof.Email != strings.ToLower(prof.Email) || cleanEmail(prof.Email) != prof.Email) {
			t.Fatalf("untidy e-mail %q", prof.Email)
		}
		if prof.EmailVerified && prof.Email == "" {
			t.Fatal("verified without an address")
		}
		if prof.EmailVerified {
			src := id
			if e, _ := ui["email"].(string); e != "" {
				src = ui
			}
			if !claimTrue(src["email_verified"]) {
				t.Fatalf("verified without the provider saying so: %v", src["email_verified"])
			}
		}
		if strings.ContainsAny(prof.Name, "\n\r\t") || utf8.RuneCountInString(prof.Name) > maxNameRunes {
			t.Fatalf("untidy name %q", prof.Name)
		}
		if prof.AvatarURL != "" {
			if u, err := url.Parse(prof.AvatarURL); err != nil || u.Hostname() != "idp.acme.test" {
				t.Fatalf("avatar %q from a foreign host", prof.AvatarURL)
			}
		}
	})
}
