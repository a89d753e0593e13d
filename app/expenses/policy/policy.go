// Package policy is the one place that decides who may do what in the
// expenses demo (the template's own actions, people and settings, are
// decided by app/policy, the same way). Handlers ask it before acting and templates ask it before showing
// a button, so a button is shown exactly when the server would accept the
// click. VisibleExpenses expresses the same view rule in SQL for lists.
//
// The rules, in words:
//
//   - Nobody inactive may do anything, and neither may a nil actor.
//   - A draft is private to its owner. Every other status (submitted,
//     approved, rejected, reimbursed) is also visible to the owner's manager,
//     to finance and to administrators: rejected expenses stay visible because
//     a rejection is part of the audit trail.
//   - Owners always see their own expenses. With the employee role they
//     create expenses, and edit, delete, attach receipts to and submit their
//     own drafts and rejected expenses. Submitting needs a manager, because
//     nobody else could approve the expense.
//   - Managers (the manager role AND being the owner's direct manager:
//     expense.Employee.ManagerID == actor.UserID) approve or reject submitted
//     expenses, never their own. The role is the permission, the reporting
//     line is its scope: neither alone is enough.
//   - Finance reimburses approved expenses, never their own (separation of
//     duties: nobody pays themselves).
//   - Administrators manage users, categories and settings, and may read
//     every non-draft expense to answer "where is my money?" questions. Being
//     an administrator grants no workflow step: an admin who should approve
//     or reimburse needs the manager or finance role as well.
//
// The actor must be loaded with User and User.Roles, and an expense with its
// Employee (for ManagerID). Rules that need what was not loaded refuse: the
// policy fails closed.
package policy

import (
	"github.com/company-expenses/company-expenses/models"
)

// Action is something a person may want to do.
type Action string

// Actions on one expense. Can needs the expense for these.
const (
	ViewExpense      Action = "expense.view"
	EditExpense      Action = "expense.edit"
	DeleteExpense    Action = "expense.delete"
	SubmitExpense    Action = "expense.submit"
	ApproveExpense   Action = "expense.approve"
	RejectExpense    Action = "expense.reject"
	ReimburseExpense Action = "expense.reimburse"
	ViewReceipt      Action = "expense.receipt.view"
	AttachReceipt    Action = "expense.receipt.attach"
)

// Actions that concern no single expense: pages, menu entries and
// administration. Can ignores the expense for these.
const (
	CreateExpense      Action = "expense.create"
	ViewTeamExpenses   Action = "expenses.team"
	ViewAllExpenses    Action = "expenses.all"
	ViewApprovals      Action = "approvals.view"
	ViewReimbursements Action = "reimbursements.view"
	ExportCSV          Action = "expenses.export"
	ManageCategories   Action = "admin.categories"
)

// ExpenseActions lists the actions that concern one expense.
func ExpenseActions() []Action {
	return []Action{ViewExpense, EditExpense, DeleteExpense, SubmitExpense, ApproveExpense,
		RejectExpense, ReimburseExpense, ViewReceipt, AttachReceipt}
}

// GeneralActions lists the actions that concern no single expense.
func GeneralActions() []Action {
	return []Action{CreateExpense, ViewTeamExpenses, ViewAllExpenses, ViewApprovals,
		ViewReimbursements, ExportCSV, ManageCategories}
}

// Decision is the policy's answer, with the reason for a refusal in words a
// user understands ("You cannot approve your own expense.").
type Decision struct {
	Allowed bool
	Reason  string
}

func allow() Decision             { return Decision{Allowed: true} }
func deny(reason string) Decision { return Decision{Reason: reason} }

// Can reports whether actor may perform action, on e for the expense
// actions. Templates call it to decide whether to show a button, handlers and
// the expenses service to decide whether to act; both get the same answer.
func Can(actor *models.Employee, action Action, e *models.Expense) bool {
	return Decide(actor, action, e).Allowed
}

// Decide is Can with the reason for a refusal.
func Decide(actor *models.Employee, action Action, e *models.Expense) Decision {
	if actor == nil || actor.UserID == 0 {
		return deny("Please sign in.")
	}
	if !actor.User.Active {
		return deny("Your account is deactivated.")
	}
	u := &actor.User
	switch action {
	case CreateExpense:
		if !u.HasRole(models.RoleEmployee) {
			return deny("Only employees can claim expenses.")
		}
		return allow()
	case ViewTeamExpenses, ViewApprovals:
		return requireRole(u, models.RoleManager, "Only managers can see their team's expenses.")
	case ViewReimbursements:
		return requireRole(u, models.RoleFinance, "Only finance can see the reimbursements.")
	case ViewAllExpenses:
		if u.HasRole(models.RoleFinance) || u.HasRole(models.RoleAdmin) {
			return allow()
		}
		return deny("Only finance and administrators can see everyone's expenses.")
	case ExportCSV:
		// The export holds only rows the actor may view, so anyone may export.
		return allow()
	case ManageCategories:
		return requireRole(u, models.RoleAdmin, "Only administrators can do this.")
	}
	if e == nil {
		return deny("There is no such expense.")
	}
	switch action {
	case ViewExpense, ViewReceipt:
		return view(actor, e)
	case EditExpense, DeleteExpense, AttachReceipt:
		return ownerChange(actor, e, "changed")
	case SubmitExpense:
		if d := ownerChange(actor, e, "submitted"); !d.Allowed {
			return d
		}
		if actor.ManagerID == nil {
			return deny("You have no manager to approve your expenses yet. Please ask an administrator to set one.")
		}
		return allow()
	case ApproveExpense, RejectExpense:
		return decide(actor, e)
	case ReimburseExpense:
		return reimburse(actor, e)
	}
	return deny("This action is not known.")
}

func requireRole(u *models.User, r models.Role, reason string) Decision {
	if u.HasRole(r) {
		return allow()
	}
	return deny(reason)
}

func isOwner(actor *models.Employee, e *models.Expense) bool {
	return e.EmployeeID == actor.UserID
}

// managesOwner reports whether actor is the expense owner's direct manager
// and holds the manager role. An expense loaded without its Employee cannot
// prove the reporting line, so it does not count.
func managesOwner(actor *models.Employee, e *models.Expense) bool {
	if !actor.User.HasRole(models.RoleManager) || isOwner(actor, e) {
		return false
	}
	if e.Employee.UserID != e.EmployeeID || e.Employee.ManagerID == nil {
		return false
	}
	return *e.Employee.ManagerID == actor.UserID
}

func view(actor *models.Employee, e *models.Expense) Decision {
	if isOwner(actor, e) {
		return allow()
	}
	if e.Status == models.StatusDraft {
		return deny("Drafts are visible only to their owner.")
	}
	u := &actor.User
	if u.HasRole(models.RoleFinance) || u.HasRole(models.RoleAdmin) || managesOwner(actor, e) {
		return allow()
	}
	return deny("You may not see this expense.")
}

func ownerChange(actor *models.Employee, e *models.Expense, verb string) Decision {
	if !isOwner(actor, e) {
		return deny("Only the person who claimed an expense can change it.")
	}
	if !actor.User.HasRole(models.RoleEmployee) {
		return deny("Only employees can claim expenses.")
	}
	if !e.Status.InOwnersHands() {
		return deny("This expense is " + string(e.Status) + ": only drafts and rejected expenses can be " + verb + ".")
	}
	return allow()
}

func decide(actor *models.Employee, e *models.Expense) Decision {
	if isOwner(actor, e) {
		return deny("You cannot approve or reject your own expense.")
	}
	if !managesOwner(actor, e) {
		return deny("Only the claimant's manager can approve or reject this expense.")
	}
	if e.Status != models.StatusSubmitted {
		return deny("This expense is " + string(e.Status) + ": only submitted expenses can be approved or rejected.")
	}
	return allow()
}

func reimburse(actor *models.Employee, e *models.Expense) Decision {
	if !actor.User.HasRole(models.RoleFinance) {
		return deny("Only finance can reimburse expenses.")
	}
	if isOwner(actor, e) {
		return deny("You cannot reimburse your own expense: another member of finance must do it.")
	}
	if e.Status != models.StatusApproved {
		return deny("This expense is " + string(e.Status) + ": only approved expenses can be reimbursed.")
	}
	return allow()
}

// Unsaved returns the expense a "new expense" form is about to create: a
// draft of actor's. Ask the policy about it to decide whether the form
// offers "Save and submit":
//
//	policy.Can(me, policy.SubmitExpense, policy.Unsaved(me))
func Unsaved(actor *models.Employee) *models.Expense {
	if actor == nil {
		return nil
	}
	return &models.Expense{EmployeeID: actor.UserID, Employee: *actor, Status: models.StatusDraft}
}
