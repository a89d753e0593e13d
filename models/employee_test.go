package models_test

import (
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

// isLocalUser reads the stored column with raw SQL, past anything gorm might
// fill in on the way back.
func isLocalUser(t *testing.T, db *gorm.DB, userID uint) bool {
	t.Helper()
	var v bool
	if err := db.Raw("SELECT is_local_user FROM employees WHERE user_id = ?", userID).Row().Scan(&v); err != nil {
		t.Fatalf("read is_local_user of %d: %v", userID, err)
	}
	return v
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestNewLocalEmployeeIsAnActiveLocalEmployeeWithNormalisedEmail(t *testing.T) {
	t.Parallel()
	e := models.NewLocalEmployee("  Alice.Smith@Example.COM ", "  Alice Smith ")
	if !e.IsLocalUser {
		t.Error("IsLocalUser = false, want true")
	}
	if !e.User.Active {
		t.Error("Active = false, want true")
	}
	if e.User.Email != "alice.smith@example.com" {
		t.Errorf("Email = %q, want alice.smith@example.com", e.User.Email)
	}
	if e.FullName != "Alice Smith" {
		t.Errorf("FullName = %q, want it trimmed", e.FullName)
	}
	if got, want := e.User.RoleList(), []models.Role{models.RoleEmployee}; !reflect.DeepEqual(got, want) {
		t.Errorf("default roles = %v, want %v", got, want)
	}
}

func TestNewLocalEmployeeTakesTheRolesGiven(t *testing.T) {
	t.Parallel()
	e := models.NewLocalEmployee("m@example.com", "M", auditor, models.RoleEmployee)
	if got, want := e.User.RoleList(), []models.Role{auditor, models.RoleEmployee}; !reflect.DeepEqual(got, want) {
		t.Errorf("roles = %v, want %v", got, want)
	}
}

// gorm leaves a false bool out of an INSERT when the column has a default,
// and the default is true: CreateEmployee must store false anyway.
func TestCreateEmployeeStoresIsLocalUserAsGiven(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	for _, tt := range []struct {
		email string
		local bool
	}{
		{"sso@example.com", false},
		{"local@example.com", true},
	} {
		local := tt.local
		e := models.NewLocalEmployee(tt.email, "Person")
		e.IsLocalUser = local
		if err := models.CreateEmployee(db, e); err != nil {
			t.Fatalf("CreateEmployee(IsLocalUser=%v): %v", local, err)
		}
		if e.IsLocalUser != local {
			t.Errorf("CreateEmployee changed the struct's IsLocalUser to %v", e.IsLocalUser)
		}
		if got := isLocalUser(t, db, e.UserID); got != local {
			t.Errorf("created with IsLocalUser=%v, stored %v", local, got)
		}
	}
}

func TestEmployeesInsertedWithoutIsLocalUserDefaultToLocal(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	if err := db.Exec("INSERT INTO users (email, active) VALUES (?, ?)", "raw@example.com", true).Error; err != nil {
		t.Fatal(err)
	}
	var id uint
	if err := db.Raw("SELECT id FROM users WHERE email = ?", "raw@example.com").Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO employees (user_id, full_name) VALUES (?, ?)", id, "Raw Insert").Error; err != nil {
		t.Fatalf("insert without is_local_user: %v", err)
	}
	if !isLocalUser(t, db, id) {
		t.Error("the column default of is_local_user is false, want true")
	}
}

func TestCreateEmployeeStoresUserRolesAndEmployeeTogether(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	e := models.NewLocalEmployee("Finance@Example.com", "Fiona Walsh", models.RoleEmployee, auditor)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	if e.UserID == 0 || e.UserID != e.User.ID {
		t.Fatalf("UserID = %d, User.ID = %d: want the same non-zero id", e.UserID, e.User.ID)
	}
	var got models.Employee
	if err := db.Preload("User.Roles").Where("user_id = ?", e.UserID).Take(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.User.Email != "finance@example.com" || got.FullName != "Fiona Walsh" {
		t.Errorf("stored %q / %q", got.User.Email, got.FullName)
	}
	if roles, want := models.BaseRoles().With(models.RoleDef{Role: auditor}).Of(&got.User), []models.Role{models.RoleEmployee, auditor}; !reflect.DeepEqual(roles, want) {
		t.Errorf("stored roles = %v, want %v", roles, want)
	}
}

func TestCreateEmployeeRefusesAnEmailInUseWithDuplicatedKey(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	if err := models.CreateEmployee(db, models.NewLocalEmployee("dup@example.com", "First")); err != nil {
		t.Fatal(err)
	}
	second := &models.Employee{User: models.User{Email: " DUP@example.com", Active: true}, FullName: "Second"}
	second.User.SetRoles([]models.Role{models.RoleEmployee})
	err := models.CreateEmployee(db, second)
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("second CreateEmployee with the same e-mail: err = %v, want gorm.ErrDuplicatedKey", err)
	}
	if n := count(t, db, "SELECT count(*) FROM employees"); n != 1 {
		t.Errorf("%d employees after the refused insert, want 1", n)
	}
}

// Deleting an account removes the person behind it: employees.user_id
// cascades, which needs SQLite's foreign keys switched on.
func TestDeletingAUserDeletesTheirEmployeeRow(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	e := models.NewLocalEmployee("leaver@example.com", "Leaver")
	e.User.SetRoles(nil)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	if err := db.Delete(&models.User{ID: e.UserID}).Error; err != nil {
		t.Fatalf("delete user: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM employees WHERE user_id = ?", e.UserID); n != 0 {
		t.Errorf("the employee row outlived its user")
	}
}

func TestDeletingAUserWithRolesDeletesTheirRoles(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	e := models.NewLocalEmployee("leaver@example.com", "Leaver", models.RoleEmployee)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	if err := db.Delete(&models.User{ID: e.UserID}).Error; err != nil {
		t.Fatalf("delete user: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM user_roles WHERE user_id = ?", e.UserID); n != 0 {
		t.Errorf("%d roles outlived their user", n)
	}
	if n := count(t, db, "SELECT count(*) FROM employees WHERE user_id = ?", e.UserID); n != 0 {
		t.Errorf("the employee row outlived its user")
	}
}

func TestForeignKeysRefuseAnEmployeeWithoutUser(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	if err := db.Exec("INSERT INTO employees (user_id, full_name) VALUES (?, ?)", 4242, "Ghost").Error; err == nil {
		t.Error("inserted an employee whose user does not exist: foreign keys are off")
	}
}

func TestInitialsTakesFirstAndLastInitial(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"Alice Smith", "AS"},
		{"alice", "A"},
		{"Mary Ann de la Cruz", "MC"},
		{"  emily   carter  ", "EC"},
		{"élodie durand", "ÉD"},
		{"Jean-Luc Picard", "JP"},
		{"3rd Floor Printer", "FP"},
		{"", "?"},
		{"   ", "?"},
		{"123 456", "?"},
	}
	for _, tt := range tests {
		if got := models.Initials(tt.name); got != tt.want {
			t.Errorf("Initials(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDisplayNameFallsBackToEmail(t *testing.T) {
	t.Parallel()
	e := models.NewLocalEmployee("nameless@example.com", "")
	if got := e.DisplayName(); got != "nameless@example.com" {
		t.Errorf("DisplayName() = %q, want the e-mail", got)
	}
	e.FullName = "Named Person"
	if got := e.DisplayName(); got != "Named Person" {
		t.Errorf("DisplayName() = %q, want the full name", got)
	}
}
