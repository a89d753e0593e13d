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
	Readyz    = "/readyz"
	Login     = "/login"
	Logout    = "/logout"
	SignedOut = "/signed-out"
	Profile   = "/profile"
	Password  = "/profile/password"
	// ProfileConnectPattern starts linking an SSO provider to the signed-in
	// person; ProfileDisconnectPattern removes a linked identity.
	ProfileConnectPattern    = Profile + "/sso/:provider/connect"
	ProfileDisconnectPattern = Profile + "/sso/identities/:id/disconnect"

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

	AdminUsers       = "/admin/users"
	AdminUsersNew    = "/admin/users/new"
	AdminUserPattern = "/admin/users/:id"
	AdminCategories  = "/admin/categories"
	// AdminCategoryPattern renames a category (POST).
	AdminCategoryPattern = "/admin/categories/:id"
	// AdminCategoryActivePattern activates or deactivates one (POST).
	AdminCategoryActivePattern = AdminCategoryPattern + "/active"
	AdminSettings              = "/admin/settings"
	// AdminSCIMTokens (POST) makes a SCIM bearer token;
	// AdminSCIMTokenRevokePattern (POST) revokes one.
	AdminSCIMTokens             = AdminSettings + "/scim-tokens"
	AdminSCIMTokenRevokePattern = AdminSCIMTokens + "/:id/revoke"
	// AdminSignInLocks lists the sign-in throttle's current locks;
	// AdminSignInLocksClear (POST) lifts one.
	AdminSignInLocks      = "/admin/sign-in-locks"
	AdminSignInLocksClear = AdminSignInLocks + "/clear"
	// AdminMail lists mail not delivered; AdminMailTest (POST) sends the
	// administrator a test mail. DevMail is the development mail viewer.
	AdminMail             = "/admin/mail"
	AdminMailTest         = AdminMail + "/test"
	DevMail               = "/dev/mail"
	DevMailMessagePattern = DevMail + "/:id"
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
func ExpensesFiltered(query url.Values) string { return withQuery(Expenses, query) }

// ExpensesExportFiltered is the CSV export of the list with the same query.
func ExpensesExportFiltered(query url.Values) string { return withQuery(ExpensesExport, query) }

func withQuery(path string, query url.Values) string {
	if len(query) == 0 {
		return path
	}
	return path + "?" + query.Encode()
}

// AdminCategory is the URL that renames a category.
func AdminCategory(id uint) string {
	return AdminCategories + "/" + strconv.FormatUint(uint64(id), 10)
}

// AdminCategoryActive is the URL that activates or deactivates a category.
func AdminCategoryActive(id uint) string { return AdminCategory(id) + "/active" }

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

// ProfileConnect is where the profile page posts to link provider.
func ProfileConnect(provider string) string {
	return Profile + "/sso/" + url.PathEscape(provider) + "/connect"
}

// ProfileDisconnect is where the profile page posts to unlink an identity.
func ProfileDisconnect(identityID uint) string {
	return Profile + "/sso/identities/" + strconv.FormatUint(uint64(identityID), 10) + "/disconnect"
}

// DevMailMessage is one mail in the development mail viewer.
func DevMailMessage(id uint) string { return DevMail + "/" + strconv.FormatUint(uint64(id), 10) }

// AdminSCIMTokenRevoke is the URL that revokes SCIM token id.
func AdminSCIMTokenRevoke(id uint) string {
	return AdminSCIMTokens + "/" + strconv.FormatUint(uint64(id), 10) + "/revoke"
}
