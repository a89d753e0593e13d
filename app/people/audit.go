package people

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/models"
)

// RoleDiff writes the difference between two sets of roles as the audit
// log shows it: "+finance -manager", granted first, each in order.
func RoleDiff(before, after []models.Role) string {
	var parts []string
	for _, r := range sortedRoles(after) {
		if !slices.Contains(before, r) {
			parts = append(parts, "+"+string(r))
		}
	}
	for _, r := range sortedRoles(before) {
		if !slices.Contains(after, r) {
			parts = append(parts, "-"+string(r))
		}
	}
	return strings.Join(parts, " ")
}

func sortedRoles(rs []models.Role) []models.Role {
	out := slices.Clone(rs)
	slices.Sort(out)
	return slices.Compact(out)
}

func rolesOf(u models.User) []models.Role {
	rs := make([]models.Role, len(u.Roles))
	for i, r := range u.Roles {
		rs[i] = r.Role
	}
	return rs
}

// recordUpdate puts what an administrator's edit changed that matters for
// security into the audit log, in the edit's transaction: roles, the active
// flag, a password set.
func recordUpdate(ctx context.Context, tx *gorm.DB, actorID uint, before *models.Employee, roles []models.Role, active, password bool) error {
	id := before.UserID
	by := audit.ByUser(actorID)
	if diff := RoleDiff(rolesOf(before.User), roles); diff != "" {
		if err := audit.Record(ctx, tx, audit.Event{Kind: audit.RolesChanged, Actor: by, SubjectID: id, Detail: diff}); err != nil {
			return err
		}
	}
	if before.User.Active != active {
		kind := audit.AccountReactivated
		if !active {
			kind = audit.AccountDeactivated
		}
		if err := audit.Record(ctx, tx, audit.Event{Kind: kind, Actor: by, SubjectID: id}); err != nil {
			return err
		}
	}
	if password {
		if err := audit.Record(ctx, tx, audit.Event{Kind: audit.PasswordSet, Actor: by, SubjectID: id}); err != nil {
			return err
		}
	}
	return nil
}
