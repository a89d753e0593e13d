package models_test

import (
	"reflect"
	"testing"

	"github.com/company-expenses/company-expenses/models"
)

func TestRoleValidAcceptsExactlyTheKnownRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role  models.Role
		valid bool
		label string
	}{
		{models.RoleEmployee, true, "Employee"},
		{models.RoleManager, true, "Manager"},
		{models.RoleFinance, true, "Finance"},
		{models.RoleAdmin, true, "Administrator"},
		{"Admin", false, "Admin"},
		{"superuser", false, "superuser"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := tt.role.Valid(); got != tt.valid {
			t.Errorf("Role(%q).Valid() = %v, want %v", tt.role, got, tt.valid)
		}
		if got := tt.role.Label(); got != tt.label {
			t.Errorf("Role(%q).Label() = %q, want %q", tt.role, got, tt.label)
		}
	}
}

func TestSetRolesKeepsKnownRolesOnceInDisplayOrder(t *testing.T) {
	t.Parallel()
	u := &models.User{ID: 7}
	u.SetRoles([]models.Role{models.RoleAdmin, "superuser", models.RoleEmployee, models.RoleAdmin})

	if got, want := u.RoleList(), []models.Role{models.RoleEmployee, models.RoleAdmin}; !reflect.DeepEqual(got, want) {
		t.Errorf("RoleList() = %v, want %v", got, want)
	}
	for _, ur := range u.Roles {
		if ur.UserID != 7 {
			t.Errorf("role %s belongs to user %d, want 7", ur.Role, ur.UserID)
		}
	}
	for role, want := range map[models.Role]bool{
		models.RoleEmployee: true, models.RoleAdmin: true,
		models.RoleManager: false, models.RoleFinance: false, "superuser": false,
	} {
		if got := u.HasRole(role); got != want {
			t.Errorf("HasRole(%s) = %v, want %v", role, got, want)
		}
	}
}

func TestSetRolesReplacesEarlierRoles(t *testing.T) {
	t.Parallel()
	u := &models.User{}
	u.SetRoles([]models.Role{models.RoleEmployee, models.RoleManager, models.RoleFinance})
	u.SetRoles([]models.Role{models.RoleFinance})
	if got, want := u.RoleList(), []models.Role{models.RoleFinance}; !reflect.DeepEqual(got, want) {
		t.Errorf("RoleList() = %v, want %v", got, want)
	}
	u.SetRoles(nil)
	if got := u.RoleList(); len(got) != 0 || u.HasRole(models.RoleFinance) {
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
