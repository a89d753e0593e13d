package policy_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// person builds an actor the way the session middleware loads one: with
// User and User.Roles.
func person(id uint, managerID *uint, active bool, roles ...models.Role) *models.Employee {
	e := &models.Employee{UserID: id, ManagerID: managerID, FullName: fmt.Sprintf("Person %d", id)}
	e.User = models.User{ID: id, Email: fmt.Sprintf("p%d@example.com", id), Active: active}
	e.User.SetRoles(roles)
	return e
}

func ptr(id uint) *uint { return &id }

// world is the cast of the exhaustive table: the owner of the expense and
// everyone who stands in some relation to it.
type world struct {
	owner *models.Employee
	cast  map[string]*models.Employee
}

func newWorld() world {
	const (
		ownerID, managerID, otherManagerID, financeID, adminID, peerID = 1, 2, 3, 4, 5, 6
	)
	owner := person(ownerID, ptr(managerID), true, models.RoleEmployee)
	return world{
		owner: owner,
		cast: map[string]*models.Employee{
			"owner":           owner,
			"owner's manager": person(managerID, nil, true, models.RoleEmployee, models.RoleManager),
			"other manager":   person(otherManagerID, nil, true, models.RoleEmployee, models.RoleManager),
			"finance":         person(financeID, ptr(managerID), true, models.RoleEmployee, models.RoleFinance),
			"admin":           person(adminID, ptr(managerID), true, models.RoleEmployee, models.RoleAdmin),
			"unrelated":       person(peerID, ptr(managerID), true, models.RoleEmployee),
			// The inactive owner: deactivation beats ownership.
			"inactive owner": person(ownerID, ptr(managerID), false, models.RoleEmployee),
			// An inactive person holding every role, and the owner's manager.
			"inactive everything": person(managerID, nil, false, models.BaseRoles().With(models.ExpenseRoles()...).All()...),
		},
	}
}

func expenseOf(owner *models.Employee, s models.Status) *models.Expense {
	return &models.Expense{ID: 100, EmployeeID: owner.UserID, Employee: *owner, Status: s}
}

var (
	allStatuses = models.AllStatuses()
	notDraft    = []models.Status{models.StatusSubmitted, models.StatusApproved, models.StatusRejected, models.StatusReimbursed}
	ownersHands = []models.Status{models.StatusDraft, models.StatusRejected}
)

// TestEveryExpenseActionForEveryStatusAndEveryRelation is the policy written
// down as a table: for each action, who may do it in which status. Every
// combination not listed must be refused.
func TestEveryExpenseActionForEveryStatusAndEveryRelation(t *testing.T) {
	t.Parallel()
	allowed := map[policy.Action]map[string][]models.Status{
		policy.ViewExpense: {
			"owner": allStatuses, "owner's manager": notDraft, "finance": notDraft, "admin": notDraft,
		},
		policy.ViewReceipt: {
			"owner": allStatuses, "owner's manager": notDraft, "finance": notDraft, "admin": notDraft,
		},
		policy.EditExpense:      {"owner": ownersHands},
		policy.DeleteExpense:    {"owner": ownersHands},
		policy.AttachReceipt:    {"owner": ownersHands},
		policy.SubmitExpense:    {"owner": ownersHands},
		policy.ApproveExpense:   {"owner's manager": {models.StatusSubmitted}},
		policy.RejectExpense:    {"owner's manager": {models.StatusSubmitted}},
		policy.ReimburseExpense: {"finance": {models.StatusApproved}},
	}
	w := newWorld()
	for _, action := range policy.ExpenseActions() {
		if _, ok := allowed[action]; !ok {
			t.Fatalf("the table has no row for %s", action)
		}
		for who, actor := range w.cast {
			for _, s := range allStatuses {
				want := slices.Contains(allowed[action][who], s)
				d := policy.Decide(actor, action, expenseOf(w.owner, s))
				if d.Allowed != want {
					t.Errorf("%s may %s a %s expense: got %v, want %v (reason %q)", who, action, s, d.Allowed, want, d.Reason)
				}
				if !d.Allowed && d.Reason == "" {
					t.Errorf("%s refused %s on %s without a reason", who, action, s)
				}
			}
		}
	}
}

func TestGeneralActionsFollowRoles(t *testing.T) {
	t.Parallel()
	w := newWorld()
	allowed := map[policy.Action][]string{
		policy.CreateExpense:      {"owner", "owner's manager", "other manager", "finance", "admin", "unrelated"},
		policy.ExportCSV:          {"owner", "owner's manager", "other manager", "finance", "admin", "unrelated"},
		policy.ViewTeamExpenses:   {"owner's manager", "other manager"},
		policy.ViewApprovals:      {"owner's manager", "other manager"},
		policy.ViewReimbursements: {"finance"},
		policy.ViewAllExpenses:    {"finance", "admin"},
		policy.ManageCategories:   {"admin"},
	}
	for _, action := range policy.GeneralActions() {
		if _, ok := allowed[action]; !ok {
			t.Fatalf("the table has no row for %s", action)
		}
		for who, actor := range w.cast {
			want := slices.Contains(allowed[action], who)
			if got := policy.Can(actor, action, nil); got != want {
				t.Errorf("%s may %s: got %v, want %v", who, action, got, want)
			}
		}
	}
}

func TestNobodyCanActWithoutBeingSignedIn(t *testing.T) {
	t.Parallel()
	e := expenseOf(newWorld().owner, models.StatusSubmitted)
	for _, a := range append(policy.ExpenseActions(), policy.GeneralActions()...) {
		if policy.Can(nil, a, e) {
			t.Errorf("a nil actor may %s", a)
		}
		if policy.Can(&models.Employee{}, a, e) {
			t.Errorf("an empty actor may %s", a)
		}
	}
}

func TestManagerCannotApproveOwnExpenseEvenWhenListedAsOwnManager(t *testing.T) {
	t.Parallel()
	m := person(2, ptr(2), true, models.RoleEmployee, models.RoleManager)
	e := expenseOf(m, models.StatusSubmitted)
	for _, a := range []policy.Action{policy.ApproveExpense, policy.RejectExpense} {
		if d := policy.Decide(m, a, e); d.Allowed || d.Reason != "You cannot approve or reject your own expense." {
			t.Errorf("%s own expense: %+v", a, d)
		}
	}
}

func TestFinanceCannotReimburseOwnExpenseButAColleagueCan(t *testing.T) {
	t.Parallel()
	f1 := person(4, ptr(2), true, models.RoleEmployee, models.RoleFinance)
	f2 := person(7, ptr(2), true, models.RoleEmployee, models.RoleFinance)
	e := expenseOf(f1, models.StatusApproved)
	if policy.Can(f1, policy.ReimburseExpense, e) {
		t.Error("finance may reimburse their own expense")
	}
	if !policy.Can(f2, policy.ReimburseExpense, e) {
		t.Error("a finance colleague may not reimburse it")
	}
}

func TestAdminRoleAloneGrantsNoWorkflowStep(t *testing.T) {
	t.Parallel()
	// The admin is even the owner's manager on paper, but lacks the manager role.
	admin := person(5, nil, true, models.RoleEmployee, models.RoleAdmin)
	owner := person(1, ptr(5), true, models.RoleEmployee)
	for _, s := range allStatuses {
		e := expenseOf(owner, s)
		for _, a := range []policy.Action{policy.ApproveExpense, policy.RejectExpense, policy.ReimburseExpense, policy.EditExpense, policy.DeleteExpense, policy.SubmitExpense} {
			if policy.Can(admin, a, e) {
				t.Errorf("admin may %s a %s expense", a, s)
			}
		}
		if got, want := policy.Can(admin, policy.ViewExpense, e), s != models.StatusDraft; got != want {
			t.Errorf("admin may view a %s expense: %v, want %v", s, got, want)
		}
	}
}

func TestReportingLineWithoutManagerRoleCannotApprove(t *testing.T) {
	t.Parallel()
	boss := person(2, nil, true, models.RoleEmployee)
	owner := person(1, ptr(2), true, models.RoleEmployee)
	if policy.Can(boss, policy.ApproveExpense, expenseOf(owner, models.StatusSubmitted)) {
		t.Error("a manager without the manager role may approve")
	}
}

func TestExpenseLoadedWithoutEmployeeFailsClosedForManagers(t *testing.T) {
	t.Parallel()
	m := person(2, nil, true, models.RoleEmployee, models.RoleManager)
	e := &models.Expense{ID: 1, EmployeeID: 1, Status: models.StatusSubmitted} // Employee not preloaded
	if policy.Can(m, policy.ApproveExpense, e) || policy.Can(m, policy.ViewExpense, e) {
		t.Error("the manager rule accepted an expense without its employee")
	}
}

func TestSubmitNeedsAManagerAndSaysSo(t *testing.T) {
	t.Parallel()
	loner := person(9, nil, true, models.RoleEmployee)
	d := policy.Decide(loner, policy.SubmitExpense, expenseOf(loner, models.StatusDraft))
	if d.Allowed || d.Reason == "" {
		t.Fatalf("submit without a manager: %+v", d)
	}
	if !policy.Can(loner, policy.EditExpense, expenseOf(loner, models.StatusDraft)) {
		t.Error("a person without a manager may not even edit their draft")
	}
}

func TestOwnerWithoutEmployeeRoleStillSeesButNoLongerChangesOwnExpenses(t *testing.T) {
	t.Parallel()
	owner := person(1, ptr(2), true, models.RoleFinance)
	e := expenseOf(owner, models.StatusDraft)
	if !policy.Can(owner, policy.ViewExpense, e) {
		t.Error("owner may not view own draft")
	}
	for _, a := range []policy.Action{policy.EditExpense, policy.SubmitExpense, policy.CreateExpense} {
		if policy.Can(owner, a, e) {
			t.Errorf("owner without the employee role may %s", a)
		}
	}
}

func TestUnknownActionIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld()
	if policy.Can(w.owner, policy.Action("expense.teleport"), expenseOf(w.owner, models.StatusDraft)) {
		t.Error("unknown action allowed")
	}
}
