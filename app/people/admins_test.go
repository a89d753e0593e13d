package people_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// Two administrators, each taking the other's role (or account) away at
// the same moment: one change goes through, the other is refused, and an
// active administrator remains.
func TestTwoAdministratorsRemovingEachOtherAtOnceLeaveOneAdministrator(t *testing.T) {
	t.Parallel()
	for _, change := range []struct {
		name  string
		spoil func(*people.Form)
		field string
	}{
		{"demote", func(f *people.Form) { f.Roles = []string{string(models.RoleEmployee)} }, "roles"},
		{"deactivate", func(f *people.Form) { f.Active = false }, "active"},
	} {
		t.Run(change.name, func(t *testing.T) {
			t.Parallel()
			dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
				svc := people.NewService(db, testRoles)
				a := createPerson(t, db, "a@example.com", models.RoleEmployee, models.RoleAdmin)
				b := createPerson(t, db, "b@example.com", models.RoleEmployee, models.RoleAdmin)
				pairs := [][2]uint{{a.UserID, b.UserID}, {b.UserID, a.UserID}}
				forms := make([]people.Form, 2)
				for i, p := range pairs {
					forms[i] = people.Form{FullName: "Admin", Email: emailOf(t, db, p[1]), Active: true,
						Roles: []string{string(models.RoleEmployee), string(models.RoleAdmin)}}
					change.spoil(&forms[i])
				}
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for i, p := range pairs {
					wg.Go(func() { _, errs[i] = svc.Update(context.Background(), p[0], p[1], forms[i]) })
				}
				wg.Wait()
				refused := 0
				for _, err := range errs {
					var ve *people.ValidationError
					switch {
					case err == nil:
					case errors.As(err, &ve) && strings.Contains(ve.Fields[change.field], "last active administrator"):
						refused++
					default:
						t.Fatalf("unexpected error: %v", err)
					}
				}
				var n int64
				db.Model(&models.UserRole{}).Joins("JOIN users ON users.id = user_roles.user_id").
					Where("user_roles.role = ? AND users.active = ?", models.RoleAdmin, true).Count(&n)
				if n != 1 || refused != 1 {
					t.Errorf("%d active administrators, %d changes refused; want 1 and 1", n, refused)
				}
			})
		})
	}
}

func TestUpdateRefusesToRemoveTheLastActiveAdministratorWithAMessageAtTheField(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	// A second administrator, whom the fixture's only active administrator
	// would otherwise be able to remove... after the first one has left.
	other := c.add(t, "second.admin@example.com", "Second Admin", true, nil, models.RoleEmployee, models.RoleAdmin)
	c.db.Model(&models.User{}).Where("id = ?", c.admin.UserID).Update("active", false)
	for _, tt := range []struct {
		name  string
		spoil func(*people.Form)
		field string
	}{
		{"demote", func(f *people.Form) { f.Roles = []string{"employee"} }, "roles"},
		{"deactivate", func(f *people.Form) { f.Active = false }, "active"},
	} {
		f := c.formFor(t, other.UserID)
		tt.spoil(&f)
		// The actor is the inactive administrator: in the app a session
		// would be gone, but the rule must hold whoever asks.
		_, err := c.svc.Update(ctx, c.admin.UserID, other.UserID, f)
		want := "Second Admin is the last active administrator; make someone else an administrator first."
		if got := fieldErrors(t, err)[tt.field]; got != want {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, want)
		}
	}
	after, _ := c.svc.Get(ctx, other.UserID)
	if !after.User.Active || !after.User.HasRole(models.RoleAdmin) {
		t.Errorf("roles %v active %v: the refused change was saved", after.User.RoleList(), after.User.Active)
	}
}

func TestCreateAndUpdateRefuseNamesThatAreNotPlainText(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	for _, name := range []string{"Nora\x00Quinn", "Nora\r\nQuinn", "Nora \xff", "Nora \u202Eniuq", "\u200b\u200b", "   "} {
		f := c.validForm()
		f.FullName = name
		_, err := c.svc.CreateLocal(ctx, f)
		if fieldErrors(t, err)["full_name"] == "" {
			t.Errorf("CreateLocal accepted the name %q", name)
		}
		f = c.formFor(t, c.employee.UserID)
		f.FullName = name
		_, err = c.svc.Update(ctx, c.admin.UserID, c.employee.UserID, f)
		if fieldErrors(t, err)["full_name"] == "" {
			t.Errorf("Update accepted the name %q", name)
		}
	}
}

func emailOf(t *testing.T, db *gorm.DB, id uint) string {
	t.Helper()
	var u models.User
	if err := db.Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u.Email
}
