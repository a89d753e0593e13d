package policy_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/models"
)

func person(active bool, roles ...models.Role) *models.Employee {
	e := &models.Employee{UserID: 1, User: models.User{ID: 1, Active: active}}
	e.User.SetRoles(roles)
	return e
}

func TestOnlyActiveAdministratorsManagePeopleAndSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		actor *models.Employee
		want  bool
	}{
		{"nobody", nil, false},
		{"employee", person(true, models.RoleEmployee), false},
		{"a module's role", person(true, models.RoleEmployee, "manager"), false},
		{"administrator", person(true, models.RoleEmployee, models.RoleAdmin), true},
		{"inactive administrator", person(false, models.RoleAdmin), false},
	}
	for _, tt := range tests {
		for _, action := range policy.Actions() {
			d := policy.Decide(tt.actor, action)
			if d.Allowed != tt.want {
				t.Errorf("%s: Decide(%s).Allowed = %v, want %v", tt.name, action, d.Allowed, tt.want)
			}
			if !d.Allowed && d.Reason == "" {
				t.Errorf("%s: Decide(%s) refuses without a reason", tt.name, action)
			}
			if got := policy.Can(tt.actor, action); got != d.Allowed {
				t.Errorf("%s: Can(%s) = %v, Decide says %v", tt.name, action, got, d.Allowed)
			}
		}
	}
}

func TestUnknownActionsAreRefusedEvenToAdministrators(t *testing.T) {
	t.Parallel()
	if d := policy.Decide(person(true, models.RoleAdmin), "expense.approve"); d.Allowed || d.Reason == "" {
		t.Errorf("Decide(unknown action) = %+v, want a refusal with a reason", d)
	}
}
