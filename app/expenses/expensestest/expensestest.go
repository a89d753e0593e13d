// Package expensestest gives tests a fresh, migrated database and a small
// company of people in every role, so that tests of the expenses domain, of
// the policy and of the HTTP handlers start from the same known world.
//
// SQLite is always available. PostgreSQL is used when TEST_DATABASE_URL names
// a server (postgres://…): every test then gets a throw-away schema, dropped
// at the end.
package expensestest

import (
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

// PostgresEnv names the environment variable that enables the PostgreSQL
// variants of the tests.
const PostgresEnv = dbtest.PostgresEnv

// SQLite opens a SQLite database in a file under t.TempDir, migrated as
// the app migrates it, expenses' own migrations and steps included (see
// dbtest.SQLite).
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return dbtest.SQLite(t, expenses.Migrations())
}

// Postgres opens a migrated, empty schema of its own in the PostgreSQL
// database named by TEST_DATABASE_URL, and drops it when the test ends. It
// skips the test when the variable is unset (see dbtest.Postgres).
func Postgres(t testing.TB) *gorm.DB {
	t.Helper()
	return dbtest.Postgres(t, expenses.Migrations())
}

// EachDB runs f as a subtest against SQLite and against PostgreSQL (which
// skips itself when TEST_DATABASE_URL is unset). The subtests run in
// parallel (see dbtest.EachDB).
func EachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	dbtest.EachDB(t, f, expenses.Migrations())
}

// Company is a small organisation with one person for every relationship
// the policy distinguishes. Owner reports to Manager; Peer also reports to
// Manager; OtherManager manages Outsider. Finance and Finance2 let tests
// check that finance cannot reimburse their own expenses but a colleague
// can. Inactive reports to Manager but is deactivated. All hold the
// employee role besides their own.
type Company struct {
	Owner        *models.Employee
	Manager      *models.Employee
	OtherManager *models.Employee
	Outsider     *models.Employee
	Peer         *models.Employee
	Finance      *models.Employee
	Finance2     *models.Employee
	Admin        *models.Employee
	Inactive     *models.Employee
	// Categories are Travel, Meals (both active) and Telephone (deactivated).
	Travel, Meals, Telephone models.Category
}

// NewCompany creates the Company's people and categories in db.
func NewCompany(t testing.TB, db *gorm.DB) *Company {
	t.Helper()
	c := &Company{}
	c.Manager = Employee(t, db, "manager@example.com", "Maria Manager", nil, models.RoleEmployee, models.RoleManager)
	c.OtherManager = Employee(t, db, "other.manager@example.com", "Oscar Othermanager", nil, models.RoleEmployee, models.RoleManager)
	c.Finance = Employee(t, db, "finance@example.com", "Fiona Finance", &c.Manager.UserID, models.RoleEmployee, models.RoleFinance)
	c.Finance2 = Employee(t, db, "finance2@example.com", "Frank Finance", &c.Manager.UserID, models.RoleEmployee, models.RoleFinance)
	c.Admin = Employee(t, db, "admin@example.com", "Ada Admin", &c.Manager.UserID, models.RoleEmployee, models.RoleAdmin)
	c.Owner = Employee(t, db, "employee@example.com", "Erin Employee", &c.Manager.UserID, models.RoleEmployee)
	c.Peer = Employee(t, db, "peer@example.com", "Pat Peer", &c.Manager.UserID, models.RoleEmployee)
	c.Outsider = Employee(t, db, "outsider@example.com", "Olga Outsider", &c.OtherManager.UserID, models.RoleEmployee)
	c.Inactive = Employee(t, db, "gone@example.com", "Gina Gone", &c.Manager.UserID, models.RoleEmployee)
	if err := db.Model(&models.User{}).Where("id = ?", c.Inactive.UserID).Update("active", false).Error; err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	c.Inactive.User.Active = false
	c.Travel = Category(t, db, "Travel", true)
	c.Meals = Category(t, db, "Meals", true)
	c.Telephone = Category(t, db, "Telephone", false)
	return c
}

// Employee creates an active local employee with the given manager and roles
// and returns it loaded as the session middleware loads the signed-in
// person: with User and User.Roles.
func Employee(t testing.TB, db *gorm.DB, email, name string, managerID *uint, roles ...models.Role) *models.Employee {
	t.Helper()
	e := models.NewLocalEmployee(email, name, roles...)
	e.ManagerID = managerID
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatalf("create employee %s: %v", email, err)
	}
	var loaded models.Employee
	if err := db.Preload("User.Roles").First(&loaded, "user_id = ?", e.UserID).Error; err != nil {
		t.Fatalf("load employee %s: %v", email, err)
	}
	return &loaded
}

// Category creates a category.
func Category(t testing.TB, db *gorm.DB, name string, active bool) models.Category {
	t.Helper()
	c := models.Category{Name: name, Active: true}
	if err := db.Create(&c).Error; err != nil {
		t.Fatalf("create category %s: %v", name, err)
	}
	if !active {
		// The column default is true, and gorm leaves false out of the INSERT.
		if err := db.Model(&c).Update("active", false).Error; err != nil {
			t.Fatalf("deactivate category %s: %v", name, err)
		}
		c.Active = false
	}
	return c
}
