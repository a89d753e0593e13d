// Package rolemap maps an identity provider's groups onto the app's roles,
// as SSO_ROLE_MAP configures it: "admin=IT-Admins,finance=Finance-Team|Accounts".
//
// A role the map names is managed by the provider: every SSO sign-in (and
// every SCIM group change) grants it when one of its groups is present and
// revokes it when none is. A role the map does not name stays managed in the
// app, by administrators. Keeping the two apart is what lets a company move
// one role at a time into its directory.
//
// Groups compare case-insensitively: directories differ in how they case
// group names, and Entra ID sends object ids, which are case-insensitive.
package rolemap

import (
	"fmt"
	"slices"
	"strings"
)

// Map is a parsed SSO_ROLE_MAP. The zero value maps nothing.
type Map struct {
	entries []entry
}

type entry struct {
	role   string
	groups []string
}

// Parse reads "role=Group|Other Group,role2=Group3". Spaces around names are
// trimmed; a role may appear once; every role needs at least one group.
// Whether a role exists is the caller's check (Roles of the map against the
// app's roles), since this package does not know them.
func Parse(s string) (Map, error) {
	var m Map
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, groups, ok := strings.Cut(part, "=")
		role = strings.TrimSpace(role)
		if !ok || role == "" {
			return Map{}, fmt.Errorf("%q: want role=Group|Other Group", part)
		}
		if m.Managed(role) {
			return Map{}, fmt.Errorf("role %q appears twice", role)
		}
		e := entry{role: role}
		for g := range strings.SplitSeq(groups, "|") {
			if g = strings.TrimSpace(g); g != "" {
				e.groups = append(e.groups, g)
			}
		}
		if len(e.groups) == 0 {
			return Map{}, fmt.Errorf("role %q has no group", role)
		}
		m.entries = append(m.entries, e)
	}
	return m, nil
}

// Empty reports whether the map names no role.
func (m Map) Empty() bool { return len(m.entries) == 0 }

// Managed reports whether the provider manages role.
func (m Map) Managed(role string) bool {
	return slices.ContainsFunc(m.entries, func(e entry) bool { return e.role == role })
}

// ManagedRoles lists the roles the map names, in the map's order.
func (m Map) ManagedRoles() []string {
	roles := make([]string, len(m.entries))
	for i, e := range m.entries {
		roles[i] = e.role
	}
	return roles
}

// Groups lists the groups that grant role (nil when role is not managed).
func (m Map) Groups(role string) []string {
	for _, e := range m.entries {
		if e.role == role {
			return slices.Clone(e.groups)
		}
	}
	return nil
}

// Granted lists the managed roles that groups grant, in the map's order.
func (m Map) Granted(groups []string) []string {
	var roles []string
	for _, e := range m.entries {
		if slices.ContainsFunc(e.groups, func(g string) bool {
			return slices.ContainsFunc(groups, func(have string) bool { return strings.EqualFold(g, strings.TrimSpace(have)) })
		}) {
			roles = append(roles, e.role)
		}
	}
	return roles
}

// Apply returns current with every managed role replaced by what groups
// grant: app-managed roles are kept as they are. The result keeps current's
// order and adds newly granted roles at the end.
func (m Map) Apply(current, groups []string) []string {
	granted := m.Granted(groups)
	var out []string
	for _, r := range current {
		if !m.Managed(r) || slices.Contains(granted, r) {
			out = append(out, r)
		}
	}
	for _, r := range granted {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// String writes the map back in SSO_ROLE_MAP's form.
func (m Map) String() string {
	parts := make([]string, len(m.entries))
	for i, e := range m.entries {
		parts[i] = e.role + "=" + strings.Join(e.groups, "|")
	}
	return strings.Join(parts, ",")
}
