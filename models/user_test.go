package models_test

import (
	"reflect"
	"testing"

	"github.com/company-expenses/company-expenses/models"
)

// auditor is a role a module might add (the template knows only employee
// and admin).
const auditor models.Role = "auditor"

func TestRolesRegistryKnowsTheBaseRolesAndTheRolesModulesAdd(t *testing.T) {
	t.Parallel()
	rs := models.BaseRoles().With(models.RoleDef{Role: auditor, Label: "Auditor"})
	tests := []struct {
		role  models.Role
		valid bool
		label string
	}{
		{models.RoleEmployee, true, "Employee"},
		{auditor, true, "Auditor"},
		{models.RoleAdmin, true, "Administrator"},
		{"Admin", false, "Admin"},
		{"superuser", false, "superuser"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := rs.Valid(tt.role); got != tt.valid {
			t.Errorf("Valid(%q) = %v, want %v", tt.role, got, tt.valid)
		}
		if got := rs.Label(tt.role); got != tt.label {
			t.Errorf("Label(%q) = %q, want %q", tt.role, got, tt.label)
		}
	}
	// A module's roles come before admin, as screens list them.
	if got, want := rs.All(), []models.Role{models.RoleEmployee, auditor, models.RoleAdmin}; !reflect.DeepEqual(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
	if models.BaseRoles().Valid(auditor) {
		t.Error("BaseRoles() knows a module's role; With must not change the registry it is called on")
	}
}

func TestRolesOfListsAUsersKnownRolesInDisplayOrder(t *testing.T) {
	t.Parallel()
	rs := models.BaseRoles().With(models.RoleDef{Role: auditor, Label: "Auditor"})
	u := &models.User{}
	u.SetRoles([]models.Role{models.RoleAdmin, "superuser", auditor, models.RoleEmployee})
	if got, want := rs.Of(u), []models.Role{models.RoleEmployee, auditor, models.RoleAdmin}; !reflect.DeepEqual(got, want) {
		t.Errorf("Of() = %v, want %v", got, want)
	}
	if got, want := rs.Labels(u), []string{"Employee", "Auditor", "Administrator"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Labels() = %v, want %v", got, want)
	}
}

func TestSetRolesKeepsEachRoleOnceInTheOrderGiven(t *testing.T) {
	t.Parallel()
	u := &models.User{ID: 7}
	u.SetRoles([]models.Role{models.RoleAdmin, "", models.RoleEmployee, models.RoleAdmin})

	if got, want := u.RoleList(), []models.Role{models.RoleAdmin, models.RoleEmployee}; !reflect.DeepEqual(got, want) {
		t.Errorf("RoleList() = %v, want %v", got, want)
	}
	for _, ur := range u.Roles {
		if ur.UserID != 7 {
			t.Errorf("role %s belongs to user %d, want 7", ur.Role, ur.UserID)
		}
	}
	for role, want := range map[models.Role]bool{
		models.RoleEmployee: true, models.RoleAdmin: true,
		auditor: false, "superuser": false,
	} {
		if got := u.HasRole(role); got != want {
			t.Errorf("HasRole(%s) = %v, want %v", role, got, want)
		}
	}
}

func TestSetRolesReplacesEarlierRoles(t *testing.T) {
	t.Parallel()
	u := &models.User{}
	u.SetRoles([]models.Role{models.RoleEmployee, auditor, models.RoleAdmin})
	u.SetRoles([]models.Role{auditor})
	if got, want := u.RoleList(), []models.Role{auditor}; !reflect.DeepEqual(got, want) {
		t.Errorf("RoleList() = %v, want %v", got, want)
	}
	u.SetRoles(nil)
	if got := u.RoleList(); len(got) != 0 || u.HasRole(auditor) {
		t.Errorf("after SetRoles(nil), RoleList() = %v, want none", got)
	}
}

func TestHasPasswordIsFalseForSSOAccounts(t *testing.T) {
	t.Parallel()
	if (&models.User{}).HasPassword() {
		t.Error("an account with an empty hash has a password")
	}
	if !(&models.User{PasswordHash: "$argon2id$..."}).HasPassword() {
		t.Error("an account with a hash has no password")
	}
}

func TestNormalizeEmailTrimsAndLowerCases(t *testing.T) {
	t.Parallel()
	if got := models.NormalizeEmail("  Alice.Smith@Example.COM\t"); got != "alice.smith@example.com" {
		t.Errorf("NormalizeEmail = %q", got)
	}
}
