package sso

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markbates/goth"
)

// Limits of what is stored from a provider, matching the columns.
const (
	maxNameRunes  = 200
	maxEmailBytes = 254
	maxAvatarURL  = 1000
)

// profileOf tidies what a goth provider read into a Profile.
func profileOf(p *provider, u goth.User) Profile {
	prof := Profile{
		Provider:      p.name,
		Subject:       u.UserID,
		Email:         cleanEmail(u.Email),
		Name:          cleanName(u.Name, u.FirstName, u.LastName, u.NickName),
		EmailVerified: p.trustEmail || claimTrue(u.RawData["email_verified"]) || claimTrue(u.RawData["verified_email"]),
	}
	if p.kind == kindMicrosoft {
		// Graph's "mail" is whatever the tenant's administrator set; only
		// the trust that comes with a single, configured tenant counts.
		prof.EmailVerified = p.trustEmail
	}
	if !p.noAvatar {
		prof.AvatarURL = cleanAvatar(u.AvatarURL, p.avatarHosts)
	}
	if prof.Email == "" {
		prof.EmailVerified = false
	}
	// goth's providers put what they read into RawData: the ID token's or
	// userinfo's claims for OpenID Connect based ones (Okta, Keycloak,
	// Auth0), the Graph profile for Microsoft, which has no groups. A
	// provider whose raw data has no groups says nothing about them, so
	// Groups stays nil and the roles they would set are left alone.
	raw := u.RawData
	if p.kind == kindMicrosoft {
		raw = graphNames(raw, p.claims.withDefaults())
	}
	readDirectory(&prof, p.claims, false, raw)
	return prof
}

// graphNames adds Microsoft Graph's own fields for department and job title
// ("department", "jobTitle") under the configured claim names, where those
// are absent.
func graphNames(raw map[string]any, names ClaimNames) map[string]any {
	out := make(map[string]any, len(raw)+2)
	for k, v := range raw {
		out[k] = v
	}
	for target, field := range map[string]string{names.Department: "department", names.JobTitle: "jobTitle"} {
		if _, ok := out[target]; !ok && raw[field] != nil {
			out[target] = raw[field]
		}
	}
	return out
}

// profileFromClaims reads an OpenID Connect sign-in's profile from the
// verified ID token's claims and the userinfo response's (nil when the
// provider has no userinfo endpoint).
//
// The address and its verification are taken together from one source, the
// userinfo response when it has an address, else the ID token, so that a
// verdict about one address never vouches for another. Only
// email_verified: true (or "true", as some providers send it) counts,
// unless the provider is trusted to release verified addresses only: many
// providers omit the claim when it is false.
func profileFromClaims(p *provider, id, ui map[string]any) (Profile, error) {
	sub, _ := id["sub"].(string)
	if sub == "" {
		return Profile{}, errors.New("the ID token has no subject")
	}
	if ui != nil {
		if uiSub, _ := ui["sub"].(string); uiSub != sub {
			return Profile{}, fmt.Errorf("userinfo subject %q differs from the ID token's %q", uiSub, sub)
		}
	}
	str := func(k string) string {
		if v, ok := ui[k].(string); ok && v != "" {
			return v
		}
		v, _ := id[k].(string)
		return v
	}
	src := id
	if e, _ := ui["email"].(string); e != "" {
		src = ui
	}
	rawEmail, _ := src["email"].(string)
	prof := Profile{
		Provider:      p.name,
		Subject:       sub,
		Email:         cleanEmail(rawEmail),
		Name:          cleanName(str("name"), str("given_name"), str("family_name"), cmp.Or(str("preferred_username"), str("nickname"))),
		AvatarURL:     cleanAvatar(str("picture"), p.avatarHosts),
		EmailVerified: p.trustEmail || claimTrue(src["email_verified"]),
		// Entra ID's object id, the same for every application.
		DirectoryID: str("oid"),
	}
	if prof.Email == "" {
		prof.EmailVerified = false
	}
	// Groups and attributes: userinfo first, as for the name. An OpenID
	// Connect provider configured to send groups leaves the claim out for
	// someone in no group, so an absent claim is an empty list here, and
	// the roles it maps are revoked; unless the ID token points elsewhere
	// (Entra ID's overage).
	readDirectory(&prof, p.claims, true, ui, id)
	return prof, nil
}

// claimTrue reads a boolean claim: true, or the string "true" that some
// providers (older AWS Cognito, some SAML bridges) send. Anything else,
// absence included, is false.
func claimTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// githubPrimaryEmail reads GitHub's /user/emails and returns the primary
// address and whether GitHub has verified it.
func githubPrimaryEmail(ctx context.Context, client *http.Client, endpoint, accessToken string) (string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	res, err := client.Do(req)
	if err != nil {
		return "", false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", false, fmt.Errorf("GET %s: %s", endpoint, res.Status)
	}
	var list []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&list); err != nil {
		return "", false, fmt.Errorf("GET %s: %w", endpoint, err)
	}
	for _, e := range list {
		if e.Primary {
			email := cleanEmail(e.Email)
			return email, e.Verified && email != "", nil
		}
	}
	return "", false, nil
}

// cleanEmail lower-cases a plain address, or returns "" for anything that is
// not one ("Ann <ann@example.com>", a bare user name, an overlong string).
func cleanEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > maxEmailBytes {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return ""
	}
	return s
}

// cleanName returns the first non-empty of the full name, given plus family
// name, and nickname, on one line and at most maxNameRunes long.
func cleanName(full, given, family, nick string) string {
	clean := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)
		return strings.Join(strings.Fields(s), " ")
	}
	name := clean(full)
	if name == "" {
		name = clean(given + " " + family)
	}
	if name == "" {
		name = clean(nick)
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		name = string([]rune(name)[:maxNameRunes])
	}
	return name
}

// cleanAvatar keeps an absolute URL of reasonable length from one of hosts:
// https, or http from a host that is served over http anyway (a development
// provider on localhost). An avatar from anywhere else would let a
// provider's profile put a tracking pixel on every page; the initials are
// shown instead.
func cleanAvatar(s string, hosts []string) string {
	if s == "" || len(s) > maxAvatarURL {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	if !avatarHostAllowed(u.Hostname(), hosts) {
		return ""
	}
	return u.String()
}
