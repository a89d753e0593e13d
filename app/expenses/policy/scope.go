package policy

import (
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// VisibleExpenses is the view rule of Decide(ViewExpense) written in SQL, as
// a gorm scope for queries on the expenses table:
//
//	db.Model(&models.Expense{}).Scopes(policy.VisibleExpenses(actor))
//
// Lists, counts, aggregates and exports use it so that they never show a row
// the detail page would refuse. A test checks that both agree on a generated
// set of expenses and actors; change them together.
//
// Columns are qualified with the table name, so the scope also works in
// queries that join other tables.
func VisibleExpenses(actor *models.Employee) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		// One rule, written once (VisibleExpensesSQL), for gorm's
		// queries and the hand-written ones alike.
		cond, args := VisibleExpensesSQL(actor)
		return db.Where(cond, args...)
	}
}

// ReportsOf is a subquery selecting the user ids of managerID's direct
// reports, for "expenses.employee_id IN (?)". It excludes the manager, so
// that a misconfigured self-reference cannot let anyone approve their own
// expenses.
func ReportsOf(db *gorm.DB, managerID uint) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true}).Model(&models.Employee{}).
		Select("user_id").Where("manager_id = ? AND user_id <> ?", managerID, managerID)
}

// VisibleExpensesSQL is the rule of VisibleExpenses as a condition in plain
// SQL, with its arguments: VisibleExpenses hands it to gorm, and statements
// written by hand and read with database/sql's Scan (the dashboard's
// activity feed, where building the statement through gorm cost more than
// running it) use it as it is. Columns are qualified with the table name
// "expenses". TestVisibleExpensesScopeAgreesWithCanView checks it against
// policy.Can.
func VisibleExpensesSQL(actor *models.Employee) (string, []any) {
	if actor == nil || actor.UserID == 0 || !actor.User.Active {
		return "1 = 0", nil
	}
	u := &actor.User
	switch {
	case u.HasRole(models.RoleFinance) || u.HasRole(models.RoleAdmin):
		return "(expenses.employee_id = ? OR expenses.status <> ?)", []any{actor.UserID, models.StatusDraft}
	case u.HasRole(models.RoleManager):
		return "(expenses.employee_id = ? OR (expenses.status <> ? AND expenses.employee_id IN (" + reportsSQL + ")))",
			[]any{actor.UserID, models.StatusDraft, actor.UserID, actor.UserID}
	}
	return "expenses.employee_id = ?", []any{actor.UserID}
}

// TeamExpensesSQL is, in plain SQL with its arguments, the expenses of
// actor's direct reports other than drafts that VisibleExpenses lets actor
// see: all of them for managers, finance and administrators, none for
// anyone else. It is VisibleExpenses narrowed to the team, without the
// OR that VisibleExpenses needs for the actor's own expenses, so that the
// approvals queue's first rows come straight from an index.
func TeamExpensesSQL(actor *models.Employee) (string, []any) {
	if actor == nil || actor.UserID == 0 || !actor.User.Active {
		return "1 = 0", nil
	}
	u := &actor.User
	if !u.HasRole(models.RoleFinance) && !u.HasRole(models.RoleAdmin) && !u.HasRole(models.RoleManager) {
		return "1 = 0", nil
	}
	return "expenses.status <> ? AND expenses.employee_id IN (" + reportsSQL + ")", []any{models.StatusDraft, actor.UserID, actor.UserID}
}

// reportsSQL is ReportsOf in plain SQL: its arguments are the manager's id,
// twice.
const reportsSQL = "SELECT reports.user_id FROM employees reports WHERE reports.manager_id = ? AND reports.user_id <> ?"
