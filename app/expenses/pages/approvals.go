package pages

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

type approvalItem = expenseviews.ApprovalItem

// queuePerPage is how many expenses the approvals and reimbursements pages
// show at once.
const queuePerPage = 50

func (a *Handlers) approvals(c echo.Context) error {
	return a.renderApprovals(c, http.StatusOK, nil)
}

// renderApprovals renders the manager's queue; patch, when given, changes
// items before rendering (to show a failed decision's message in place).
func (a *Handlers) renderApprovals(c echo.Context, status int, patch func(*approvalItem)) error {
	v := a.viewer(c)
	page, _ := strconv.Atoi(c.QueryParam("page"))
	list, err := a.expenses.List(c.Request().Context(), v, expenses.Filter{
		Scope: expenses.ScopeTeam, Status: models.StatusSubmitted,
		Sort: expenses.SortDate, Desc: false, Page: page, PerPage: queuePerPage,
	})
	if err != nil {
		return err
	}
	q := expenseviews.ApprovalsPage{Total: list.Total, Page: list.Page, TotalPages: list.TotalPages}
	for i := range list.Items {
		it := newApprovalItem(v, &list.Items[i])
		if patch != nil {
			patch(&it)
		}
		q.Items = append(q.Items, it)
	}
	return a.render(c, status, expenseviews.Approvals(a.page(c, "Approvals"), q))
}

func newApprovalItem(v *models.Employee, e *models.Expense) approvalItem {
	return approvalItem{
		Row: expenseviews.RowOf(e),
		Actions: expenseviews.Actions{
			Approve: policy.Can(v, policy.ApproveExpense, e),
			Reject:  policy.Can(v, policy.RejectExpense, e),
		},
	}
}

// approvalFragment answers an htmx decision from the queue with the item as
// it is now (its outcome, or the message of a failed decision) and the
// updated count. It answers 200 even for a refusal, because htmx swaps only
// successful responses and the message belongs in the item.
func (a *Handlers) approvalFragment(c echo.Context, id uint, done *models.Expense, err error, comment string) error {
	v, ctx := a.viewer(c), c.Request().Context()
	var it approvalItem
	if err == nil {
		it = newApprovalItem(v, done)
		it.Outcome = done.Status
	} else {
		cur, gerr := a.expenses.Get(ctx, v, id)
		if gerr != nil {
			return a.domainError(c, gerr)
		}
		it = newApprovalItem(v, cur)
		if cur.Status != models.StatusSubmitted {
			it.Outcome = cur.Status
		}
		var (
			fe expenses.FieldErrors
			ce *expenses.ConflictError
			na *expenses.NotAllowedError
		)
		switch {
		case errors.As(err, &fe):
			it.Comment, it.Error = comment, fe.Error()
		case errors.As(err, &ce):
			it.Problem = ce.Error()
		case errors.As(err, &na):
			it.Problem = na.Reason
		default:
			return a.domainError(c, err)
		}
	}
	pending, err := a.expenses.PendingApprovalsCount(ctx, v)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, expenseviews.ApprovalFragment(it, middleware.CSRFToken(c), pending))
}
