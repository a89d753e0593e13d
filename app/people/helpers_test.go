package people_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// knownPassword is the password of every account the fixture creates.
const knownPassword = "correct horse battery"

// knownHash is hashed once for the whole package: Argon2id is slow on
// purpose, and the fixture does not need a fresh salt per account.
var knownHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(knownPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// company is a small world for the people service: a department, an
// administrator, a manager, an employee reporting to the manager, and an
// SSO-only account without a password.
type company struct {
	db       *gorm.DB
	svc      *people.Service
	dept     uint
	admin    *models.Employee
	manager  *models.Employee
	employee *models.Employee
	sso      *models.Employee
}

func newCompany(t *testing.T) *company {
	t.Helper()
	return newCompanyOn(t, dbtest.SQLite(t))
}

// newCompanyOn is newCompany on db (dbtest.EachDB's).
func newCompanyOn(t *testing.T, db *gorm.DB) *company {
	t.Helper()
	dept := models.Department{Name: "Engineering"}
	if err := db.Create(&dept).Error; err != nil {
		t.Fatal(err)
	}
	c := &company{db: db, svc: people.NewService(db, testRoles), dept: dept.ID}
	c.admin = c.add(t, "admin@example.com", "Adam Brooks", true, nil, models.RoleEmployee, models.RoleAdmin)
	c.manager = c.add(t, "manager@example.com", "Marcus Reed", true, nil, models.RoleEmployee, managerRole)
	c.employee = c.add(t, "employee@example.com", "Emily Carter", true, &c.manager.UserID, models.RoleEmployee)
	c.sso = c.add(t, "sso@example.com", "Sam Single", false, &c.manager.UserID, models.RoleEmployee)
	return c
}

// add creates an active employee; local ones get knownPassword, SSO ones no
// password at all.
func (c *company) add(t *testing.T, email, name string, local bool, manager *uint, roles ...models.Role) *models.Employee {
	t.Helper()
	e := models.NewLocalEmployee(email, name, roles...)
	e.IsLocalUser = local
	if local {
		e.User.PasswordHash = knownHash()
	}
	e.DepartmentID = &c.dept
	e.ManagerID = manager
	if err := models.CreateEmployee(c.db, e); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return e
}

// validForm is a form CreateLocal accepts; tests spoil one field of it.
func (c *company) validForm() people.Form {
	return people.Form{
		FullName:     "Nora Quinn",
		Email:        "nora.quinn@example.com",
		DepartmentID: id(c.dept),
		ManagerID:    id(c.manager.UserID),
		Roles:        []string{string(models.RoleEmployee)},
		Active:       true,
		Password:     "a long enough password",
	}
}

// formFor is the admin form of an existing person as the edit page fills it.
func (c *company) formFor(t *testing.T, userID uint) people.Form {
	t.Helper()
	e, err := c.svc.Get(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	f := people.Form{FullName: e.FullName, Email: e.User.Email, Active: e.User.Active}
	if e.DepartmentID != nil {
		f.DepartmentID = id(*e.DepartmentID)
	}
	if e.ManagerID != nil {
		f.ManagerID = id(*e.ManagerID)
	}
	for _, r := range e.User.RoleList() {
		f.Roles = append(f.Roles, string(r))
	}
	return f
}

func id(v uint) string { return strconv.FormatUint(uint64(v), 10) }

func (c *company) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (c *company) passwordHash(t *testing.T, userID uint) string {
	t.Helper()
	var h string
	if err := c.db.Raw("SELECT password_hash FROM users WHERE id = ?", userID).Row().Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// fieldErrors returns the field messages of a *people.ValidationError, and
// fails the test for any other error.
func fieldErrors(t *testing.T, err error) people.FieldErrors {
	t.Helper()
	var ve *people.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *people.ValidationError", err)
	}
	return ve.Fields
}

// managerRole is a role a module may add whose holders alone may be
// someone's manager (as the expenses demo's manager role does).
const managerRole models.Role = "manager"

// testRoles are the template's roles and managerRole, which people's
// manager rules are about.
var testRoles = models.BaseRoles().With(models.RoleDef{Role: managerRole, Label: "Manager", Manages: true})
