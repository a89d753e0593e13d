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
		if actor == nil || actor.UserID == 0 || !actor.User.Active {
			return db.Where("1 = 0")
		}
		u := &actor.User
		switch {
		case u.HasRole(models.RoleFinance) || u.HasRole(models.RoleAdmin):
			return db.Where("(expenses.employee_id = ? OR expenses.status <> ?)",
				actor.UserID, models.StatusDraft)
		case u.HasRole(models.RoleManager):
			return db.Where("(expenses.employee_id = ? OR (expenses.status <> ? AND expenses.employee_id IN (?)))",
				actor.UserID, models.StatusDraft, ReportsOf(db, actor.UserID))
		}
		return db.Where("expenses.employee_id = ?", actor.UserID)
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
