package people_test

import (
	"context"
	"testing"

	"github.com/company-expenses/company-expenses/models"
)

func TestGrantBootstrapAdminMakesAListedPersonAnAdministratorOnce(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	db, svc, ctx := c.db, c.svc, context.Background()
	listed := c.add(t, "it@example.com", "Ivy Tran", false, nil, models.RoleEmployee)
	other := c.add(t, "someone@example.com", "Sam One", true, nil, models.RoleEmployee)
	emails := []string{"it@example.com"}
	if granted, err := svc.GrantBootstrapAdmin(ctx, other.UserID, emails); err != nil || granted {
		t.Fatalf("unlisted person: granted=%v err=%v", granted, err)
	}
	if granted, err := svc.GrantBootstrapAdmin(ctx, listed.UserID, emails); err != nil || !granted {
		t.Fatalf("listed person: granted=%v err=%v", granted, err)
	}
	if granted, _ := svc.GrantBootstrapAdmin(ctx, listed.UserID, emails); granted {
		t.Error("granted twice")
	}
	var n int64
	db.Model(&models.UserRole{}).Where("user_id = ? AND role = ?", listed.UserID, models.RoleAdmin).Count(&n)
	if n != 1 {
		t.Errorf("%d admin roles, want 1", n)
	}
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
