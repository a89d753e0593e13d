package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/models"
)

// ErrLastAdmin refuses a change from an identity provider that would leave
// no active administrator: the app's last way into its admin screens is
// never closed from outside either.
var ErrLastAdmin = errors.New("this is the last active administrator; make someone else an administrator in the app first")

// Provisioned is a person as an identity provider describes them (SCIM
// provisioning, app/scim). The provider is in charge of these fields; roles
// go through SetProvidedRoles.
type Provisioned struct {
	Email    string
	FullName string
	Active   bool
	// Department is the department's name, created when new; "" for none.
	Department string
	// ManagerID is the manager's user id, nil for none.
	ManagerID *uint
}

// ProvisionResult tells the caller what a provisioning change did beyond
// what it asked.
type ProvisionResult struct {
	// Deactivated is true when the person was active before and is not
	// now: the caller ends their sessions.
	Deactivated bool
	// ManagerIgnored is set when the provider named a manager who may not
	// be one (inactive, or without the manager role): the person is left
	// without a manager, as an unknown manager is, and shows up among the
	// people who need one.
	ManagerIgnored bool
}

func (s *Service) checkProvisioned(ctx context.Context, tx *gorm.DB, p *Provisioned, self uint) error {
	errs := FieldErrors{}
	name, problem := textcheck.Clean(p.FullName, false)
	switch n := utf8.RuneCountInString(name); {
	case problem != "":
		errs["full_name"] = problem
	case n == 0:
		errs["full_name"] = "Enter the person's full name."
	case n > 200:
		errs["full_name"] = "Use at most 200 characters."
	}
	p.FullName = name
	p.Email = models.NormalizeEmail(p.Email)
	if msg := CheckEmail(p.Email); msg != "" {
		errs["email"] = msg
	} else {
		var n int64
		if err := tx.WithContext(ctx).Model(&models.User{}).Where("email = ? AND id <> ?", p.Email, self).Count(&n).Error; err != nil {
			return fmt.Errorf("check e-mail is free: %w", err)
		}
		if n > 0 {
			errs["email"] = "Someone already uses this e-mail address."
		}
	}
	dep, problem := textcheck.Clean(p.Department, false)
	if problem != "" || utf8.RuneCountInString(dep) > 100 {
		errs["department"] = "Use a department name of at most 100 characters on one line."
	}
	p.Department = dep
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// departmentID finds the department called name, creating it when new.
func departmentID(ctx context.Context, tx *gorm.DB, name string) (*uint, error) {
	if name == "" {
		return nil, nil
	}
	var d models.Department
	err := tx.WithContext(ctx).Where("name = ?", name).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		d = models.Department{Name: name}
		err = tx.WithContext(ctx).Create(&d).Error
	}
	if err != nil {
		return nil, fmt.Errorf("department %q: %w", name, err)
	}
	return &d.ID, nil
}

// manager returns id when that person may be a manager, else nil.
func (s *Service) manager(ctx context.Context, tx *gorm.DB, id *uint, self uint) (*uint, bool, error) {
	if id == nil {
		return nil, false, nil
	}
	if *id == self {
		return nil, true, nil
	}
	var m models.Employee
	err := tx.WithContext(ctx).Preload("User.Roles").Where("user_id = ?", *id).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load manager %d: %w", *id, err)
	}
	if !s.mayManage(&m) {
		return nil, true, nil
	}
	return id, false, nil
}

// CreateProvisioned creates a person the identity provider announced, in
// tx: an SSO account (IsLocalUser false, no password) with the employee
// role. They sign in through SSO, where app/scim links their first sign-in
// to this account.
func (s *Service) CreateProvisioned(ctx context.Context, tx *gorm.DB, p Provisioned) (*models.Employee, ProvisionResult, error) {
	var res ProvisionResult
	if err := s.checkProvisioned(ctx, tx, &p, 0); err != nil {
		return nil, res, err
	}
	e := &models.Employee{
		User:     models.User{Email: p.Email, Active: p.Active},
		FullName: p.FullName,
	}
	e.User.SetRoles([]models.Role{models.RoleEmployee})
	var err error
	if e.DepartmentID, err = departmentID(ctx, tx, p.Department); err != nil {
		return nil, res, err
	}
	if e.ManagerID, res.ManagerIgnored, err = s.manager(ctx, tx, p.ManagerID, 0); err != nil {
		return nil, res, err
	}
	err = models.CreateEmployee(tx.WithContext(ctx), e)
	if database.IsUniqueViolation(err) {
		return nil, res, &ValidationError{Fields: FieldErrors{"email": "Someone already uses this e-mail address."}}
	}
	if err != nil {
		return nil, res, fmt.Errorf("create provisioned employee: %w", err)
	}
	return e, res, nil
}

// UpdateProvisioned applies what the identity provider says about person id,
// in tx. Deactivating the last active administrator is refused
// (ErrLastAdmin). Unlike the admin form, deactivation is not refused while
// people report to this person: the provider says they have left, and
// keeping them able to sign in would be worse. Their reports lose their
// manager instead, so that administrators see them among the people who need
// one, until the provider names the new manager.
func (s *Service) UpdateProvisioned(ctx context.Context, tx *gorm.DB, id uint, p Provisioned) (ProvisionResult, error) {
	var res ProvisionResult
	var e models.Employee
	err := tx.WithContext(ctx).Preload("User.Roles").Where("user_id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return res, ErrNotFound
	}
	if err != nil {
		return res, fmt.Errorf("load employee %d: %w", id, err)
	}
	if err := s.checkProvisioned(ctx, tx, &p, id); err != nil {
		return res, err
	}
	dep, err := departmentID(ctx, tx, p.Department)
	if err != nil {
		return res, err
	}
	mgr, ignored, err := s.manager(ctx, tx, p.ManagerID, id)
	if err != nil {
		return res, err
	}
	res.ManagerIgnored = ignored
	res.Deactivated = e.User.Active && !p.Active
	losingAdmin := res.Deactivated && e.User.HasRole(models.RoleAdmin)
	if losingAdmin {
		if err := lockAdmins(tx); err != nil {
			return res, err
		}
	}
	if err := tx.WithContext(ctx).Model(&models.User{}).Where("id = ?", id).
		Updates(map[string]any{"email": p.Email, "active": p.Active, "updated_at": s.now()}).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return res, &ValidationError{Fields: FieldErrors{"email": "Someone already uses this e-mail address."}}
		}
		return res, fmt.Errorf("update user %d: %w", id, err)
	}
	if err := tx.WithContext(ctx).Model(&models.Employee{}).Where("user_id = ?", id).Updates(map[string]any{
		"full_name": p.FullName, "department_id": dep, "manager_id": mgr,
	}).Error; err != nil {
		return res, fmt.Errorf("update employee %d: %w", id, err)
	}
	if res.Deactivated {
		if err := tx.WithContext(ctx).Model(&models.Employee{}).Where("manager_id = ?", id).
			Update("manager_id", nil).Error; err != nil {
			return res, fmt.Errorf("unassign reports of %d: %w", id, err)
		}
	}
	if losingAdmin {
		if n, err := activeAdmins(tx); err != nil {
			return res, err
		} else if n == 0 {
			return res, ErrLastAdmin
		}
	}
	return res, nil
}

// SetProvidedRoles replaces person id's roles with roles, in tx, as an
// identity provider's groups decide them (app/rolemap computes the list).
// Unknown roles are dropped, the employee role is kept, and taking the admin
// role from the last active administrator is refused (ErrLastAdmin).
func (s *Service) SetProvidedRoles(ctx context.Context, tx *gorm.DB, id uint, roles []string) (changed bool, err error) {
	var u models.User
	if err := tx.WithContext(ctx).Preload("Roles").Where("id = ?", id).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return false, ErrNotFound
		}
		return false, fmt.Errorf("load user %d: %w", id, err)
	}
	want := []models.Role{models.RoleEmployee}
	for _, r := range roles {
		role := models.Role(strings.TrimSpace(r))
		if s.roles.Valid(role) && !slices.Contains(want, role) {
			want = append(want, role)
		}
	}
	have := u.RoleList()
	if len(have) == len(want) && !slices.ContainsFunc(want, func(r models.Role) bool { return !slices.Contains(have, r) }) {
		return false, nil
	}
	losingAdmin := u.Active && u.HasRole(models.RoleAdmin) && !slices.Contains(want, models.RoleAdmin)
	if losingAdmin {
		if err := lockAdmins(tx); err != nil {
			return false, err
		}
	}
	if err := tx.WithContext(ctx).Where("user_id = ?", id).Delete(&models.UserRole{}).Error; err != nil {
		return false, err
	}
	rs := make([]models.UserRole, len(want))
	for i, r := range want {
		rs[i] = models.UserRole{UserID: id, Role: r}
	}
	if err := tx.WithContext(ctx).Create(&rs).Error; err != nil {
		return false, err
	}
	if losingAdmin {
		if n, err := activeAdmins(tx); err != nil {
			return false, err
		} else if n == 0 {
			return false, ErrLastAdmin
		}
	}
	return true, nil
}
