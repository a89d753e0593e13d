package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/cache"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/app/middleware"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
	"github.com/company-expenses/company-expenses/views/ui"
)

// scopesFor lists the list tabs v may open: their own expenses always,
// their team's and everyone's as the policy allows.
func scopesFor(v *models.Employee) []expenses.Scope {
	scopes := []expenses.Scope{expenses.ScopeMine}
	if policy.Can(v, policy.ViewTeamExpenses, nil) {
		scopes = append(scopes, expenses.ScopeTeam)
	}
	if policy.Can(v, policy.ViewAllExpenses, nil) {
		scopes = append(scopes, expenses.ScopeAll)
	}
	return scopes
}

// listFilter reads the list's filter from the query string. A scope the
// person has no tab for falls back to their own expenses (the service would
// never show them more than they may see anyway).
func listFilter(c echo.Context, v *models.Employee) (expenses.Filter, []expenses.Scope) {
	f := expenses.ParseFilter(c.QueryParams())
	scopes := scopesFor(v)
	if !slices.Contains(scopes, f.Scope) {
		f.Scope = expenses.ScopeMine
	}
	return f, scopes
}

func (a *Handlers) expenseList(c echo.Context) error {
	v, ctx := a.viewer(c), c.Request().Context()
	f, scopes := listFilter(c, v)
	page, err := a.expenses.List(ctx, v, f)
	if err != nil {
		return err
	}
	cats, err := a.categoryOptions(ctx, false, 0)
	if err != nil {
		return err
	}
	l := expenseviews.ListPage{
		Filter: page.Filter, Scopes: scopes, Categories: cats,
		Total: page.Total, TotalPages: page.TotalPages, TotalIsLowerBound: page.TotalIsLowerBound,
		CanCreate: policy.Can(v, policy.CreateExpense, nil),
	}
	for i := range page.Items {
		l.Rows = append(l.Rows, expenseviews.RowOf(&page.Items[i]))
	}
	// The same URL answers with the whole page or, to htmx, with the results
	// region only; caches must tell the two apart.
	c.Response().Header().Add(echo.HeaderVary, "HX-Request")
	if wantsFragment(c) {
		return a.render(c, http.StatusOK, expenseviews.ResultsFragment(l))
	}
	return a.render(c, http.StatusOK, expenseviews.List(a.page(c, "Expenses"), l))
}

// wantsFragment reports whether htmx asked for part of a page. A history
// restore (the back button after htmx pushed the URL, with nothing cached)
// needs the whole page even though htmx sends it.
func wantsFragment(c echo.Context) bool {
	return middleware.IsHTMX(c) && c.Request().Header.Get("HX-History-Restore-Request") != "true"
}

// categoryOptions lists the categories for a select box: all of them for
// filters, only the active ones for the form plus keep (the expense's own
// category, even when deactivated since).
func (a *Handlers) categoryOptions(ctx context.Context, activeOnly bool, keep uint) ([]expenseviews.Option, error) {
	cats, err := a.categories.Get(struct{}{}, func() ([]models.Category, error) {
		return a.expenses.ListCategories(ctx, false)
	})
	if err != nil {
		return nil, err
	}
	opts := make([]expenseviews.Option, 0, len(cats))
	for _, cat := range cats {
		label := cat.Name
		switch {
		case cat.Active:
		case cat.ID == keep:
			label += " (no longer in use)"
		case activeOnly:
			continue
		default:
			label += " (inactive)"
		}
		opts = append(opts, expenseviews.Option{Value: strconv.FormatUint(uint64(cat.ID), 10), Label: label})
	}
	return opts, nil
}

// The categories change rarely (an administrator adds or renames one) and
// every list page and form offers them: they are kept for categoryTTL. A
// change through this module's routes drops them (changed); one made on
// another instance shows within categoryTTL, and an expense saved with a
// category deactivated there meanwhile is refused by the service, with the
// message at the field, as before.
const categoryTTL = 2 * time.Second

// categoryCache holds every category, by name, under the one key struct{}{}.
type categoryCache = cache.TTL[struct{}, []models.Category]

func newCategoryCache() *categoryCache {
	return cache.NewTTL[struct{}, []models.Category](categoryTTL, 1, time.Now)
}

// expenseExport streams the list's current filter, all pages of it, as CSV.
func (a *Handlers) expenseExport(c echo.Context) error {
	v, ctx := a.viewer(c), c.Request().Context()
	f, _ := listFilter(c, v)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, contentDisposition("attachment", a.expenses.CSVFileName()))
	c.Response().WriteHeader(http.StatusOK)
	if err := a.expenses.WriteCSV(ctx, c.Response(), v, f); err != nil {
		// The status line has gone out; all that is left is to log and cut
		// the download short, which the browser reports as failed.
		a.log.ErrorContext(ctx, "export expenses as CSV", "err", err, "user", v.UserID)
		panic(http.ErrAbortHandler)
	}
	return nil
}

func (a *Handlers) expenseShow(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := a.expenses.Get(c.Request().Context(), a.viewer(c), id)
	if err != nil {
		return a.domainError(c, err)
	}
	return a.renderDetail(c, http.StatusOK, e, nil, "")
}

// renderDetail renders the page of e with the buttons the viewer's policy
// allows, and errs beside the comment or receipt field when an action came
// back with bad input.
func (a *Handlers) renderDetail(c echo.Context, status int, e *models.Expense, errs expenses.FieldErrors, comment string) error {
	v, ctx := a.viewer(c), c.Request().Context()
	history, err := a.expenses.History(ctx, v, e.ID)
	if err != nil {
		return a.domainError(c, err)
	}
	d := expenseviews.NewDetail(e, v.UserID, history)
	d.Actions = actionsFor(v, e)
	d.Comment = comment
	d.Errors = ui.FieldErrors(errs)
	if d.Actions.Edit && !d.Actions.Submit {
		d.SubmitBlocked = policy.Decide(v, policy.SubmitExpense, e).Reason
	}
	if d.Receipt, err = a.receiptInfo(ctx, v, e); err != nil {
		return err
	}
	return a.render(c, status, expenseviews.DetailPage(a.page(c, e.Merchant), d))
}

// actionsFor asks the policy which buttons the page of e shows to v.
func actionsFor(v *models.Employee, e *models.Expense) expenseviews.Actions {
	return expenseviews.Actions{
		Edit:          policy.Can(v, policy.EditExpense, e),
		Delete:        policy.Can(v, policy.DeleteExpense, e),
		Submit:        policy.Can(v, policy.SubmitExpense, e),
		Approve:       policy.Can(v, policy.ApproveExpense, e),
		Reject:        policy.Can(v, policy.RejectExpense, e),
		Reimburse:     policy.Can(v, policy.ReimburseExpense, e),
		AttachReceipt: policy.Can(v, policy.AttachReceipt, e),
	}
}

// receiptInfo describes the receipt of e, if it has one, without loading
// its bytes: the page needs the name and type only.
func (a *Handlers) receiptInfo(ctx context.Context, v *models.Employee, e *models.Expense) (*expenseviews.ReceiptInfo, error) {
	if !e.HasReceipt {
		return nil, nil
	}
	r, err := a.expenses.ReceiptInfo(ctx, v, e.ID)
	if errors.Is(err, expenses.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &expenseviews.ReceiptInfo{
		URL: expensepaths.ExpenseReceipt(e.ID), FileName: r.FileName, ContentType: r.ContentType, Size: r.Size,
	}, nil
}

// expenseReceipt serves a receipt to the people who may see its expense,
// and answers 404 to everyone else, as for the expense itself.
func (a *Handlers) expenseReceipt(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	r, err := a.expenses.Receipt(c.Request().Context(), a.viewer(c), id)
	if err != nil {
		return a.domainError(c, err)
	}
	h := c.Response().Header()
	disposition := "attachment"
	switch r.ContentType {
	case expenses.ContentTypeJPEG, expenses.ContentTypePNG, expenses.ContentTypePDF:
		disposition = "inline"
	}
	h.Set(echo.HeaderContentDisposition, contentDisposition(disposition, r.FileName))
	// The type was sniffed from the bytes at upload; the browser must not
	// guess another. A receipt is personal: no shared or back-button cache.
	h.Set("X-Content-Type-Options", "nosniff")
	// A receipt is opened on the app's own origin, and a PDF is accepted on
	// its first bytes alone, so a crafted file (a PDF that is also HTML,
	// scripts inside the PDF) must not act as the app. The sandbox gives
	// the document an opaque origin, without scripts, cookies or forms.
	// Images shown with <img> on the expense page are not affected.
	h.Set("Content-Security-Policy", receiptCSP)
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(r.Data)))
	return c.Blob(http.StatusOK, r.ContentType, r.Data)
}

// receiptCSP replaces the pages' Content-Security-Policy on a receipt.
const receiptCSP = "sandbox"

// contentDisposition writes a Content-Disposition header naming a file:
// a plain-ASCII, quoted filename for every browser, and the exact name in
// RFC 5987 form when it has other characters.
func contentDisposition(disposition, name string) string {
	name = expenses.ReceiptFileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	h := disposition + `; filename="` + ascii + `"`
	if ascii != name {
		h += "; filename*=UTF-8''" + url.PathEscape(name)
	}
	return h
}
