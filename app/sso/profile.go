package sso

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markbates/goth"

	"github.com/company-expenses/company-expenses/models"
)

// Limits of what is stored from a provider, matching the columns.
const (
	maxNameRunes  = 200
	maxEmailBytes = 254
	maxAvatarURL  = 1000
)

// profileOf tidies what goth read from the provider into a Profile.
func profileOf(p *provider, u goth.User) Profile {
	prof := Profile{
		Provider:      p.name,
		Subject:       u.UserID,
		Email:         cleanEmail(u.Email),
		Name:          cleanName(u.Name, u.FirstName, u.LastName, u.NickName),
		EmailVerified: emailVerified(u.RawData),
	}
	if !p.noAvatar {
		prof.AvatarURL = cleanAvatar(u.AvatarURL)
	}
	return prof
}

// cleanEmail lower-cases a plain address, or returns "" for anything that is
// not one ("Ann <ann@example.com>", a bare user name, an overlong string).
func cleanEmail(s string) string {
	s = models.NormalizeEmail(s)
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

// cleanAvatar keeps an absolute http(s) URL of reasonable length.
func cleanAvatar(s string) string {
	if s == "" || len(s) > maxAvatarURL {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return s
}

// emailVerified reads the provider's verdict on the address: OpenID
// Connect's email_verified, or verified_email from Google's userinfo API.
// Only an explicit "false" counts as unverified.
func emailVerified(raw map[string]any) bool {
	for _, k := range []string{"email_verified", "verified_email"} {
		switch v := raw[k].(type) {
		case bool:
			return v
		case string: // Some providers (older AWS Cognito) send "true"/"false".
			return !strings.EqualFold(v, "false")
		}
	}
	return true
}
