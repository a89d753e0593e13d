package people_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// A manager approves their reports' expenses, so only someone who can
// approve may be chosen.
func TestManagerMustBeAnActivePersonWithTheManagerRole(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	inactive := c.add(t, "gone.manager@example.com", "Gone Manager", true, nil, models.RoleEmployee, managerRole)
	if err := c.db.Model(&models.User{}).Where("id = ?", inactive.UserID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	const want = "Choose an active person with the manager role."
	for _, tc := range []struct {
		name    string
		manager uint
	}{
		{"an employee without the manager role", c.employee.UserID},
		{"an administrator without the manager role", c.admin.UserID},
		{"a deactivated manager", inactive.UserID},
	} {
		f := c.validForm()
		f.ManagerID = id(tc.manager)
		if _, err := c.svc.CreateLocal(context.Background(), f); fieldErrors(t, err)["manager_id"] != want {
			t.Errorf("CreateLocal with %s: manager_id = %q, want %q", tc.name, fieldErrors(t, err)["manager_id"], want)
		}
		u := c.formFor(t, c.sso.UserID)
		u.ManagerID = id(tc.manager)
		if _, err := c.svc.Update(context.Background(), c.admin.UserID, c.sso.UserID, u); fieldErrors(t, err)["manager_id"] != want {
			t.Errorf("Update with %s: manager_id = %q, want %q", tc.name, fieldErrors(t, err)["manager_id"], want)
		}
	}
	if n := c.count(t, "SELECT count(*) FROM employees WHERE user_id = ? AND manager_id = ?", c.sso.UserID, c.manager.UserID); n != 1 {
		t.Error("a refused update changed the manager")
	}
}

// The template alone has no manager role: any active person may then be
// someone's manager, and the admin form offers exactly them.
func TestWithoutAManagerRoleAnyActivePersonMayBeAManager(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	svc := people.NewService(c.db, models.BaseRoles())
	ctx := context.Background()
	f := c.validForm()
	f.ManagerID = id(c.employee.UserID) // holds no manager role
	created, err := svc.CreateLocal(ctx, f)
	if err != nil {
		t.Fatalf("CreateLocal with an employee as manager: %v", err)
	}
	if n := c.count(t, "SELECT count(*) FROM employees WHERE user_id = ? AND manager_id = ?", created.UserID, c.employee.UserID); n != 1 {
		t.Error("the employee was not stored as the new person's manager")
	}
	if err := c.db.Model(&models.User{}).Where("id = ?", c.admin.UserID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	f = c.validForm()
	f.Email = "second@example.com"
	f.ManagerID = id(c.admin.UserID) // deactivated
	if _, err := svc.CreateLocal(ctx, f); fieldErrors(t, err)["manager_id"] != "Choose an active person." {
		t.Errorf("CreateLocal with a deactivated manager: manager_id = %q, want %q", fieldErrors(t, err)["manager_id"], "Choose an active person.")
	}
	ms, err := svc.Managers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.FullName)
	}
	if want := []string{"Emily Carter", "Marcus Reed", "Nora Quinn", "Sam Single"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Managers() = %v, want every active person %v", names, want)
	}
}

func TestUpdateRefusesEndingAManagerWhoStillHasReports(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	// Marcus manages Emily and Sam.
	const want = "Marcus Reed manages 2 people; choose another manager for them first."
	for _, tc := range []struct {
		name  string
		spoil func(*people.Form)
		field string
	}{
		{"removing the manager role", func(f *people.Form) { f.Roles = []string{"employee"} }, "roles"},
		{"deactivating", func(f *people.Form) { f.Active = false }, "active"},
	} {
		f := c.formFor(t, c.manager.UserID)
		tc.spoil(&f)
		_, err := c.svc.Update(ctx, c.admin.UserID, c.manager.UserID, f)
		if got := fieldErrors(t, err)[tc.field]; got != want {
			t.Errorf("%s: %s = %q, want %q", tc.name, tc.field, got, want)
		}
	}
	after, err := c.svc.Get(ctx, c.manager.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.User.Active || !after.User.HasRole(managerRole) {
		t.Fatalf("after refused updates: active=%v, roles=%v; want an active manager", after.User.Active, after.User.RoleList())
	}

	// Once the reports have another manager, Marcus may step down.
	other := c.add(t, "other.manager@example.com", "Olivia Grant", true, nil, models.RoleEmployee, managerRole)
	for _, report := range []uint{c.employee.UserID, c.sso.UserID} {
		f := c.formFor(t, report)
		f.ManagerID = id(other.UserID)
		if _, err := c.svc.Update(ctx, c.admin.UserID, report, f); err != nil {
			t.Fatalf("move report %d: %v", report, err)
		}
	}
	f := c.formFor(t, c.manager.UserID)
	f.Roles, f.Active = []string{"employee"}, false
	if _, err := c.svc.Update(ctx, c.admin.UserID, c.manager.UserID, f); err != nil {
		t.Errorf("Update of a manager without reports: %v", err)
	}
}

func TestUpdateNamesOnePersonInTheReportsMessage(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	lead := c.add(t, "lead@example.com", "Priya Shah", true, nil, models.RoleEmployee, managerRole)
	c.add(t, "report@example.com", "Rita Report", true, &lead.UserID, models.RoleEmployee)
	f := c.formFor(t, lead.UserID)
	f.Active = false
	_, err := c.svc.Update(context.Background(), c.admin.UserID, lead.UserID, f)
	if got, want := fieldErrors(t, err)["active"], "Priya Shah manages 1 person; choose another manager for them first."; got != want {
		t.Errorf("active = %q, want %q", got, want)
	}
}

func TestManagersLeavesOutDeactivatedManagers(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	gone := c.add(t, "gone.manager@example.com", "Gone Manager", true, nil, models.RoleEmployee, managerRole)
	if err := c.db.Model(&models.User{}).Where("id = ?", gone.UserID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	ms, err := c.svc.Managers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].UserID != c.manager.UserID {
		t.Errorf("Managers() returned %d people, want only %s", len(ms), c.manager.FullName)
	}
}

func TestLinkedProvidersListsThePersonsProvidersInOrder(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	for _, idn := range []sso.Identity{
		{Provider: "okta", Subject: "s1", UserID: c.employee.UserID},
		{Provider: "google", Subject: "s2", UserID: c.employee.UserID},
		{Provider: "google", Subject: "s3", UserID: c.manager.UserID},
	} {
		if err := c.db.Create(&idn).Error; err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.svc.LinkedProviders(context.Background(), c.employee.UserID)
	if err != nil {
		t.Fatalf("LinkedProviders: %v", err)
	}
	if want := []string{"google", "okta"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LinkedProviders = %v, want %v", got, want)
	}
	if got, err := c.svc.LinkedProviders(context.Background(), c.admin.UserID); err != nil || len(got) != 0 {
		t.Errorf("LinkedProviders of someone without SSO = %v, %v; want none", got, err)
	}
}
