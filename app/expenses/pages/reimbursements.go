package pages

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

func (a *Handlers) reimbursements(c echo.Context) error {
	v, ctx := a.viewer(c), c.Request().Context()
	page, _ := strconv.Atoi(c.QueryParam("page"))
	list, err := a.expenses.List(ctx, v, expenses.Filter{
		Scope: expenses.ScopeAll, Status: models.StatusApproved,
		Sort: expenses.SortDate, Desc: false, Page: page, PerPage: queuePerPage,
	})
	if err != nil {
		return err
	}
	totals, err := a.expenses.AwaitingReimbursement(ctx, v)
	if err != nil {
		return a.domainError(c, err)
	}
	r := expenseviews.ReimbursementsPage{Total: list.Total, Page: list.Page, TotalPages: list.TotalPages}
	for _, t := range totals {
		r.Totals = append(r.Totals, expenseviews.CurrencyTotal{
			Currency: t.Currency, Amount: expenses.FormatAmount(t.SumMinor, t.Currency), Count: t.Count,
		})
	}
	for i := range list.Items {
		e := &list.Items[i]
		d := policy.Decide(v, policy.ReimburseExpense, e)
		r.Rows = append(r.Rows, expenseviews.ReimburseRow{Row: expenseviews.RowOf(e), Selectable: d.Allowed, Why: d.Reason})
	}
	return a.render(c, http.StatusOK, expenseviews.Reimbursements(a.page(c, "Reimbursements"), r))
}

// maxFailuresShown keeps the summary flash short (it travels in a cookie).
const maxFailuresShown = 5

// reimbursementsPost reimburses the ticked expenses and sums up what
// happened to each: those a colleague paid a moment earlier, or that the
// person may not pay, are listed with the reason and do not hold up the
// others.
func (a *Handlers) reimbursementsPost(c echo.Context) error {
	v, ctx := a.viewer(c), c.Request().Context()
	params, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
	}
	var ids []uint
	for _, raw := range params["ids"] {
		if id, err := strconv.ParseUint(raw, 10, 32); err == nil && id > 0 {
			ids = append(ids, uint(id))
		}
	}
	if len(ids) == 0 {
		a.flash(c, layouts.FlashError, "Tick at least one expense to reimburse.")
		return c.Redirect(http.StatusSeeOther, expensepaths.Reimbursements)
	}
	results, err := a.expenses.ReimburseMany(ctx, v, ids)
	var fe expenses.FieldErrors
	if errors.As(err, &fe) {
		a.flash(c, layouts.FlashError, fe.Error())
		return c.Redirect(http.StatusSeeOther, expensepaths.Reimbursements)
	}
	if err != nil {
		return err
	}
	ok, failed := summarizeReimbursements(results)
	if ok != "" {
		a.flash(c, layouts.FlashSuccess, ok)
	}
	if failed != "" {
		a.flash(c, layouts.FlashError, failed)
	}
	return c.Redirect(http.StatusSeeOther, expensepaths.Reimbursements)
}

// summarizeReimbursements writes the outcome of a batch as two messages:
// what was reimbursed (count and amount per currency), and what was not,
// with each reason.
func summarizeReimbursements(results []expenses.Result) (ok, failed string) {
	sums := map[string]int64{}
	var currencies []string
	var n int
	var problems []string
	for _, r := range results {
		if r.Err == nil && r.Expense != nil {
			n++
			if _, seen := sums[r.Expense.Currency]; !seen {
				currencies = append(currencies, r.Expense.Currency)
			}
			sums[r.Expense.Currency] += r.Expense.AmountMinor
			continue
		}
		msg, _ := expenses.UserMessage(r.Err)
		problems = append(problems, fmt.Sprintf("#%d: %s", r.ID, msg))
	}
	if n > 0 {
		amounts := make([]string, len(currencies))
		for i, cur := range currencies {
			amounts[i] = expenses.FormatAmount(sums[cur], cur)
		}
		ok = fmt.Sprintf("Reimbursed %s: %s.", expenseviews.CountLabel(int64(n), "expense", "expenses"), strings.Join(amounts, ", "))
	}
	if len(problems) > 0 {
		shown := problems[:min(len(problems), maxFailuresShown)]
		failed = fmt.Sprintf("%s not reimbursed. %s", expenseviews.CountLabel(int64(len(problems)), "expense was", "expenses were"), strings.Join(shown, " "))
		if more := len(problems) - len(shown); more > 0 {
			failed += fmt.Sprintf(" And %d more.", more)
		}
	}
	return ok, failed
}
