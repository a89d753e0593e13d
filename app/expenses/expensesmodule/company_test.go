package expensesmodule_test

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/models"
)

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// seeded returns a database holding the demo company, by e-mail.
func seeded(t *testing.T) (*gorm.DB, map[string]models.Employee) {
	t.Helper()
	db := dbtest.SQLite(t, expenses.Migrations())
	if _, err := seed.Company(context.Background(), db, expensesmodule.Company()); err != nil {
		t.Fatalf("seed.Company: %v", err)
	}
	var all []models.Employee
	if err := db.Preload("User.Roles").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]models.Employee{}
	for _, e := range all {
		byEmail[e.User.Email] = e
	}
	return db, byEmail
}

func TestCompanySeedsThirteenPeopleInThreeDepartments(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, expenses.Migrations())
	created, err := seed.Company(context.Background(), db, expensesmodule.Company())
	if err != nil {
		t.Fatalf("seed.Company: %v", err)
	}
	if len(created) != 13 {
		t.Errorf("Company returned %d employees, want 13", len(created))
	}
	for table, want := range map[string]int64{"users": 13, "employees": 13, "departments": 3} {
		if n := count(t, db, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%d rows in %s, want %d", n, table, want)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM employees WHERE department_id IS NULL"); n != 0 {
		t.Errorf("%d seeded people have no department", n)
	}
}

// README and the sign-in page promise these four accounts.
func TestCompanySeedsTheFourDemoAccountsWithTheirRoles(t *testing.T) {
	t.Parallel()
	db, people := seeded(t)
	want := map[string][]models.Role{
		"employee@example.com": {models.RoleEmployee},
		"manager@example.com":  {models.RoleEmployee, models.RoleManager},
		"finance@example.com":  {models.RoleEmployee, models.RoleFinance},
		"admin@example.com":    {models.RoleEmployee, models.RoleAdmin},
	}
	for email, roles := range want {
		e, ok := people[email]
		if !ok {
			t.Errorf("no demo account %s", email)
			continue
		}
		if got := models.BaseRoles().With(models.ExpenseRoles()...).Of(&e.User); !reflect.DeepEqual(got, roles) {
			t.Errorf("%s has roles %v, want %v", email, got, roles)
		}
		if !e.User.Active {
			t.Errorf("%s is inactive", email)
		}
		var hash string
		if err := db.Raw("SELECT password_hash FROM users WHERE id = ?", e.UserID).Row().Scan(&hash); err != nil {
			t.Fatal(err)
		}
		// One verification is enough: the seed uses one hash for everyone.
		if email == "employee@example.com" && !auth.VerifyPassword(hash, seed.DemoPassword) {
			t.Errorf("%s does not sign in with the demo password", email)
		}
		if hash == "" {
			t.Errorf("%s has no password", email)
		}
	}
}

func TestCompanyMakesManagerTheManagerOfEmployee(t *testing.T) {
	t.Parallel()
	_, people := seeded(t)
	mgr, emp := people["manager@example.com"], people["employee@example.com"]
	if emp.ManagerID == nil || *emp.ManagerID != mgr.UserID {
		t.Errorf("employee@example.com's manager is %v, want manager@example.com (%d)", emp.ManagerID, mgr.UserID)
	}
	if emp.DepartmentID == nil || mgr.DepartmentID == nil || *emp.DepartmentID != *mgr.DepartmentID {
		t.Errorf("employee and manager are in departments %v and %v, want the same", emp.DepartmentID, mgr.DepartmentID)
	}
}

func TestCompanySeedsOnlyLocalAccounts(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t)
	if n := count(t, db, "SELECT count(*) FROM employees WHERE is_local_user = ?", true); n != 13 {
		t.Errorf("%d of 13 seeded employees have is_local_user true", n)
	}
}

func TestCompanyDoesNothingOnASecondRun(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t)
	again, err := seed.Company(context.Background(), db, expensesmodule.Company())
	if err != nil || again != nil {
		t.Fatalf("second Company = %d employees, %v; want nil, nil", len(again), err)
	}
	if n := count(t, db, "SELECT count(*) FROM users"); n != 13 {
		t.Errorf("%d users after seeding twice, want 13", n)
	}
}

// A database with any user in it is not empty, even if that user was not
// seeded: demo people must never appear in a real company.
func TestCompanyLeavesADatabaseWithUsersAlone(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, expenses.Migrations())
	if err := models.CreateEmployee(db, models.NewLocalEmployee("real.admin@corp.example", "Real Admin", models.RoleAdmin)); err != nil {
		t.Fatal(err)
	}
	created, err := seed.Company(context.Background(), db, expensesmodule.Company())
	if err != nil || created != nil {
		t.Fatalf("Company on a used database = %d employees, %v; want nil, nil", len(created), err)
	}
	if n := count(t, db, "SELECT count(*) FROM users"); n != 1 {
		t.Errorf("%d users, want the 1 that was there", n)
	}
}

// Two instances starting together on one empty database both try to seed;
// one wins and the other backs off without an error.
func TestCompanyFromTwoInstancesAtOnceSeedsOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t, expenses.Migrations())
	var (
		wg      sync.WaitGroup
		created [2][]models.Employee
		errs    [2]error
	)
	for i := range 2 {
		wg.Go(func() { created[i], errs[i] = seed.Company(context.Background(), db, expensesmodule.Company()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	if got := len(created[0]) + len(created[1]); got != 13 {
		t.Errorf("the two runs report %d and %d employees, want 13 in all", len(created[0]), len(created[1]))
	}
	if n := count(t, db, "SELECT count(*) FROM users"); n != 13 {
		t.Errorf("%d users, want 13", n)
	}
}

// The People table is edited by hand when a forker changes the demo company;
// Company relies on its shape.
func TestPeopleTableIsConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i, p := range expensesmodule.People() {
		if seen[p.Email] {
			t.Errorf("%s is listed twice", p.Email)
		}
		if p.Email != models.NormalizeEmail(p.Email) {
			t.Errorf("%s is not a normalised e-mail", p.Email)
		}
		if !slices.Contains(expensesmodule.Departments(), p.Department) {
			t.Errorf("%s is in unknown department %q", p.Email, p.Department)
		}
		if p.Manager != "" && !seen[p.Manager] {
			t.Errorf("%s's manager %s is not listed before them (row %d)", p.Email, p.Manager, i)
		}
		if len(p.Roles) == 0 {
			t.Errorf("%s has no roles", p.Email)
		}
		for _, r := range p.Roles {
			if !models.BaseRoles().With(models.ExpenseRoles()...).Valid(r) {
				t.Errorf("%s has unknown role %q", p.Email, r)
			}
		}
		seen[p.Email] = true
	}
}
