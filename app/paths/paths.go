// Package paths names every URL of the application once. Routes are
// registered with these constants and pages link with these functions, so a
// URL is never typed twice and renaming one is a one-line change.
package paths

import (
	"net/url"
	"strconv"
)

// Fixed paths. The route patterns with parameters are the *Pattern constants.
const (
	Home      = "/"
	Healthz   = "/healthz"
	Login     = "/login"
	Logout    = "/logout"
	SignedOut = "/signed-out"
	Profile   = "/profile"
	Password  = "/profile/password"

	Expenses       = "/expenses"
	ExpensesNew    = "/expenses/new"
	ExpensesExport = "/expenses/export.csv"
	ExpensePattern = "/expenses/:id"
	Approvals      = "/approvals"
	Reimbursements = "/reimbursements"

	AdminUsers       = "/admin/users"
	AdminUsersNew    = "/admin/users/new"
	AdminUserPattern = "/admin/users/:id"
	AdminCategories  = "/admin/categories"
	AdminSettings    = "/admin/settings"
)

// Expense is the deep-linkable page of one expense.
func Expense(id uint) string { return Expenses + "/" + strconv.FormatUint(uint64(id), 10) }

// ExpenseAction is the URL an action on an expense posts to, e.g. "submit".
func ExpenseAction(id uint, action string) string { return Expense(id) + "/" + action }

// AdminUser is the edit page of one user.
func AdminUser(id uint) string { return AdminUsers + "/" + strconv.FormatUint(uint64(id), 10) }

// LoginNext is the sign-in page that returns to next afterwards.
func LoginNext(next string) string {
	if next == "" || next == Home {
		return Login
	}
	return Login + "?next=" + url.QueryEscape(next)
}

// SafeNext returns next when it is a path on this site, and Home otherwise.
// It refuses absolute URLs, scheme-relative "//host" and "/\host" forms
// (browsers treat a backslash as a slash), and anything with control
// characters, so a return target can never send someone off-site.
func SafeNext(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' {
		return Home
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return Home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return Home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return Home
	}
	return next
}
