package people_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// events returns the audit log, oldest first.
func events(t *testing.T, db *gorm.DB) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := db.Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func is(e audit.Entry, kind audit.Kind, actor, subject uint, detail string) bool {
	return e.Kind == kind && e.ActorID != nil && *e.ActorID == actor && e.SubjectID != nil && *e.SubjectID == subject && e.Detail == detail
}

func TestUpdateRecordsTheRoleDiffAndDeactivationByTheAdministratorInItsTransaction(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		c := newCompanyOn(t, db)
		ctx := audit.WithClient(context.Background(), "198.51.100.4", "Firefox")
		f := c.formFor(t, c.employee.UserID)
		f.Roles = []string{string(models.RoleAdmin), string(managerRole)} // +admin +manager -employee
		f.Active = false
		if _, err := c.svc.Update(ctx, c.admin.UserID, c.employee.UserID, f); err != nil {
			t.Fatal(err)
		}
		es := events(t, db)
		if len(es) != 2 {
			t.Fatalf("got %d events, want the role change and the deactivation: %+v", len(es), es)
		}
		if !is(es[0], audit.RolesChanged, c.admin.UserID, c.employee.UserID, "+admin +manager -employee") {
			t.Errorf("role change recorded as %+v", es[0])
		}
		if !is(es[1], audit.AccountDeactivated, c.admin.UserID, c.employee.UserID, "") || es[1].IP != "198.51.100.4" {
			t.Errorf("deactivation recorded as %+v", es[1])
		}

		// Reactivating, with nothing else changed, and setting a password.
		f = c.formFor(t, c.employee.UserID)
		f.Active, f.Password = true, "another long password"
		if _, err := c.svc.Update(ctx, c.admin.UserID, c.employee.UserID, f); err != nil {
			t.Fatal(err)
		}
		es = events(t, db)[2:]
		if len(es) != 2 || !is(es[0], audit.AccountReactivated, c.admin.UserID, c.employee.UserID, "") ||
			!is(es[1], audit.PasswordSet, c.admin.UserID, c.employee.UserID, "") {
			t.Errorf("reactivation and password: %+v", es)
		}

		// An edit that changes nothing of the kind records nothing.
		f = c.formFor(t, c.employee.UserID)
		f.FullName = "Emily Carter-Jones"
		if _, err := c.svc.Update(ctx, c.admin.UserID, c.employee.UserID, f); err != nil {
			t.Fatal(err)
		}
		if n := len(events(t, db)); n != 4 {
			t.Errorf("a name change added events: %d, want 4", n)
		}
	})
}

func TestUpdateThatRollsBackForTheLastAdministratorRecordsNothing(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		c := newCompanyOn(t, db)
		// Someone else takes the admin role from the last active
		// administrator: Update writes the change and its event, counts no
		// administrator left, and rolls both back.
		other := c.add(t, "other@example.com", "Olive Other", true, nil, models.RoleEmployee)
		if err := db.Exec("UPDATE users SET active = ? WHERE id = ?", false, other.UserID).Error; err != nil {
			t.Fatal(err)
		}
		f := c.formFor(t, c.admin.UserID)
		f.Roles = []string{string(models.RoleEmployee)}
		_, err := c.svc.Update(context.Background(), other.UserID, c.admin.UserID, f)
		if fieldErrors(t, err)["roles"] == "" {
			t.Fatalf("demoting the last administrator: %v", err)
		}
		if es := events(t, db); len(es) != 0 {
			t.Errorf("a refused change left events: %+v", es)
		}
	})
}

func TestChangePasswordAndCreateLocalByAreRecorded(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		c := newCompanyOn(t, db)
		ctx := context.Background()
		if err := c.svc.ChangePassword(ctx, c.employee.UserID, knownPassword, "a brand new password", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if err := c.svc.ChangePassword(ctx, c.employee.UserID, "wrong", "x", "y"); err == nil {
			t.Fatal("a wrong current password was accepted")
		}
		e, err := c.svc.CreateLocalBy(ctx, c.admin.UserID, c.validForm())
		if err != nil {
			t.Fatal(err)
		}
		es := events(t, db)
		if len(es) != 2 {
			t.Fatalf("got %+v, want the password change and the new account", es)
		}
		if !is(es[0], audit.PasswordChanged, c.employee.UserID, c.employee.UserID, "") {
			t.Errorf("password change recorded as %+v", es[0])
		}
		if !is(es[1], audit.AccountCreated, c.admin.UserID, e.UserID, "local account nora.quinn@example.com; roles +employee") {
			t.Errorf("new account recorded as %+v", es[1])
		}
	})
}

func TestBootstrapAdminGrantAndAccountAreRecordedAsTheSystem(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		svc := people.NewService(db, models.BaseRoles())
		if _, err := svc.EnsureBootstrapAdmin(ctx, "it@example.com", "IT", "a long enough password"); err != nil {
			t.Fatal(err)
		}
		es := events(t, db)
		if len(es) != 1 || es[0].Kind != audit.AccountCreated || es[0].Actor != "system" || es[0].ActorID != nil || es[0].SubjectID == nil {
			t.Fatalf("bootstrap account recorded as %+v", es)
		}
		// Nobody active is an administrator any more: the next listed
		// person who signs in becomes one.
		db.Exec("UPDATE users SET active = ?", false)
		e := models.NewLocalEmployee("boss@example.com", "Boss", models.RoleEmployee)
		if err := models.CreateEmployee(db, e); err != nil {
			t.Fatal(err)
		}
		if ok, err := svc.GrantBootstrapAdmin(ctx, e.UserID, []string{"boss@example.com"}, true); err != nil || !ok {
			t.Fatalf("grant: %v %v", ok, err)
		}
		es = events(t, db)
		if len(es) != 2 || es[1].Kind != audit.BootstrapAdminGranted || es[1].Actor != "system" || *es[1].SubjectID != e.UserID {
			t.Errorf("grant recorded as %+v", es[1:])
		}
		if ok, _ := svc.GrantBootstrapAdmin(ctx, e.UserID, []string{"boss@example.com"}, true); ok {
			t.Fatal("granted twice")
		}
		if n := len(events(t, db)); n != 2 {
			t.Errorf("a grant that did nothing was recorded (%d events)", n)
		}
	})
}

func TestRoleDiffListsGrantsThenRemovalsInOrder(t *testing.T) {
	t.Parallel()
	got := people.RoleDiff([]models.Role{"manager", "employee", "admin"}, []models.Role{"finance", "employee", "auditor"})
	if want := "+auditor +finance -admin -manager"; got != want {
		t.Errorf("RoleDiff = %q, want %q", got, want)
	}
	if got := people.RoleDiff([]models.Role{"employee"}, []models.Role{"employee"}); got != "" {
		t.Errorf("no change gives %q", got)
	}
}
