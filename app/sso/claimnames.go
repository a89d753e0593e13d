package sso

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ClaimNames are the claims (OpenID Connect) or raw-data keys (goth
// providers) the module reads a person's groups and directory attributes
// from. Empty fields take the defaults in brackets.
type ClaimNames struct {
	// Groups carries the groups or app roles ["groups"]: Okta's and
	// Keycloak's groups claims, Entra ID's security groups (object ids), or
	// Entra ID's app roles with "roles".
	Groups string
	// Department ["department"], JobTitle ["job_title"] and Manager
	// ["manager_email"] are plain strings; Manager holds the manager's
	// e-mail address or subject at the provider.
	Department string
	JobTitle   string
	Manager    string
}

// Default claim names.
const (
	DefaultGroupsClaim     = "groups"
	DefaultDepartmentClaim = "department"
	DefaultJobTitleClaim   = "job_title"
	DefaultManagerClaim    = "manager_email"
)

func (c ClaimNames) withDefaults() ClaimNames {
	return ClaimNames{
		Groups:     cmp.Or(c.Groups, DefaultGroupsClaim),
		Department: cmp.Or(c.Department, DefaultDepartmentClaim),
		JobTitle:   cmp.Or(c.JobTitle, DefaultJobTitleClaim),
		Manager:    cmp.Or(c.Manager, DefaultManagerClaim),
	}
}

// Limits of what is kept of groups and attributes. Entra ID switches to its
// overage pointer above 200 groups in a token; the bound is for providers
// that never do.
const (
	maxGroups          = 1000
	maxGroupBytes      = 256
	maxAttributeRunes  = 200
	maxDepartmentRunes = 100
)

// readGroups reads a groups claim: an array of strings, as the standard
// providers send it, or a single string, as Keycloak's mappers do when
// "Multivalued" is off and some SAML bridges always do. ok is false when
// the value is neither (absent included). Values are trimmed, empty and
// overlong ones dropped, duplicates (ignoring case) kept once.
func readGroups(v any) (groups []string, ok bool) {
	var raw []string
	switch v := v.(type) {
	case string:
		raw = []string{v}
	case []string:
		raw = v
	case []any:
		for _, x := range v {
			if s, isString := x.(string); isString {
				raw = append(raw, s)
			}
		}
	default:
		return nil, false
	}
	groups = []string{}
	for _, g := range raw {
		g = strings.TrimSpace(g)
		if g == "" || len(g) > maxGroupBytes || strings.IndexFunc(g, unicode.IsControl) >= 0 {
			continue
		}
		if slices.ContainsFunc(groups, func(have string) bool { return strings.EqualFold(have, g) }) {
			continue
		}
		if len(groups) == maxGroups {
			break
		}
		groups = append(groups, g)
	}
	return groups, true
}

// groupsOverage reports whether claims say that the groups claim was left
// out because the person has too many groups: Entra ID's distributed claim
// pointer ("_claim_names": {"groups": "src1"}, with "_claim_sources"
// naming a Microsoft Graph URL), or the implicit flow's "hasgroups": true.
func groupsOverage(claims map[string]any, name string) bool {
	if names, ok := claims["_claim_names"].(map[string]any); ok {
		if _, ok := names[name]; ok {
			return true
		}
	}
	return name == DefaultGroupsClaim && claimTrue(claims["hasgroups"])
}

// claimString reads an attribute: a string, or the first string of an
// array (multi-valued directory attributes), tidied onto one line and cut
// to max runes.
func claimString(v any, max int) string {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []any:
		for _, x := range v {
			if str, ok := x.(string); ok && strings.TrimSpace(str) != "" {
				s = str
				break
			}
		}
	case float64:
		s = fmt.Sprint(v) // a numeric employee or cost-centre code
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

// readDirectory fills the groups and attributes of prof from the claims
// sources, first source first: for OpenID Connect the userinfo response,
// then the ID token. absentIsEmpty says that a provider which sends no
// groups claim sends none because the person has no groups (what Entra ID,
// Okta and Keycloak do); otherwise an absent claim leaves Groups nil,
// unknown.
func readDirectory(prof *Profile, names ClaimNames, absentIsEmpty bool, sources ...map[string]any) {
	names = names.withDefaults()
	found := false
	for _, src := range sources {
		if g, ok := readGroups(src[names.Groups]); ok {
			prof.Groups, found = g, true
			break
		}
	}
	if !found {
		for _, src := range sources {
			if groupsOverage(src, names.Groups) {
				prof.GroupsOverage = true
			}
		}
		if absentIsEmpty && !prof.GroupsOverage {
			prof.Groups = []string{}
		}
	}
	first := func(name string, max int) string {
		for _, src := range sources {
			if s := claimString(src[name], max); s != "" {
				return s
			}
		}
		return ""
	}
	prof.Department = first(names.Department, maxDepartmentRunes)
	prof.JobTitle = first(names.JobTitle, maxAttributeRunes)
	prof.Manager = strings.ToLower(first(names.Manager, maxEmailBytes))
	if prof.Manager != "" && !strings.Contains(prof.Manager, "@") {
		// A subject, not an address: subjects are case-sensitive.
		prof.Manager = first(names.Manager, maxEmailBytes)
	}
}
