package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// menu builds the navigation widget's main menu for the signed-in person.
// This is the one place to add, remove or reorder a menu entry; each entry
// appears only for the people the server would let through.
func (a *Application) menu(c echo.Context, v *models.Employee, current string) []layouts.MenuItem {
	items := []layouts.MenuItem{
		{Label: "Dashboard", URL: paths.Home},
	}
	items = append(items, a.expenseMenu(c, v)...)
	if policy.Can(v, policy.ManageUsers, nil) {
		items = append(items, layouts.MenuItem{Label: "People", URL: paths.AdminUsers})
	}
	if policy.Can(v, policy.ManageCategories, nil) {
		items = append(items, layouts.MenuItem{Label: "Categories", URL: paths.AdminCategories})
	}
	if policy.Can(v, policy.ManageSettings, nil) {
		items = append(items, layouts.MenuItem{Label: "Settings", URL: paths.AdminSettings})
	}
	for i := range items {
		u := items[i].URL
		items[i].Active = current == u || (u != paths.Home && strings.HasPrefix(current, u+"/"))
	}
	return items
}

// ctxCounts is where pendingCounts keeps its answer for the rest of the
// request.
const ctxCounts = "pending_counts"

type pendingCountsResult struct {
	approvals, reimbursements int64
	err                       error
}

// pendingCounts returns the menu badges' numbers (expenses awaiting the
// person's approval, and awaiting reimbursement), counted once per request:
// the menu shows them on every page, and the dashboard shows one of them
// again, so without this a dashboard counted them twice.
func (a *Application) pendingCounts(c echo.Context, v *models.Employee) (approvals, reimbursements int64, err error) {
	if r, ok := c.Get(ctxCounts).(pendingCountsResult); ok {
		return r.approvals, r.reimbursements, r.err
	}
	approvals, reimbursements, err = a.expenses.Counts(c.Request().Context(), v)
	c.Set(ctxCounts, pendingCountsResult{approvals, reimbursements, err})
	return approvals, reimbursements, err
}
