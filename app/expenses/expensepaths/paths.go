// Package expensepaths names every URL of the expenses demo once, as
// app/paths does for the template: routes are registered with these
// constants and pages link with these functions. They live with the demo so
// that a project made without it has none of them.
package expensepaths

import (
	"net/url"
	"strconv"

	"github.com/company-expenses/company-expenses/app/paths"
)

// Fixed paths. The route patterns with parameters are the *Pattern constants.
const (
	Expenses                = "/expenses"
	ExpensesNew             = "/expenses/new"
	ExpensesExport          = "/expenses/export.csv"
	ExpensePattern          = "/expenses/:id"
	ExpenseEditPattern      = ExpensePattern + "/edit"
	ExpenseReceiptPattern   = ExpensePattern + "/receipt"
	ExpenseSubmitPattern    = ExpensePattern + "/" + ActionSubmit
	ExpenseApprovePattern   = ExpensePattern + "/" + ActionApprove
	ExpenseRejectPattern    = ExpensePattern + "/" + ActionReject
	ExpenseReimbursePattern = ExpensePattern + "/" + ActionReimburse
	ExpenseDeletePattern    = ExpensePattern + "/" + ActionDelete
	Approvals               = "/approvals"
	Reimbursements          = "/reimbursements"

	AdminCategories = "/admin/categories"
	// AdminCategoryPattern renames a category (POST).
	AdminCategoryPattern = "/admin/categories/:id"
	// AdminCategoryActivePattern activates or deactivates one (POST).
	AdminCategoryActivePattern = AdminCategoryPattern + "/active"
)

// The workflow actions on one expense, each posted to ExpenseAction(id, …).
const (
	ActionSubmit    = "submit"
	ActionApprove   = "approve"
	ActionReject    = "reject"
	ActionReimburse = "reimburse"
	ActionDelete    = "delete"
)

// Expense is the deep-linkable page of one expense.
func Expense(id uint) string { return Expenses + "/" + strconv.FormatUint(uint64(id), 10) }

// ExpenseAction is the URL an action on an expense posts to, e.g. "submit".
func ExpenseAction(id uint, action string) string { return Expense(id) + "/" + action }

// ExpenseEdit is the edit form of an expense.
func ExpenseEdit(id uint) string { return Expense(id) + "/edit" }

// ExpenseReceipt is the receipt of an expense: GET shows it, POST attaches one.
func ExpenseReceipt(id uint) string { return Expense(id) + "/receipt" }

// ExpensesFiltered is the expense list with a query string, as
// expenses.Filter.Values writes it.
func ExpensesFiltered(query url.Values) string { return paths.WithQuery(Expenses, query) }

// ExpensesQuery is the list with an already encoded query string (for
// example expenses.Filter.Query), or the plain list for "".
func ExpensesQuery(query string) string { return withRawQuery(Expenses, query) }

// ExpensesExportQuery is the CSV export with an encoded query string.
func ExpensesExportQuery(query string) string { return withRawQuery(ExpensesExport, query) }

func withRawQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// ExpensesExportFiltered is the CSV export of the list with the same query.
func ExpensesExportFiltered(query url.Values) string { return paths.WithQuery(ExpensesExport, query) }

// AdminCategory is the URL that renames a category.
func AdminCategory(id uint) string {
	return AdminCategories + "/" + strconv.FormatUint(uint64(id), 10)
}

// AdminCategoryActive is the URL that activates or deactivates a category.
func AdminCategoryActive(id uint) string { return AdminCategory(id) + "/active" }
