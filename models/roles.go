package models

import "slices"

// RoleDef describes one role: its name, as stored, and its label, as
// people read it.
type RoleDef struct {
	Role  Role
	Label string
	// Manages says that only holders of this role may be someone's
	// manager (the expenses demo's manager role: managers approve their
	// reports' expenses). Without such a role, any active person may.
	Manages bool
}

// Roles is the registry of the roles the app knows, in the order screens
// show them: the template's base roles, then those modules add. It is a
// value built once at start-up (app/app.go: models.BaseRoles().With(…)) and
// passed to what lists or checks roles (app/people, app/web), never a
// package variable, so a test can build the registry it needs.
type Roles struct {
	defs []RoleDef
}

// BaseRoles are the template's roles: employee (everybody) and admin.
func BaseRoles() Roles {
	return Roles{defs: []RoleDef{
		{Role: RoleEmployee, Label: "Employee"},
		{Role: RoleAdmin, Label: "Administrator"},
	}}
}

// With returns the registry with defs added before the administrator role
// (so that screens list the everyday roles first). A role already known
// is not added twice.
func (rs Roles) With(defs ...RoleDef) Roles {
	out := slices.Clone(rs.defs)
	for _, d := range defs {
		if rs.Valid(d.Role) || d.Role == "" {
			continue
		}
		at := slices.IndexFunc(out, func(x RoleDef) bool { return x.Role == RoleAdmin })
		if at < 0 {
			at = len(out)
		}
		out = slices.Insert(out, at, d)
	}
	return Roles{defs: out}
}

// All lists every role in the order screens show them.
func (rs Roles) All() []Role {
	out := make([]Role, len(rs.defs))
	for i, d := range rs.defs {
		out[i] = d.Role
	}
	return out
}

// Valid reports whether r is a known role.
func (rs Roles) Valid(r Role) bool {
	return slices.ContainsFunc(rs.defs, func(d RoleDef) bool { return d.Role == r })
}

// Label is r's name as people read it (the role itself when unknown).
func (rs Roles) Label(r Role) string {
	for _, d := range rs.defs {
		if d.Role == r {
			return d.Label
		}
	}
	return string(r)
}

// Of returns u's known roles in the order of All.
func (rs Roles) Of(u *User) []Role {
	var out []Role
	for _, d := range rs.defs {
		if u.HasRole(d.Role) {
			out = append(out, d.Role)
		}
	}
	return out
}

// ManagerRole is the role a person must hold to be someone's manager, if
// some role says so (RoleDef.Manages).
func (rs Roles) ManagerRole() (Role, bool) {
	for _, d := range rs.defs {
		if d.Manages {
			return d.Role, true
		}
	}
	return "", false
}

// Labels returns the labels of u's known roles, in the order of All.
func (rs Roles) Labels(u *User) []string {
	var out []string
	for _, r := range rs.Of(u) {
		out = append(out, rs.Label(r))
	}
	return out
}
