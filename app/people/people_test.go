package people_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

func TestCreateLocalRefusesInvalidFormsWithAFieldMessageAndWritesNothing(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	tests := []struct {
		name    string
		spoil   func(*people.Form)
		field   string
		message string
	}{
		{"blank name", func(f *people.Form) { f.FullName = "   " }, "full_name", "Enter the person's full name."},
		{"name over 200 characters", func(f *people.Form) { f.FullName = strings.Repeat("n", 201) }, "full_name", "Use at most 200 characters."},
		{"no e-mail", func(f *people.Form) { f.Email = "" }, "email", "Enter an e-mail address."},
		{"e-mail without @", func(f *people.Form) { f.Email = "nora.example.com" }, "email", "Enter an e-mail address such as name@example.com."},
		{"e-mail with a display name", func(f *people.Form) { f.Email = "Nora <nora@example.com>" }, "email", "Enter an e-mail address such as name@example.com."},
		{"e-mail in use, in other case", func(f *people.Form) { f.Email = " Manager@EXAMPLE.com " }, "email", "Someone already uses this e-mail address."},
		{"unknown department", func(f *people.Form) { f.DepartmentID = "9999" }, "department_id", "Choose a department from the list."},
		{"department that is not a number", func(f *people.Form) { f.DepartmentID = "Engineering" }, "department_id", "Choose a department from the list."},
		{"unknown manager", func(f *people.Form) { f.ManagerID = "9999" }, "manager_id", "Choose a manager from the list."},
		{"manager that is not a number", func(f *people.Form) { f.ManagerID = "-1" }, "manager_id", "Choose a manager from the list."},
		{"no roles", func(f *people.Form) { f.Roles = nil }, "roles", "Give the person at least one role."},
		{"unknown role", func(f *people.Form) { f.Roles = []string{"employee", "superuser"} }, "roles", "Choose roles from the list."},
		{"no password", func(f *people.Form) { f.Password = "" }, "password", "Choose a password."},
		{"short password", func(f *people.Form) { f.Password = "short" }, "password", "Use at least 10 characters."},
	}
	users := c.count(t, "SELECT count(*) FROM users")
	for _, tt := range tests {
		f := c.validForm()
		tt.spoil(&f)
		e, err := c.svc.CreateLocal(context.Background(), f)
		if e != nil {
			t.Errorf("%s: CreateLocal returned employee %d", tt.name, e.UserID)
		}
		if err == nil {
			t.Errorf("%s: CreateLocal accepted the form", tt.name)
			continue
		}
		fields := fieldErrors(t, err)
		if got := fields[tt.field]; got != tt.message {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, tt.message)
		}
		if len(fields) != 1 {
			t.Errorf("%s: errors on %v, want only %s", tt.name, fields, tt.field)
		}
		if n := c.count(t, "SELECT count(*) FROM users"); n != users {
			t.Fatalf("%s: %d users after a refused form, want %d", tt.name, n, users)
		}
	}
}

// The form shows every problem at once, not one per submission.
func TestCreateLocalReportsEveryInvalidFieldTogether(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.validForm()
	f.FullName, f.Email, f.Roles, f.Password = "", "employee@example.com", nil, "short"
	_, err := c.svc.CreateLocal(context.Background(), f)
	fields := fieldErrors(t, err)
	for _, field := range []string{"full_name", "email", "roles", "password"} {
		if fields[field] == "" {
			t.Errorf("no message for %s; got %v", field, fields)
		}
	}
}

func TestCreateLocalStoresALocalAccountWithAnArgon2idHash(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.validForm()
	f.Email = "  Nora.Quinn@Example.COM "
	f.Roles = []string{"manager", "employee"}
	e, err := c.svc.CreateLocal(context.Background(), f)
	if err != nil {
		t.Fatalf("CreateLocal: %v", err)
	}

	got, err := c.svc.Get(context.Background(), e.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if got.User.Email != "nora.quinn@example.com" || got.FullName != "Nora Quinn" || !got.User.Active {
		t.Errorf("stored %q, %q, active=%v", got.User.Email, got.FullName, got.User.Active)
	}
	if got.DepartmentID == nil || *got.DepartmentID != c.dept || got.ManagerID == nil || *got.ManagerID != c.manager.UserID {
		t.Errorf("department %v, manager %v; want %d, %d", got.DepartmentID, got.ManagerID, c.dept, c.manager.UserID)
	}
	// Roles are a set: the databases return them in different orders.
	roles, want := got.User.RoleList(), []models.Role{models.RoleEmployee, managerRole}
	slices.Sort(roles)
	slices.Sort(want)
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
	if n := c.count(t, "SELECT count(*) FROM employees WHERE user_id = ? AND is_local_user = ?", e.UserID, true); n != 1 {
		t.Error("is_local_user is not stored as true")
	}
	hash := c.passwordHash(t, e.UserID)
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("password_hash = %q, want an Argon2id hash", hash)
	}
	if strings.Contains(hash, f.Password) {
		t.Error("password_hash contains the password")
	}
	if !auth.VerifyPassword(hash, f.Password) {
		t.Error("the stored hash does not verify the password")
	}
}

func TestCreateLocalCanCreateAnInactiveAccount(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.validForm()
	f.Active = false
	f.ManagerID, f.DepartmentID = "", ""
	e, err := c.svc.CreateLocal(context.Background(), f)
	if err != nil {
		t.Fatalf("CreateLocal: %v", err)
	}
	if n := c.count(t, "SELECT count(*) FROM users WHERE id = ? AND active = ?", e.UserID, false); n != 1 {
		t.Error("the account is not stored inactive")
	}
	if n := c.count(t, "SELECT count(*) FROM employees WHERE user_id = ? AND manager_id IS NULL AND department_id IS NULL", e.UserID); n != 1 {
		t.Error("empty department and manager are not stored as NULL")
	}
}

// Administrators must not lock the last way into the admin screens by
// accident.
func TestUpdateRefusesAnAdministratorLockingThemselvesOut(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	me := c.admin.UserID
	tests := []struct {
		name    string
		spoil   func(*people.Form)
		field   string
		message string
	}{
		{"deactivating their own account", func(f *people.Form) { f.Active = false }, "active", "You cannot deactivate your own account."},
		{"dropping their own admin role", func(f *people.Form) { f.Roles = []string{"employee"} }, "roles", "You cannot remove your own administrator role."},
	}
	for _, tt := range tests {
		f := c.formFor(t, me)
		tt.spoil(&f)
		deactivated, err := c.svc.Update(context.Background(), me, me, f)
		if deactivated {
			t.Errorf("%s: reported deactivated", tt.name)
		}
		if got := fieldErrors(t, err)[tt.field]; got != tt.message {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, tt.message)
		}
	}
	after, err := c.svc.Get(context.Background(), me)
	if err != nil {
		t.Fatal(err)
	}
	if !after.User.Active || !after.User.HasRole(models.RoleAdmin) {
		t.Errorf("after refused updates: active=%v, roles=%v; want active admin", after.User.Active, after.User.RoleList())
	}
}

func TestUpdateLetsAnAdministratorDeactivateAndDemoteSomeoneElse(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	other := c.add(t, "second.admin@example.com", "Second Admin", true, nil, models.RoleEmployee, models.RoleAdmin)
	f := c.formFor(t, other.UserID)
	f.Active = false
	f.Roles = []string{"employee"}
	deactivated, err := c.svc.Update(context.Background(), c.admin.UserID, other.UserID, f)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if !deactivated {
		t.Error("turning Active off did not report deactivated=true")
	}
	after, err := c.svc.Get(context.Background(), other.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if after.User.Active || after.User.HasRole(models.RoleAdmin) {
		t.Errorf("after update: active=%v, roles=%v; want inactive employee", after.User.Active, after.User.RoleList())
	}
}

func TestUpdateReportsDeactivatedOnlyWhenActiveTurnsOff(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	who := c.employee.UserID
	for _, step := range []struct {
		active bool
		want   bool
	}{
		{true, false},  // active stays active
		{false, true},  // active becomes inactive
		{false, false}, // inactive stays inactive: nothing new to end
		{true, false},  // reactivated
	} {
		f := c.formFor(t, who)
		f.Active = step.active
		got, err := c.svc.Update(ctx, c.admin.UserID, who, f)
		if err != nil {
			t.Fatalf("Update(Active=%v): %v", step.active, err)
		}
		if got != step.want {
			t.Errorf("Update(Active=%v) deactivated = %v, want %v", step.active, got, step.want)
		}
	}
}

func TestUpdateRefusesMakingSomeoneTheirOwnManager(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.formFor(t, c.manager.UserID)
	f.ManagerID = id(c.manager.UserID)
	_, err := c.svc.Update(context.Background(), c.admin.UserID, c.manager.UserID, f)
	if got := fieldErrors(t, err)["manager_id"]; got != "A person cannot be their own manager." {
		t.Errorf("manager_id = %q", got)
	}
}

func TestUpdateRefusesAnotherPersonsEmail(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.formFor(t, c.employee.UserID)
	f.Email = "MANAGER@example.com"
	_, err := c.svc.Update(context.Background(), c.admin.UserID, c.employee.UserID, f)
	if got := fieldErrors(t, err)["email"]; got != "Someone already uses this e-mail address." {
		t.Errorf("email = %q", got)
	}
	// Keeping one's own address is not a clash.
	if _, err := c.svc.Update(context.Background(), c.admin.UserID, c.employee.UserID, c.formFor(t, c.employee.UserID)); err != nil {
		t.Errorf("Update with the person's own e-mail: %v", err)
	}
}

func TestUpdateOfAnUnknownPersonIsNotFound(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	f := c.formFor(t, c.employee.UserID)
	if _, err := c.svc.Update(context.Background(), c.admin.UserID, 9999, f); !errors.Is(err, people.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestChangePasswordRefusesWrongOrMissingInput(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	const fresh = "a brand new password"
	tests := []struct {
		name                   string
		current, next, confirm string
		field, message         string
	}{
		{"wrong current password", "not the password", fresh, fresh, "current", "This is not your current password."},
		{"no current password", "", fresh, fresh, "current", "Enter your current password."},
		{"confirmation differs", knownPassword, fresh, fresh + "!", "confirm", "The two new passwords differ."},
		{"new password too short", knownPassword, "short", "short", "new", "Use at least 10 characters."},
	}
	who := c.employee.UserID
	before := c.passwordHash(t, who)
	for _, tt := range tests {
		err := c.svc.ChangePassword(context.Background(), who, tt.current, tt.next, tt.confirm)
		if got := fieldErrors(t, err)[tt.field]; got != tt.message {
			t.Errorf("%s: %s = %q, want %q", tt.name, tt.field, got, tt.message)
		}
	}
	if c.passwordHash(t, who) != before {
		t.Error("a refused change altered the stored hash")
	}
}

func TestChangePasswordRefusesSSOAccountsPointingToSingleSignOn(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	err := c.svc.ChangePassword(context.Background(), c.sso.UserID, "", "a brand new password", "a brand new password")
	msg := fieldErrors(t, err)["current"]
	if !strings.Contains(msg, "single sign-on") {
		t.Errorf("message %q does not mention single sign-on", msg)
	}
	if h := c.passwordHash(t, c.sso.UserID); h != "" {
		t.Errorf("the SSO account got a password hash %q", h)
	}
}

func TestChangePasswordReplacesThePassword(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	const fresh = "a brand new password"
	if err := c.svc.ChangePassword(ctx, c.employee.UserID, knownPassword, fresh, fresh); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if _, err := c.svc.Authenticate(ctx, "employee@example.com", fresh); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	if _, err := c.svc.Authenticate(ctx, "employee@example.com", knownPassword); !errors.Is(err, people.ErrBadCredentials) {
		t.Errorf("the old password still signs in: err = %v", err)
	}
}

// A wrong e-mail and a wrong password must be indistinguishable, or the
// sign-in form tells anyone which accounts exist.
func TestAuthenticateGivesTheSameErrorForUnknownEmailAndWrongPassword(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ctx := context.Background()
	u1, wrongPassword := c.svc.Authenticate(ctx, "employee@example.com", "not the password")
	u2, unknownEmail := c.svc.Authenticate(ctx, "nobody@example.com", knownPassword)
	if wrongPassword != people.ErrBadCredentials || unknownEmail != people.ErrBadCredentials {
		t.Errorf("wrong password: %v; unknown e-mail: %v; want ErrBadCredentials for both", wrongPassword, unknownEmail)
	}
	if u1 != nil || u2 != nil {
		t.Errorf("a failed sign-in returned a user: %v, %v", u1, u2)
	}
}

func TestAuthenticateMatchesTheEmailWhateverItsCase(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	u, err := c.svc.Authenticate(context.Background(), "  Employee@Example.COM ", knownPassword)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if u.ID != c.employee.UserID {
		t.Errorf("signed in as user %d, want %d", u.ID, c.employee.UserID)
	}
}

func TestAuthenticateTellsSSOAccountsTheyHaveNoPassword(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	for _, pw := range []string{"", "any password at all"} {
		if _, err := c.svc.Authenticate(context.Background(), "sso@example.com", pw); !errors.Is(err, people.ErrNoPassword) {
			t.Errorf("Authenticate(sso, %q): err = %v, want ErrNoPassword", pw, err)
		}
	}
}

// Authenticate proves who someone is; whether a deactivated person may come
// in is the caller's decision, made with the user in hand.
func TestAuthenticateReturnsInactiveUsersForTheCallerToRefuse(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	if err := c.db.Model(&models.User{}).Where("id = ?", c.employee.UserID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	u, err := c.svc.Authenticate(context.Background(), "employee@example.com", knownPassword)
	if err != nil {
		t.Fatalf("Authenticate of an inactive user: %v", err)
	}
	if u.ID != c.employee.UserID || u.Active {
		t.Errorf("got user %d active=%v, want %d inactive", u.ID, u.Active, c.employee.UserID)
	}
}

func TestCheckEmailAcceptsOnlyBareAddresses(t *testing.T) {
	t.Parallel()
	for email, ok := range map[string]bool{
		"name@example.com":        true,
		"first.last@example.com":  true,
		"":                        false,
		"name":                    false,
		"name@":                   false,
		"Name <name@example.com>": false,
		strings.Repeat("a", 250) + "@example.com": false,
	} {
		if got := people.CheckEmail(email) == ""; got != ok {
			t.Errorf("CheckEmail(%q) = %q, want accepted=%v", email, people.CheckEmail(email), ok)
		}
	}
}

func TestManagersListsOnlyPeopleWithTheManagerRole(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ms, err := c.svc.Managers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].UserID != c.manager.UserID {
		var got []string
		for _, m := range ms {
			got = append(got, m.FullName)
		}
		t.Errorf("Managers() = %v, want only %s", got, c.manager.FullName)
	}
}
