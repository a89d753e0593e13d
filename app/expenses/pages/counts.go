package pages

import (
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/models"
)

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
func (a *Handlers) pendingCounts(c echo.Context, v *models.Employee) (approvals, reimbursements int64, err error) {
	if r, ok := c.Get(ctxCounts).(pendingCountsResult); ok {
		return r.approvals, r.reimbursements, r.err
	}
	approvals, reimbursements, err = a.expenses.Counts(c.Request().Context(), v)
	c.Set(ctxCounts, pendingCountsResult{approvals, reimbursements, err})
	return approvals, reimbursements, err
}
