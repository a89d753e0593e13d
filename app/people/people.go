// Package people manages the company's people: local accounts created by
// administrators, their roles, department and manager, deactivation, and
// passwords. It holds the rules; app/web only translates HTTP to calls here.
package people

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/form"
	"github.com/company-expenses/company-expenses/app/rolemap"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/models"
)

// Errors a caller can show as they are.
var (
	ErrNotFound = errors.New("this person does not exist")
)

// errLastAdmin rolls back a change that would leave no active
// administrator; Update turns it into a message at the field.
var errLastAdmin = errors.New("the last active administrator")

// FieldErrors maps a form field to the message shown beside it: the app's
// one such map (app/form).
type FieldErrors = form.Errors

// ValidationError carries the messages for the fields that need fixing.
type ValidationError struct{ Fields FieldErrors }

func (e *ValidationError) Error() string {
	var parts []string
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Service reads and changes people.
type Service struct {
	db    *gorm.DB
	roles models.Roles
	// roleMap is SSO_ROLE_MAP: the roles it names are the identity
	// provider's for everyone who signs in with SSO (see ProviderManaged).
	roleMap rolemap.Map
	now     func() time.Time
	// viewerQuery is SessionViewer's statement (session_viewer.go).
	viewerQuery *viewerQuery
}

// NewService returns a Service on db that accepts the roles of the registry
// roles (the template's and the modules', collected in app/app.go).
func NewService(db *gorm.DB, roles models.Roles) *Service {
	return &Service{db: db, roles: roles, now: func() time.Time { return time.Now().UTC() }, viewerQuery: &viewerQuery{}}
}

// Roles is the registry of roles the service accepts.
func (s *Service) Roles() models.Roles { return s.roles }

// SetRoleMap hands the service SSO_ROLE_MAP, whose roles the admin form may
// not change for people who sign in with SSO. app/app.go calls it once,
// right after NewService.
func (s *Service) SetRoleMap(m rolemap.Map) { s.roleMap = m }

// RoleMap is the SSO_ROLE_MAP the service was given.
func (s *Service) RoleMap() rolemap.Map { return s.roleMap }

// ProviderManaged returns the roles the identity provider manages for the
// person with these linked providers: those SSO_ROLE_MAP names, once they
// have an SSO identity (every SSO sign-in resets them to what their groups
// grant), and none for people who sign in with a password only.
func (s *Service) ProviderManaged(providers []string) []models.Role {
	if len(providers) == 0 || s.roleMap.Empty() {
		return nil
	}
	var out []models.Role
	for _, r := range s.roleMap.ManagedRoles() {
		out = append(out, models.Role(r))
	}
	return out
}

// Get returns the employee with the given user id, with user, roles,
// department and manager loaded.
func (s *Service) Get(ctx context.Context, id uint) (*models.Employee, error) {
	var e models.Employee
	err := s.db.WithContext(ctx).Preload("User.Roles").Preload("Department").Preload("Manager").
		Where("user_id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %d: %w", id, err)
	}
	return &e, nil
}

// Viewer returns the employee with the given user id as every signed-in
// request needs them: user and roles, which the policy and the navigation
// widget read. It leaves department and manager unloaded (Get loads them),
// which saves two queries on every page view.
func (s *Service) Viewer(ctx context.Context, id uint) (*models.Employee, error) {
	var e models.Employee
	err := s.db.WithContext(ctx).Preload("User.Roles").Where("user_id = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee %d: %w", id, err)
	}
	return &e, nil
}

// ListItem is one row of the admin user list.
type ListItem struct {
	models.Employee
	Providers []string
}

// List returns everyone, ordered by name, with their linked SSO providers.
func (s *Service) List(ctx context.Context) ([]ListItem, error) {
	var emps []models.Employee
	if err := s.db.WithContext(ctx).Preload("User.Roles").Preload("Department").Preload("Manager").
		Order("full_name").Find(&emps).Error; err != nil {
		return nil, fmt.Errorf("list employees: %w", err)
	}
	// identities is the SSO module's table; only its user_id and provider
	// are read here.
	var ids []struct {
		UserID   uint
		Provider string
	}
	if err := s.db.WithContext(ctx).Table("identities").Select("user_id", "provider").Order("provider").Find(&ids).Error; err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	byUser := map[uint][]string{}
	for _, id := range ids {
		byUser[id.UserID] = append(byUser[id.UserID], id.Provider)
	}
	out := make([]ListItem, len(emps))
	for i, e := range emps {
		out[i] = ListItem{Employee: e, Providers: byUser[e.UserID]}
	}
	return out, nil
}

// NeedsManager reports whether the person signs in with single sign-on, is
// active and has no manager: provisioned from a directory that named no
// manager known here, so nobody approves what they submit until an
// administrator (or the directory) names one.
func (i ListItem) NeedsManager() bool {
	return i.User.Active && len(i.Providers) > 0 && i.ManagerID == nil
}

// CountNeedingManager counts the people for whom NeedsManager is true.
func (s *Service) CountNeedingManager(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Employee{}).
		Joins("JOIN users ON users.id = employees.user_id").
		Where("users.active = ? AND employees.manager_id IS NULL", true).
		Where("EXISTS (SELECT 1 FROM identities WHERE identities.user_id = employees.user_id)").
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count people needing a manager: %w", err)
	}
	return n, nil
}

// Departments returns every department by name.
func (s *Service) Departments(ctx context.Context) ([]models.Department, error) {
	var ds []models.Department
	err := s.db.WithContext(ctx).Order("name").Find(&ds).Error
	return ds, err
}

// Managers returns the people the admin form accepts as someone's manager,
// by name: the active people, and of them only those who hold the manager
// role when a module has one (models.RoleDef.Manages; the expenses demo's
// managers approve their reports' expenses).
func (s *Service) Managers(ctx context.Context) ([]models.Employee, error) {
	var ms []models.Employee
	q := s.db.WithContext(ctx)
	if role, ok := s.roles.ManagerRole(); ok {
		q = q.Joins("JOIN user_roles ON user_roles.user_id = employees.user_id AND user_roles.role = ?", role)
	}
	err := q.Joins("JOIN users ON users.id = employees.user_id AND users.active = ?", true).
		Order("full_name").Find(&ms).Error
	return ms, err
}

// mayManage reports whether m may be someone's manager: active, and holding
// the manager role when there is one.
func (s *Service) mayManage(m *models.Employee) bool {
	role, ok := s.roles.ManagerRole()
	return m.User.Active && (!ok || m.User.HasRole(role))
}

// managerHint tells the admin whom to choose as a manager.
func (s *Service) managerHint() string {
	if role, ok := s.roles.ManagerRole(); ok {
		return "Choose an active person with the " + strings.ToLower(s.roles.Label(role)) + " role."
	}
	return "Choose an active person."
}

// LinkedProviders returns the names of the SSO providers linked to a
// person, in order.
func (s *Service) LinkedProviders(ctx context.Context, userID uint) ([]string, error) {
	var ps []string
	err := s.db.WithContext(ctx).Table("identities").Where("user_id = ?", userID).
		Order("provider").Pluck("provider", &ps).Error
	if err != nil {
		return nil, fmt.Errorf("list providers of %d: %w", userID, err)
	}
	return ps, nil
}

// Form is the admin form for a person, as typed.
type Form struct {
	FullName     string
	Email        string
	DepartmentID string
	ManagerID    string
	Roles        []string
	Active       bool
	// Password is required when creating a local account, optional when
	// editing one (empty keeps the current password).
	Password string
	// Invite creates the account without a password, for CreateInvited:
	// the person chooses one through their invitation.
	Invite bool
}

type checked struct {
	fullName     string
	email        string
	departmentID *uint
	managerID    *uint
	roles        []models.Role
}

func (s *Service) validate(ctx context.Context, f Form, self uint, creating bool) (checked, error) {
	errs := FieldErrors{}
	var c checked
	fullName, problem := textcheck.Clean(f.FullName, false)
	c.fullName = fullName
	switch n := utf8.RuneCountInString(c.fullName); {
	case problem != "":
		errs["full_name"] = problem
	case n == 0:
		errs["full_name"] = "Enter the person's full name."
	case n > 200:
		errs["full_name"] = "Use at most 200 characters."
	}
	c.email = models.NormalizeEmail(f.Email)
	if msg := CheckEmail(c.email); msg != "" {
		errs["email"] = msg
	} else {
		var n int64
		if err := s.db.WithContext(ctx).Model(&models.User{}).Where("email = ? AND id <> ?", c.email, self).Count(&n).Error; err != nil {
			return c, fmt.Errorf("check e-mail is free: %w", err)
		}
		if n > 0 {
			errs["email"] = "Someone already uses this e-mail address."
		}
	}
	if f.DepartmentID != "" {
		id, err := strconv.ParseUint(f.DepartmentID, 10, 32)
		var n int64
		if err == nil {
			if err := s.db.WithContext(ctx).Model(&models.Department{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return c, fmt.Errorf("check department %d: %w", id, err)
			}
		}
		if n == 0 {
			errs["department_id"] = "Choose a department from the list."
		} else {
			v := uint(id)
			c.departmentID = &v
		}
	}
	if f.ManagerID != "" {
		id, err := strconv.ParseUint(f.ManagerID, 10, 32)
		var m *models.Employee
		if err == nil && uint(id) != self {
			m, err = s.Get(ctx, uint(id))
			if err != nil && !errors.Is(err, ErrNotFound) {
				return c, err
			}
		}
		// The manager must be able to act for their reports (the demo's
		// managers approve their expenses), which takes an account that
		// can still sign in, and the manager role when there is one.
		switch {
		case err == nil && uint(id) == self && self != 0:
			errs["manager_id"] = "A person cannot be their own manager."
		case m == nil:
			errs["manager_id"] = "Choose a manager from the list."
		case !s.mayManage(m):
			errs["manager_id"] = s.managerHint()
		default:
			v := uint(id)
			c.managerID = &v
		}
	}
	for _, r := range f.Roles {
		role := models.Role(r)
		if !s.roles.Valid(role) {
			errs["roles"] = "Choose roles from the list."
			break
		}
		c.roles = append(c.roles, role)
	}
	if len(c.roles) == 0 && errs["roles"] == "" {
		errs["roles"] = "Give the person at least one role."
	}
	if (creating && !f.Invite) || f.Password != "" {
		if msg := auth.CheckNewPassword(f.Password); msg != "" {
			errs["password"] = msg
		}
	}
	if len(errs) > 0 {
		return c, &ValidationError{Fields: errs}
	}
	return c, nil
}

// CheckEmail returns a message when email is not a plausible address.
func CheckEmail(email string) string {
	switch {
	case email == "":
		return "Enter an e-mail address."
	case len(email) > 254:
		return "Use at most 254 characters."
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return "Enter an e-mail address such as name@example.com."
	}
	return ""
}

// CreateLocal creates a local account (IsLocalUser = true) from the admin
// form, recorded in the audit log as made by the system (scripts, tests);
// the admin screen calls CreateLocalBy.
func (s *Service) CreateLocal(ctx context.Context, f Form) (*models.Employee, error) {
	return s.CreateLocalBy(ctx, 0, f)
}

// CreateLocalBy is CreateLocal by the administrator actorID (0: the
// system), who is named in the audit log.
func (s *Service) CreateLocalBy(ctx context.Context, actorID uint, f Form) (*models.Employee, error) {
	f.Invite = false
	return s.create(ctx, actorID, f, nil)
}

// CreateInvited creates a local account without a password from the admin
// form (its Password is ignored) by the administrator actorID, and calls
// invite in the same transaction to send the invitation (app/accountlink),
// so that nobody is added without their invitation, nor invited without
// being added.
func (s *Service) CreateInvited(ctx context.Context, actorID uint, f Form, invite func(tx *gorm.DB, e *models.Employee) error) (*models.Employee, error) {
	f.Invite, f.Password = true, ""
	return s.create(ctx, actorID, f, invite)
}

func (s *Service) create(ctx context.Context, actorID uint, f Form, then func(tx *gorm.DB, e *models.Employee) error) (*models.Employee, error) {
	c, err := s.validate(ctx, f, 0, true)
	if err != nil {
		return nil, err
	}
	e := models.NewLocalEmployee(c.email, c.fullName, c.roles...)
	if !f.Invite {
		if e.User.PasswordHash, err = auth.HashPassword(f.Password); err != nil {
			return nil, err
		}
	}
	e.User.Active = f.Active
	e.DepartmentID, e.ManagerID = c.departmentID, c.managerID
	by := audit.System
	if actorID != 0 {
		by = audit.ByUser(actorID)
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.CreateEmployee(tx, e); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{Kind: audit.AccountCreated, Actor: by, SubjectID: e.UserID,
			Detail: "local account " + e.User.Email + "; roles " + RoleDiff(nil, c.roles) + activeNote(f.Active) + inviteNote(f.Invite)}); err != nil {
			return err
		}
		if then != nil {
			return then(tx, e)
		}
		return nil
	})
	if database.IsUniqueViolation(err) {
		return nil, &ValidationError{Fields: FieldErrors{"email": "Someone already uses this e-mail address."}}
	}
	if err != nil {
		return nil, fmt.Errorf("create employee: %w", err)
	}
	return e, nil
}

// Update changes a person from the admin form. actorID is the administrator;
// administrators cannot deactivate themselves or take away their own admin
// role, so that the last way into the admin screens is never closed by
// accident. Nor can anyone stop being a manager, by role or by
// deactivation, while people still report to them: their expenses would
// wait for an approver who cannot approve. It reports whether the person
// was deactivated, so that the caller can end their sessions.
func (s *Service) Update(ctx context.Context, actorID, id uint, f Form) (deactivated bool, err error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return false, err
	}
	c, err := s.validate(ctx, f, id, false)
	if err != nil {
		return false, err
	}
	fe := FieldErrors{}
	providers, err := s.LinkedProviders(ctx, id)
	if err != nil {
		return false, err
	}
	for _, r := range s.ProviderManaged(providers) {
		if e.User.HasRole(r) != slices.Contains(c.roles, r) {
			fe["roles"] = fmt.Sprintf("The %s role of %s is managed by the identity provider through SSO_ROLE_MAP (groups %s): change their groups there.",
				strings.ToLower(s.roles.Label(r)), e.DisplayName(), strings.Join(s.roleMap.Groups(string(r)), " or "))
			break
		}
	}
	if id == actorID {
		if !f.Active {
			fe["active"] = "You cannot deactivate your own account."
		}
		if !slices.Contains(c.roles, models.RoleAdmin) {
			fe["roles"] = "You cannot remove your own administrator role."
		}
	}
	deactivating := e.User.Active && !f.Active
	managerRole, hasManagerRole := s.roles.ManagerRole()
	losingManager := hasManagerRole && e.User.HasRole(managerRole) && !slices.Contains(c.roles, managerRole)
	if deactivating || losingManager {
		var reports int64
		if err := s.db.WithContext(ctx).Model(&models.Employee{}).Where("manager_id = ?", id).Count(&reports).Error; err != nil {
			return false, fmt.Errorf("count reports of %d: %w", id, err)
		}
		if reports > 0 {
			msg := fmt.Sprintf("%s manages %s; choose another manager for them first.", e.DisplayName(), peopleCount(reports))
			if deactivating && fe["active"] == "" {
				fe["active"] = msg
			}
			if losingManager && fe["roles"] == "" {
				fe["roles"] = msg
			}
		}
	}
	if len(fe) > 0 {
		return false, &ValidationError{Fields: fe}
	}
	if f.Password != "" && !e.IsLocalUser && !e.User.HasPassword() {
		return false, &ValidationError{Fields: FieldErrors{"password": "This person signs in with SSO; they have no password to set."}}
	}
	losingAdmin := e.User.Active && e.User.HasRole(models.RoleAdmin) && (!f.Active || !slices.Contains(c.roles, models.RoleAdmin))
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if losingAdmin {
			if err := lockAdmins(tx); err != nil {
				return err
			}
		}
		updates := map[string]any{"email": c.email, "active": f.Active, "updated_at": s.now()}
		if f.Password != "" {
			hash, err := auth.HashPassword(f.Password)
			if err != nil {
				return err
			}
			updates["password_hash"] = hash
		}
		if err := tx.Model(&models.User{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Employee{}).Where("user_id = ?", id).Updates(map[string]any{
			"full_name": c.fullName, "department_id": c.departmentID, "manager_id": c.managerID,
		}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", id).Delete(&models.UserRole{}).Error; err != nil {
			return err
		}
		rs := make([]models.UserRole, len(c.roles))
		for i, r := range c.roles {
			rs[i] = models.UserRole{UserID: id, Role: r}
		}
		if err := tx.Create(&rs).Error; err != nil {
			return err
		}
		if err := recordUpdate(ctx, tx, actorID, e, c.roles, f.Active, f.Password != ""); err != nil {
			return err
		}
		// Counted after the change and under the lock, so that two
		// administrators demoting each other at the same moment cannot
		// both succeed: the second one sees the first one's change.
		if losingAdmin {
			if n, err := activeAdmins(tx); err != nil {
				return err
			} else if n == 0 {
				return errLastAdmin
			}
		}
		return nil
	})
	if errors.Is(err, errLastAdmin) {
		msg := e.DisplayName() + " is the last active administrator; make someone else an administrator first."
		if !f.Active {
			return false, &ValidationError{Fields: FieldErrors{"active": msg}}
		}
		return false, &ValidationError{Fields: FieldErrors{"roles": msg}}
	}
	if database.IsUniqueViolation(err) {
		return false, &ValidationError{Fields: FieldErrors{"email": "Someone already uses this e-mail address."}}
	}
	if err != nil {
		return false, fmt.Errorf("update employee %d: %w", id, err)
	}
	return e.User.Active && !f.Active, nil
}

func peopleCount(n int64) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// ChangePassword changes a local account's password after checking the
// current one.
func (s *Service) ChangePassword(ctx context.Context, id uint, current, next, confirm string) error {
	e, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !e.User.HasPassword() {
		return &ValidationError{Fields: FieldErrors{"current": "Your account signs in with single sign-on and has no password here. Change your password at your identity provider."}}
	}
	errs := FieldErrors{}
	if current == "" {
		errs["current"] = "Enter your current password."
	} else if len(current) > auth.MaxPasswordLength || !auth.VerifyPassword(e.User.PasswordHash, current) {
		errs["current"] = "This is not your current password."
	}
	if msg := auth.CheckNewPassword(next); msg != "" {
		errs["new"] = msg
	} else if next != confirm {
		errs["confirm"] = "The two new passwords differ."
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", id).
			Updates(map[string]any{"password_hash": hash, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Kind: audit.PasswordChanged, Actor: audit.ByUser(id), SubjectID: id})
	})
}

// Errors of Authenticate.
var (
	// ErrBadCredentials means the e-mail is unknown or the password wrong;
	// the two are deliberately not told apart.
	ErrBadCredentials = errors.New("wrong e-mail or password")
	// ErrNoPassword means the account signs in only through SSO.
	ErrNoPassword = errors.New("account has no password")
)

// Authenticate checks an e-mail and password and returns the user when they
// match, whatever the user's active flag: the caller decides what to tell a
// deactivated person once the password has proved who they are. Unknown
// e-mails cost as much time as wrong passwords.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*models.User, error) {
	var u models.User
	err := s.db.WithContext(ctx).Where("email = ?", models.NormalizeEmail(email)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		auth.BurnPasswordCheck(password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if !u.HasPassword() {
		auth.BurnPasswordCheck(password)
		return &u, ErrNoPassword
	}
	if !auth.VerifyPassword(u.PasswordHash, password) {
		return nil, ErrBadCredentials
	}
	return &u, nil
}

// RecordLogin stamps the user's last sign-in time.
func (s *Service) RecordLogin(ctx context.Context, id uint) error {
	return s.db.WithContext(ctx).Model(&models.User{}).Where("id = ?", id).Update("last_login_at", s.now()).Error
}

func activeNote(active bool) string {
	if active {
		return ""
	}
	return "; deactivated"
}

// inviteNote tells in the audit log that the account waits for its
// invitation to be accepted.
func inviteNote(invite bool) string {
	if invite {
		return "; invited by e-mail"
	}
	return ""
}
