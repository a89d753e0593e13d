package seed_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/models"
)

// The template seeds its own few people without any module: the demo
// accounts of README that need no module's role, with the public password.
func TestTemplateRosterSeedsEmployeeAndAdminDemoAccountsWithoutAnyModule(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t) // the template's tables only
	created, err := seed.Company(context.Background(), db, seed.Template())
	if err != nil {
		t.Fatalf("seed.Company: %v", err)
	}
	if len(created) != len(seed.Template().People) {
		t.Fatalf("seeded %d people, want %d", len(created), len(seed.Template().People))
	}
	want := map[string][]models.Role{
		"employee@example.com": {models.RoleEmployee},
		"admin@example.com":    {models.RoleEmployee, models.RoleAdmin},
	}
	for email, roles := range want {
		var e models.Employee
		if err := db.Preload("User.Roles").Joins("User").Where("email = ?", email).Take(&e).Error; err != nil {
			t.Fatalf("no demo account %s: %v", email, err)
		}
		if got := models.BaseRoles().Of(&e.User); !reflect.DeepEqual(got, roles) {
			t.Errorf("%s has roles %v, want %v", email, got, roles)
		}
		if !auth.VerifyPassword(e.User.PasswordHash, seed.DemoPassword) {
			t.Errorf("%s does not take the demo password", email)
		}
		if !e.IsLocalUser || !e.User.Active {
			t.Errorf("%s: local %v, active %v; want an active local account", email, e.IsLocalUser, e.User.Active)
		}
	}
	again, err := seed.Company(context.Background(), db, seed.Template())
	if err != nil || again != nil {
		t.Errorf("second Company = %d employees, %v; want nil, nil", len(again), err)
	}
}

// Every person of the template's roster holds only the template's roles,
// in a listed department, with managers listed first.
func TestTemplateRosterIsConsistentWithTheTemplateRoles(t *testing.T) {
	t.Parallel()
	r := seed.Template()
	seen := map[string]bool{}
	for _, p := range r.People {
		if seen[p.Email] {
			t.Errorf("%s is listed twice", p.Email)
		}
		if !slices.Contains(r.Departments, p.Department) {
			t.Errorf("%s is in unknown department %q", p.Email, p.Department)
		}
		if p.Manager != "" && !seen[p.Manager] {
			t.Errorf("%s's manager %s is not listed before them", p.Email, p.Manager)
		}
		for _, role := range p.Roles {
			if !models.BaseRoles().Valid(role) {
				t.Errorf("%s has role %q, which the template does not know", p.Email, role)
			}
		}
		seen[p.Email] = true
	}
	for _, id := range seed.DevIdentities() {
		if id.Linked && !seen[id.Email] {
			t.Errorf("development identity %s is linked but not in the template's roster", id.Email)
		}
	}
}
