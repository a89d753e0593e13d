// Package policy is the one place that decides who may do what in the
// template: the administration of people and of the sign-in settings.
// Handlers ask it before acting and templates ask it before showing a link,
// so a link is shown exactly when the server would accept the click.
//
// A module decides its own actions in a policy package of its own, with the
// same shape (the expenses demo: app/expenses/policy), so that each domain
// still has exactly one function that decides, and the template never
// imports a module.
//
// The rules: nobody inactive may do anything, and neither may a nil actor;
// administrators manage people and settings.
package policy

import "github.com/company-expenses/company-expenses/models"

// Action is something a person may want to do.
type Action string

// The template's actions.
const (
	ManageUsers    Action = "admin.users"
	ManageSettings Action = "admin.settings"
)

// Actions lists the template's actions.
func Actions() []Action { return []Action{ManageUsers, ManageSettings} }

// Decision is the policy's answer, with the reason for a refusal in words a
// user understands.
type Decision struct {
	Allowed bool
	Reason  string
}

// Can reports whether actor may perform action.
func Can(actor *models.Employee, action Action) bool { return Decide(actor, action).Allowed }

// Decide is Can with the reason for a refusal.
func Decide(actor *models.Employee, action Action) Decision {
	switch {
	case actor == nil || actor.UserID == 0:
		return Decision{Reason: "Please sign in."}
	case !actor.User.Active:
		return Decision{Reason: "Your account is deactivated."}
	}
	switch action {
	case ManageUsers, ManageSettings:
		if actor.User.HasRole(models.RoleAdmin) {
			return Decision{Allowed: true}
		}
		return Decision{Reason: "Only administrators can do this."}
	}
	return Decision{Reason: "You do not have permission to do this."}
}
