package provisioning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// follow brings a person's roles and directory attributes in line with what
// their identity provider said at this sign-in. It runs in the sign-in's
// transaction, so a failure leaves nothing half-written and refuses the
// sign-in.
func (h *Hooks) follow(ctx context.Context, tx *gorm.DB, userID uint, p sso.Profile) error {
	tx = tx.WithContext(ctx)
	if err := h.followRoles(ctx, tx, userID, p); err != nil {
		return err
	}
	return h.followAttributes(ctx, tx, userID, p)
}

// followRoles grants and revokes the roles SSO_ROLE_MAP names so that they
// match the provider's groups; roles it does not name are the app's and
// stay as they are.
//
// Nothing changes when the provider cannot tell: a provider that releases
// no groups at all (Google, GitHub: Profile.Groups is nil), and Entra ID's
// group overage, where the token says the groups are too many to list and
// must be fetched from Microsoft Graph. Treating either as "no groups"
// would strip everyone's mapped roles.
//
// Two rules of the admin form hold here too: the last active administrator
// keeps the admin role, and a manager with reports keeps the manager role.
// Each is logged, so that the directory can be corrected.
func (h *Hooks) followRoles(ctx context.Context, tx *gorm.DB, userID uint, p sso.Profile) error {
	if h.RoleMap.Empty() {
		return nil
	}
	log := h.log().With("user_id", userID, "provider", p.Provider, "sub", p.Subject)
	if p.GroupsOverage {
		log.WarnContext(ctx, "SSO_ROLE_MAP: the identity provider sent no groups for this person, only a pointer to fetch them "+
			"(Entra ID group overage: more groups than fit in a token), so their roles were left as they are; "+
			"send app roles instead (assign app roles in Entra ID and set SSO_ROLES_CLAIM=roles) "+
			"or emit only the groups assigned to the application (Entra ID: Token configuration, groups claim)",
			"managed_roles", h.RoleMap.ManagedRoles())
		return nil
	}
	if p.Groups == nil {
		return nil
	}
	var current []models.Role
	if err := tx.Model(&models.UserRole{}).Where("user_id = ?", userID).Order("role").Pluck("role", &current).Error; err != nil {
		return fmt.Errorf("load roles of %d: %w", userID, err)
	}
	want := h.RoleMap.Apply(roleNames(current), p.Groups)
	var grant, revoke []models.Role
	for _, r := range want {
		if !slices.Contains(current, models.Role(r)) {
			grant = append(grant, models.Role(r))
		}
	}
	for _, r := range current {
		if !slices.Contains(want, string(r)) {
			revoke = append(revoke, r)
		}
	}
	revoke, err := h.keep(ctx, tx, log, userID, revoke)
	if err != nil {
		return err
	}
	if len(revoke) > 0 {
		if err := tx.Where("user_id = ? AND role IN ?", userID, revoke).Delete(&models.UserRole{}).Error; err != nil {
			return fmt.Errorf("revoke roles of %d: %w", userID, err)
		}
	}
	for _, r := range grant {
		if err := tx.Create(&models.UserRole{UserID: userID, Role: r}).Error; err != nil {
			return fmt.Errorf("grant role %s to %d: %w", r, userID, err)
		}
	}
	if len(grant) > 0 || len(revoke) > 0 {
		log.InfoContext(ctx, "roles follow the identity provider's groups (SSO_ROLE_MAP)",
			"granted", grant, "revoked", revoke, "groups", p.Groups)
		after := slices.DeleteFunc(slices.Clone(current), func(r models.Role) bool { return slices.Contains(revoke, r) })
		after = append(after, grant...)
		return audit.Record(ctx, tx, audit.Event{Kind: audit.RolesChanged, Actor: audit.Provider(p.Provider), SubjectID: userID,
			Detail: people.RoleDiff(current, after) + " (SSO_ROLE_MAP)"})
	}
	return nil
}

// keep takes out of revoke the roles the admin form would not let go
// either, and logs why.
func (h *Hooks) keep(ctx context.Context, tx *gorm.DB, log *slog.Logger, userID uint, revoke []models.Role) ([]models.Role, error) {
	out := revoke[:0:0]
	managerRole, hasManagerRole := h.Roles.ManagerRole()
	for _, r := range revoke {
		switch {
		case r == models.RoleAdmin:
			var active bool
			if err := tx.Model(&models.User{}).Select("active").Where("id = ?", userID).Scan(&active).Error; err != nil {
				return nil, err
			}
			others, err := people.OtherActiveAdmins(tx, userID)
			if err != nil {
				return nil, err
			}
			if active && others == 0 {
				log.WarnContext(ctx, "SSO_ROLE_MAP: kept the admin role of the last active administrator, whose groups no longer grant it; make someone else an administrator first")
				continue
			}
		case hasManagerRole && r == managerRole:
			var reports int64
			if err := tx.Model(&models.Employee{}).Where("manager_id = ?", userID).Count(&reports).Error; err != nil {
				return nil, err
			}
			if reports > 0 {
				log.WarnContext(ctx, "SSO_ROLE_MAP: kept the manager role, whose groups no longer grant it, because people still report to this person; give them another manager first",
					"reports", reports)
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func roleNames(rs []models.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// followAttributes keeps department, job title and manager in step with
// the directory. An attribute the provider does not send is left as it is
// (providers leave claims out rather than send them empty). A department
// the app does not know yet is created; a manager must be someone known
// here, found by e-mail address or by their subject at the same provider,
// and allowed to manage (active, with the manager role when there is one).
// Anyone else is not guessed at: the manager is left empty, and the person
// shows under "Needs a manager" on the People page.
func (h *Hooks) followAttributes(ctx context.Context, tx *gorm.DB, userID uint, p sso.Profile) error {
	updates := map[string]any{}
	if p.Department != "" {
		id, err := departmentNamed(tx, p.Department)
		if err != nil {
			return err
		}
		updates["department_id"] = id
	}
	if p.JobTitle != "" {
		updates["job_title"] = p.JobTitle
	}
	if p.Manager != "" {
		m, why, err := h.managerFor(tx, userID, p)
		if err != nil {
			return err
		}
		if m == nil {
			h.log().InfoContext(ctx, "the identity provider's manager is not known here; the manager is left empty",
				"user_id", userID, "manager", p.Manager, "reason", why)
			updates["manager_id"] = nil
		} else {
			updates["manager_id"] = *m
		}
	}
	if len(updates) == 0 {
		return nil
	}
	if err := tx.Model(&models.Employee{}).Where("user_id = ?", userID).Updates(updates).Error; err != nil {
		return fmt.Errorf("refresh directory attributes of %d: %w", userID, err)
	}
	return nil
}

// departmentNamed returns the id of the department with this name (any
// case), creating it when there is none.
func departmentNamed(tx *gorm.DB, name string) (uint, error) {
	var d models.Department
	err := tx.Where("LOWER(name) = ?", strings.ToLower(name)).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		d = models.Department{Name: name}
		err = tx.Create(&d).Error
	}
	if err != nil {
		return 0, fmt.Errorf("department %q: %w", name, err)
	}
	return d.ID, nil
}

// managerFor finds the manager the provider names, or says why not.
func (h *Hooks) managerFor(tx *gorm.DB, userID uint, p sso.Profile) (*uint, string, error) {
	var id uint
	err := gorm.ErrRecordNotFound
	if strings.Contains(p.Manager, "@") {
		err = tx.Model(&models.User{}).Select("id").Where("email = ?", models.NormalizeEmail(p.Manager)).Take(&id).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// A subject (some look like addresses: Entra ID's UPN-shaped ones).
		err = tx.Model(&sso.Identity{}).Select("user_id").Where("provider = ? AND subject = ?", p.Provider, p.Manager).Take(&id).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "nobody here has this e-mail address or identity", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("find manager %q: %w", p.Manager, err)
	}
	if id == userID {
		return nil, "the provider names the person as their own manager", nil
	}
	var m models.Employee
	if err := tx.Preload("User.Roles").Where("user_id = ?", id).Take(&m).Error; err != nil {
		return nil, "", fmt.Errorf("load manager %d: %w", id, err)
	}
	if !m.User.Active {
		return nil, "the manager's account is deactivated", nil
	}
	if role, ok := h.Roles.ManagerRole(); ok && !m.User.HasRole(role) {
		return nil, "the manager does not hold the " + string(role) + " role", nil
	}
	return &id, "", nil
}
