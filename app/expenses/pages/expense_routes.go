package pages

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// uploadLimit caps the body of the routes that may carry a receipt: the
// largest receipt plus a megabyte for the other fields and the multipart
// framing.
var uploadLimit = strconv.Itoa(expenses.MaxReceiptBytes + 1<<20)

// uploadLimits are the routes that accept a receipt and so get a larger
// body limit than the rest (module.Pages.BodyLimits). The template applies
// it before its CSRF check reads the form; routes repeats it on each route.
func uploadLimits() map[string]string {
	return map[string]string{
		expensepaths.Expenses:              uploadLimit, // POST creates an expense, with an optional receipt
		expensepaths.ExpensePattern:        uploadLimit, // POST updates one, idem
		expensepaths.ExpenseReceiptPattern: uploadLimit, // POST attaches a receipt
	}
}

// routes registers the expenses pages on g, the group of routes that
// need a signed-in person. Each route names the policy action that guards
// it; the handlers and the expenses service check the expense itself.
func (a *Handlers) routes(g *echo.Group) {
	upload := echomw.BodyLimit(uploadLimit)
	// Every POST below changes something the menu's badges or the select
	// boxes may show: changed drops their caches once it is done.
	post := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		g.POST(path, h, append([]echo.MiddlewareFunc{a.changed}, m...)...)
	}
	browse := a.requireAny(policy.CreateExpense, policy.ViewTeamExpenses, policy.ViewAllExpenses)
	create := a.require(policy.CreateExpense)

	g.GET(expensepaths.Expenses, a.expenseList, browse, upload)
	g.GET(expensepaths.ExpensesExport, a.expenseExport, a.require(policy.ExportCSV))
	g.GET(expensepaths.ExpensesNew, a.expenseNew, create)
	post(expensepaths.Expenses, a.expenseCreate, create, upload)
	g.GET(expensepaths.ExpensePattern, a.expenseShow, upload)
	post(expensepaths.ExpensePattern, a.expenseUpdate, upload)
	g.GET(expensepaths.ExpenseEditPattern, a.expenseEdit)
	g.GET(expensepaths.ExpenseReceiptPattern, a.expenseReceipt, upload)
	post(expensepaths.ExpenseReceiptPattern, a.expenseAttachReceipt, upload)
	post(expensepaths.ExpenseSubmitPattern, a.expenseSubmit)
	post(expensepaths.ExpenseApprovePattern, a.expenseApprove)
	post(expensepaths.ExpenseRejectPattern, a.expenseReject)
	post(expensepaths.ExpenseReimbursePattern, a.expenseReimburse)
	post(expensepaths.ExpenseDeletePattern, a.expenseDelete)

	g.GET(expensepaths.Approvals, a.approvals, a.require(policy.ViewApprovals))

	reimburse := a.require(policy.ViewReimbursements)
	g.GET(expensepaths.Reimbursements, a.reimbursements, reimburse)
	post(expensepaths.Reimbursements, a.reimbursementsPost, reimburse)

	categories := a.require(policy.ManageCategories)
	g.GET(expensepaths.AdminCategories, a.adminCategories, categories)
	post(expensepaths.AdminCategories, a.adminCategoryCreate, categories)
	post(expensepaths.AdminCategoryPattern, a.adminCategoryRename, categories)
	post(expensepaths.AdminCategoryActivePattern, a.adminCategorySetActive, categories)
}

// canBrowseExpenses reports whether the person has an expense list to look
// at: their own claims, their team's, or everyone's.
func canBrowseExpenses(v *models.Employee) bool {
	return policy.Can(v, policy.CreateExpense, nil) || policy.Can(v, policy.ViewTeamExpenses, nil) ||
		policy.Can(v, policy.ViewAllExpenses, nil)
}

// menu returns the expenses entries of the main menu, with pending
// counts: the one place of the demo's menu entries. Each entry is shown
// exactly when its route's guard lets the person in.
func (a *Handlers) menu(c echo.Context, v *models.Employee) []layouts.MenuItem {
	var items []layouts.MenuItem
	if canBrowseExpenses(v) {
		items = append(items, layouts.MenuItem{Label: "Expenses", URL: expensepaths.Expenses})
	}
	mayApprove := policy.Can(v, policy.ViewApprovals, nil)
	mayReimburse := policy.Can(v, policy.ViewReimbursements, nil)
	if !mayApprove && !mayReimburse {
		return a.withCategories(items, v)
	}
	approvals, reimbursements, err := a.menuCounts(c, v)
	if err != nil {
		// A badge is not worth failing the page for.
		a.log.WarnContext(c.Request().Context(), "count pending expenses for the menu", "err", err)
	}
	if mayApprove {
		items = append(items, layouts.MenuItem{Label: "Approvals", URL: expensepaths.Approvals, Badge: approvals})
	}
	if mayReimburse {
		items = append(items, layouts.MenuItem{Label: "Reimbursements", URL: expensepaths.Reimbursements, Badge: reimbursements})
	}
	return a.withCategories(items, v)
}

// withCategories adds the categories admin page's entry (after the
// template's People entry in the widget would be nicer, but a module's
// entries come together, after Dashboard).
func (a *Handlers) withCategories(items []layouts.MenuItem, v *models.Employee) []layouts.MenuItem {
	if policy.Can(v, policy.ManageCategories, nil) {
		items = append(items, layouts.MenuItem{Label: "Categories", URL: expensepaths.AdminCategories})
	}
	return items
}

// require lets through only the people the policy allows to perform
// action, and tells everyone else why not.
func (a *Handlers) require(action policy.Action) echo.MiddlewareFunc {
	return a.requireAny(action)
}

// requireAny lets through the people allowed at least one of actions.
func (a *Handlers) requireAny(actions ...policy.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var d policy.Decision
			for _, action := range actions {
				if d = policy.Decide(a.viewer(c), action, nil); d.Allowed {
					return next(c)
				}
			}
			return a.forbidden(c, d.Reason)
		}
	}
}

// domainError turns the errors of the expenses service that have one
// answer everywhere into that answer: 404 for an expense the person may not
// see (whether or not it exists), 403 with the reason for a refusal. Other
// errors are returned as they are.
func (a *Handlers) domainError(c echo.Context, err error) error {
	var na *expenses.NotAllowedError
	switch {
	case errors.Is(err, expenses.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	case errors.As(err, &na):
		return a.forbidden(c, na.Reason)
	}
	return err
}

// actionFailed answers the errors of an action on an expense that every
// action answers alike. When someone else changed the expense first, the
// person is sent back to the page to (the expense's own, or the queue the
// form came from) with a flash saying who did what, so that they look again
// before acting; refusals and expenses the person may not see are answered
// as domainError says. Other errors are returned as they are.
func (a *Handlers) actionFailed(c echo.Context, err error, to string) error {
	var ce *expenses.ConflictError
	if errors.As(err, &ce) {
		a.flash(c, layouts.FlashError, ce.Error())
		return c.Redirect(http.StatusSeeOther, to)
	}
	return a.domainError(c, err)
}

// expenseRef reads what an action form on an expense names: the :id of the
// route and the version of the expense the person saw.
func expenseRef(c echo.Context) (id uint, version int, err error) {
	if id, err = idParam(c); err != nil {
		return 0, 0, err
	}
	if version, err = versionParam(c); err != nil {
		return 0, 0, err
	}
	return id, version, nil
}

// idParam reads the :id of the route; anything but a positive number is a
// page that does not exist.
func idParam(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return uint(id), nil
}

// versionParam reads the version of the expense the form was made from.
func versionParam(c echo.Context) (int, error) {
	v, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || v < 1 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "missing expense version")
	}
	return v, nil
}
