package pages

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// The workflow actions. Each is a plain form POST carrying the version of
// the expense the person saw; the expenses service checks the policy, the
// version and the status in one transaction. The answers:
//
//   - done: a flash saying so, and back to the expense (or to the queue the
//     form came from);
//   - bad input (a rejection without a comment): the page again, with the
//     message beside the field;
//   - someone else acted first: the expense's page with their action as a
//     flash ("Already approved by …");
//   - not allowed: 403 with the policy's reason; not visible: 404.

// transition is one workflow step of the expenses service.
type transition func(ctx context.Context, actor *models.Employee, id uint, version int, comment string) (*models.Expense, error)

func (a *Handlers) expenseSubmit(c echo.Context) error {
	return a.act(c, func(ctx context.Context, v *models.Employee, id uint, version int, _ string) (*models.Expense, error) {
		return a.expenses.Submit(ctx, v, id, version)
	}, func(v *models.Employee, e *models.Expense) string {
		return submittedMessage(e, a.managerName(c, v))
	})
}

func (a *Handlers) expenseApprove(c echo.Context) error {
	return a.act(c, a.expenses.Approve, func(_ *models.Employee, e *models.Expense) string {
		return fmt.Sprintf("Approved %s’s %s at %s.", e.Employee.DisplayName(), amountOf(e), e.Merchant)
	})
}

func (a *Handlers) expenseReject(c echo.Context) error {
	return a.act(c, a.expenses.Reject, func(_ *models.Employee, e *models.Expense) string {
		return fmt.Sprintf("Rejected %s’s %s at %s. They will see your comment and can correct it.",
			e.Employee.DisplayName(), amountOf(e), e.Merchant)
	})
}

func (a *Handlers) expenseReimburse(c echo.Context) error {
	return a.act(c, func(ctx context.Context, v *models.Employee, id uint, version int, _ string) (*models.Expense, error) {
		return a.expenses.Reimburse(ctx, v, id, version)
	}, func(_ *models.Employee, e *models.Expense) string {
		return fmt.Sprintf("Recorded %s to %s as reimbursed.", amountOf(e), e.Employee.DisplayName())
	})
}

func amountOf(e *models.Expense) string { return expenses.FormatAmount(e.AmountMinor, e.Currency) }

// returnTo is the page a form asks to come back to after the action, or
// fallback when it names none. Only local paths are accepted.
func returnTo(c echo.Context, fallback string) string {
	if r := c.FormValue("return_to"); r != "" {
		return paths.SafeNext(r)
	}
	return fallback
}

// act runs a workflow step for the expense of the route and answers as
// described above.
func (a *Handlers) act(c echo.Context, step transition, done func(*models.Employee, *models.Expense) string) error {
	id, version, err := expenseRef(c)
	if err != nil {
		return err
	}
	v, ctx := a.viewer(c), c.Request().Context()
	comment := c.FormValue("comment")
	back := returnTo(c, expensepaths.Expense(id))
	fromQueue := back == expensepaths.Approvals

	// A decision comment follows the app's rule for free text; a refused
	// one is shown at the field like the service's own "say why".
	var e *models.Expense
	if clean, problem := textcheck.Clean(comment, true); problem != "" {
		err = expenses.FieldErrors{"comment": problem}
	} else {
		e, err = step(ctx, v, id, version, clean)
	}
	if fromQueue && wantsFragment(c) {
		return a.approvalFragment(c, id, e, err, comment)
	}
	var fe expenses.FieldErrors
	switch {
	case err == nil:
		a.flash(c, layouts.FlashSuccess, done(v, e))
		return c.Redirect(http.StatusSeeOther, back)
	case errors.As(err, &fe) && fromQueue:
		return a.renderApprovals(c, http.StatusUnprocessableEntity, func(it *approvalItem) {
			if it.ID == id {
				it.Comment, it.Error = comment, fe.Error()
			}
		})
	case errors.As(err, &fe):
		cur, gerr := a.expenses.Get(ctx, v, id)
		if gerr != nil {
			return a.domainError(c, gerr)
		}
		return a.renderDetail(c, http.StatusUnprocessableEntity, cur, fe, comment)
	}
	return a.actionFailed(c, err, back)
}

func (a *Handlers) expenseDelete(c echo.Context) error {
	id, version, err := expenseRef(c)
	if err != nil {
		return err
	}
	v, ctx := a.viewer(c), c.Request().Context()
	e, err := a.expenses.Get(ctx, v, id)
	if err != nil {
		return a.domainError(c, err)
	}
	if err := a.expenses.Delete(ctx, v, id, version); err != nil {
		return a.actionFailed(c, err, expensepaths.Expense(id))
	}
	a.flash(c, layouts.FlashSuccess, fmt.Sprintf("Deleted the expense of %s at %s.", amountOf(e), e.Merchant))
	return c.Redirect(http.StatusSeeOther, expensepaths.Expenses)
}
