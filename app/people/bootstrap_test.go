package people_test

import (
	"context"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

func TestGrantBootstrapAdminMakesAListedPersonTheFirstAdministratorOnce(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	db, svc, ctx := c.db, c.svc, context.Background()
	// The fixture's administrator has left: the app has no active one.
	db.Model(&models.User{}).Where("id = ?", c.admin.UserID).Update("active", false)
	listed := c.add(t, "it@example.com", "Ivy Tran", false, nil, models.RoleEmployee)
	other := c.add(t, "someone@example.com", "Sam One", true, nil, models.RoleEmployee)
	emails := []string{"it@example.com"}
	if granted, err := svc.GrantBootstrapAdmin(ctx, other.UserID, emails, true); err != nil || granted {
		t.Fatalf("unlisted person: granted=%v err=%v", granted, err)
	}
	if granted, err := svc.GrantBootstrapAdmin(ctx, listed.UserID, emails, true); err != nil || !granted {
		t.Fatalf("listed person: granted=%v err=%v", granted, err)
	}
	if granted, _ := svc.GrantBootstrapAdmin(ctx, listed.UserID, emails, true); granted {
		t.Error("granted twice")
	}
	var n int64
	db.Model(&models.UserRole{}).Where("user_id = ? AND role = ?", listed.UserID, models.RoleAdmin).Count(&n)
	if n != 1 {
		t.Errorf("%d admin roles, want 1", n)
	}
}

func TestGrantBootstrapAdminDoesNothingWhileAnActiveAdministratorExists(t *testing.T) {
	t.Parallel()
	c := newCompany(t) // has an active administrator
	listed := c.add(t, "it@example.com", "Ivy Tran", true, nil, models.RoleEmployee)
	granted, err := c.svc.GrantBootstrapAdmin(context.Background(), listed.UserID, []string{"it@example.com"}, true)
	if err != nil || granted {
		t.Fatalf("granted=%v err=%v, want no grant: an administrator exists, so a demotion must stick", granted, err)
	}
}

func TestGrantBootstrapAdminRefusesAnUnverifiedAddress(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	c.db.Model(&models.User{}).Where("id = ?", c.admin.UserID).Update("active", false)
	listed := c.add(t, "it@example.com", "Ivy Tran", false, nil, models.RoleEmployee)
	granted, err := c.svc.GrantBootstrapAdmin(context.Background(), listed.UserID, []string{"it@example.com"}, false)
	if err != nil || granted {
		t.Fatalf("granted=%v err=%v, want no grant for an address the provider did not verify", granted, err)
	}
}

// Two listed people signing in at the same moment into an app without an
// administrator: exactly one of them becomes the first one.
func TestGrantBootstrapAdminGivesTheRoleToOneOfTwoSimultaneousFirstSignIns(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		svc := people.NewService(db, testRoles)
		a := createPerson(t, db, "first@example.com", models.RoleEmployee)
		b := createPerson(t, db, "second@example.com", models.RoleEmployee)
		emails := []string{"first@example.com", "second@example.com"}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []uint{a.UserID, b.UserID} {
			wg.Go(func() {
				_, errs[i] = svc.GrantBootstrapAdmin(context.Background(), id, emails, true)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		db.Model(&models.UserRole{}).Where("role = ?", models.RoleAdmin).Count(&n)
		if n != 1 {
			t.Errorf("%d administrators after two simultaneous first sign-ins, want 1", n)
		}
	})
}

func createPerson(t *testing.T, db *gorm.DB, email string, roles ...models.Role) *models.Employee {
	t.Helper()
	e := models.NewLocalEmployee(email, email, roles...)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return e
}

func TestEnsureBootstrapAdminCreatesALocalAdministratorOnlyOnce(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	db, svc, ctx := c.db, c.svc, context.Background()
	created, err := svc.EnsureBootstrapAdmin(ctx, "Root@Example.com", "Administrator", "a-long-enough-password")
	if err != nil || !created {
		t.Fatalf("created=%v err=%v", created, err)
	}
	if created, _ := svc.EnsureBootstrapAdmin(ctx, "root@example.com", "Administrator", "another-password"); created {
		t.Error("created a second account")
	}
	u, err := svc.Authenticate(ctx, "root@example.com", "a-long-enough-password")
	if err != nil {
		t.Fatalf("cannot sign in with the bootstrap password: %v", err)
	}
	var e models.Employee
	db.Preload("User.Roles").Take(&e, u.ID)
	if !e.User.HasRole(models.RoleAdmin) || !e.IsLocalUser {
		t.Errorf("roles %v, local %v", e.User.RoleList(), e.IsLocalUser)
	}
}
