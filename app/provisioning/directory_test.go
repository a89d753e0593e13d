package provisioning_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/provisioning"
	"github.com/company-expenses/company-expenses/app/rolemap"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// registry is the demo's roles: employee, manager (who manages), finance,
// admin.
func registry() models.Roles {
	return models.BaseRoles().With(models.RoleDef{Role: "manager", Label: "Manager", Manages: true},
		models.RoleDef{Role: "finance", Label: "Finance"})
}

func hooks(t *testing.T, roleMap string, log *bytes.Buffer) *provisioning.Hooks {
	t.Helper()
	m, err := rolemap.Parse(roleMap)
	if err != nil {
		t.Fatal(err)
	}
	h := &provisioning.Hooks{RoleMap: m, Roles: registry()}
	if log != nil {
		h.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	return h
}

func signInFirst(t *testing.T, db *gorm.DB, h *provisioning.Hooks, p sso.Profile) uint {
	t.Helper()
	var id uint
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		id, err = h.OnFirstLogin(context.Background(), tx, p)
		if err == nil {
			// The SSO module stores the identity in the same transaction.
			err = tx.Create(&sso.Identity{Provider: p.Provider, Subject: p.Subject, UserID: id, Email: p.Email}).Error
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func signInAgain(t *testing.T, db *gorm.DB, h *provisioning.Hooks, id uint, p sso.Profile) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		_, err := h.OnReturningLogin(context.Background(), tx, id, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rolesOf(t *testing.T, db *gorm.DB, id uint) []string {
	t.Helper()
	var rs []string
	if err := db.Model(&models.UserRole{}).Where("user_id = ?", id).Order("role").Pluck("role", &rs).Error; err != nil {
		t.Fatal(err)
	}
	return rs
}

func profile(email string, groups ...string) sso.Profile {
	// An OpenID Connect provider's "no groups" is an empty list, not nil.
	return sso.Profile{Provider: "openid-connect", Subject: "sub-" + email, Email: email, Name: email, EmailVerified: true,
		Groups: append([]string{}, groups...)}
}

// Mapped roles follow the groups at the first sign-in and every later one;
// roles the map does not name stay as the app set them.
func TestSSOSignInGrantsAndRevokesMappedRolesAndLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := hooks(t, "finance=Finance-Team|Accounts,admin=IT-Admins", nil)
		signInFirst(t, db, h, profile("ivy@example.com", "IT-Admins")) // not the last administrator
		id := signInFirst(t, db, h, profile("nora@example.com", "finance-team", "Staff"))
		if got := rolesOf(t, db, id); !slices.Equal(got, []string{"employee", "finance"}) {
			t.Fatalf("after first sign-in: %v, want employee and finance", got)
		}
		// An administrator makes Nora a manager: not in the map, the app's.
		db.Create(&models.UserRole{UserID: id, Role: "manager"})
		signInAgain(t, db, h, id, profile("nora@example.com", "Accounts", "IT-Admins"))
		if got := rolesOf(t, db, id); !slices.Equal(got, []string{"admin", "employee", "finance", "manager"}) {
			t.Fatalf("after second sign-in: %v", got)
		}
		signInAgain(t, db, h, id, profile("nora@example.com")) // no groups any more
		if got := rolesOf(t, db, id); !slices.Equal(got, []string{"employee", "manager"}) {
			t.Errorf("after losing every group: %v, want the app's employee and manager only", got)
		}
	})
}

// A provider that says nothing about groups (nil: Google, GitHub) and
// Entra ID's overage leave the roles as they are; overage logs one line
// that says what to do.
func TestUnknownGroupsAndEntraOverageLeaveRolesAsTheyAreAndOverageSaysWhatToDo(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	var log bytes.Buffer
	h := hooks(t, "finance=Finance-Team", &log)
	id := signInFirst(t, db, h, profile("nora@example.com", "Finance-Team"))

	unknown := profile("nora@example.com")
	unknown.Groups = nil
	signInAgain(t, db, h, id, unknown)
	over := profile("nora@example.com")
	over.Groups, over.GroupsOverage = nil, true
	signInAgain(t, db, h, id, over)
	if got := rolesOf(t, db, id); !slices.Equal(got, []string{"employee", "finance"}) {
		t.Errorf("roles %v, want finance kept", got)
	}
	lines := strings.Count(log.String(), "overage")
	if lines != 1 || !strings.Contains(log.String(), "SSO_ROLES_CLAIM=roles") {
		t.Errorf("log has %d overage lines, want one naming SSO_ROLES_CLAIM=roles:\n%s", lines, log.String())
	}
}

// The last active administrator keeps the admin role when their groups
// stop granting it, as on the admin form; so does a manager with reports.
func TestSSOSignInKeepsTheLastAdministratorAndAManagerWithReports(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		var log bytes.Buffer
		h := hooks(t, "admin=IT-Admins,manager=People-Leads", &log)
		adam := signInFirst(t, db, h, profile("adam@example.com", "IT-Admins", "People-Leads"))
		emp := signInFirst(t, db, h, profile("emp@example.com"))
		db.Model(&models.Employee{}).Where("user_id = ?", emp).Update("manager_id", adam)

		signInAgain(t, db, h, adam, profile("adam@example.com"))
		if got := rolesOf(t, db, adam); !slices.Equal(got, []string{"admin", "employee", "manager"}) {
			t.Errorf("roles %v, want admin and manager kept", got)
		}
		if !strings.Contains(log.String(), "last active administrator") || !strings.Contains(log.String(), "people still report") {
			t.Errorf("log does not say why:\n%s", log.String())
		}

		// With another administrator and no reports, both go.
		signInFirst(t, db, h, profile("ivy@example.com", "IT-Admins"))
		db.Model(&models.Employee{}).Where("user_id = ?", emp).Update("manager_id", nil)
		signInAgain(t, db, h, adam, profile("adam@example.com"))
		if got := rolesOf(t, db, adam); !slices.Equal(got, []string{"employee"}) {
			t.Errorf("roles %v, want employee only", got)
		}
	})
}

type attrs struct {
	Department string
	JobTitle   string
	ManagerID  *uint
}

func attributesOf(t *testing.T, db *gorm.DB, id uint) attrs {
	t.Helper()
	var e models.Employee
	if err := db.Preload("Department").Where("user_id = ?", id).Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	a := attrs{JobTitle: e.JobTitle, ManagerID: e.ManagerID}
	if e.Department != nil {
		a.Department = e.Department.Name
	}
	return a
}

// Department, job title and manager follow the directory at every
// sign-in. An unknown manager, or one who may not manage, is left empty:
// never guessed. A manager may also be named by their subject.
func TestSSOSignInKeepsDepartmentJobTitleAndManagerInStepAndNeverGuessesAManager(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		h := hooks(t, "manager=People-Leads", nil)
		ravi := signInFirst(t, db, h, profile("ravi@example.com", "People-Leads"))
		plain := signInFirst(t, db, h, profile("plain@example.com"))

		p := profile("nora@example.com")
		p.Department, p.JobTitle, p.Manager = "Finance", "Clerk", "nobody@example.com"
		nora := signInFirst(t, db, h, p)
		if a := attributesOf(t, db, nora); a.Department != "Finance" || a.JobTitle != "Clerk" || a.ManagerID != nil {
			t.Errorf("first sign-in: %+v, want Finance, Clerk and no manager", a)
		}

		p.Department, p.JobTitle, p.Manager = "finance", "Senior clerk", "Ravi@Example.com"
		signInAgain(t, db, h, nora, p)
		a := attributesOf(t, db, nora)
		if a.Department != "Finance" || a.JobTitle != "Senior clerk" || a.ManagerID == nil || *a.ManagerID != ravi {
			t.Errorf("second sign-in: %+v, want the same Finance department, the new title, Ravi", a)
		}
		var depts int64
		db.Model(&models.Department{}).Count(&depts)
		if depts != 1 {
			t.Errorf("%d departments, want Finance once", depts)
		}

		// By subject at the same provider.
		p.Manager = "00u" + strings.Repeat("x", 10)
		db.Model(&sso.Identity{}).Where("user_id = ?", ravi).Update("subject", p.Manager)
		signInAgain(t, db, h, nora, p)
		if a := attributesOf(t, db, nora); a.ManagerID == nil || *a.ManagerID != ravi {
			t.Errorf("manager by subject: %+v, want Ravi", a)
		}

		// Someone without the manager role is not taken as a manager.
		p.Manager = "plain@example.com"
		signInAgain(t, db, h, nora, p)
		if a := attributesOf(t, db, nora); a.ManagerID != nil {
			t.Errorf("manager without the manager role (%d) taken: %+v", plain, a)
		}

		// Claims the provider leaves out leave the attributes alone.
		signInAgain(t, db, h, nora, profile("nora@example.com"))
		if a := attributesOf(t, db, nora); a.Department != "Finance" || a.JobTitle != "Senior clerk" {
			t.Errorf("absent claims changed %+v", a)
		}
	})
}

// Every change SSO_ROLE_MAP makes at a sign-in is in the audit log, by the
// provider, with the difference; a sign-in that changes nothing adds
// nothing.
func TestRolesThatFollowTheProviderAreInTheAuditLogByTheProvider(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	h := hooks(t, "finance=Finance-Team", nil)
	id := signInFirst(t, db, h, profile("nora@example.com", "Finance-Team"))
	signInAgain(t, db, h, id, profile("nora@example.com", "Finance-Team"))
	signInAgain(t, db, h, id, profile("nora@example.com"))
	var details []string
	if err := db.Raw("SELECT detail FROM audit_events WHERE kind = 'account.roles_changed' AND subject_id = ? AND actor LIKE 'provider:%' ORDER BY id", id).
		Scan(&details).Error; err != nil {
		t.Fatal(err)
	}
	if len(details) != 2 || !strings.Contains(details[0], "+finance") || !strings.Contains(details[1], "-finance") {
		t.Errorf("role events %q, want +finance at the first sign-in and -finance at the last", details)
	}
}
