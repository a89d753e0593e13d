package pages

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
	"github.com/company-expenses/company-expenses/views/ui"
)

// today is the current day in the form's date format, to limit the date
// picker.
func today() string { return time.Now().UTC().Format(expenses.DateLayout) }

// latestDate is the latest date the date picker offers. The server's day is
// UTC, and the domain accepts one day ahead of it so that people east of UTC
// can claim their own today; the picker must not be stricter.
func latestDate() string { return time.Now().UTC().AddDate(0, 0, 1).Format(expenses.DateLayout) }

func (a *Handlers) expenseNew(c echo.Context) error {
	v := a.viewer(c)
	f := expenseviews.Form{
		Draft: expenses.Draft{SpentOn: today(), Currency: expenses.DefaultCurrency},
	}
	return a.renderForm(c, http.StatusOK, f, policy.Unsaved(v))
}

// renderForm renders the expense form with its choices and with the
// submit button the policy allows for target (the expense being edited,
// or the unsaved draft).
func (a *Handlers) renderForm(c echo.Context, status int, f expenseviews.Form, target *models.Expense) error {
	v := a.viewer(c)
	var keep uint
	if !f.Creating() {
		keep = target.CategoryID
	}
	cats, err := a.categoryOptions(c.Request().Context(), true, keep)
	if err != nil {
		return err
	}
	f.Categories = cats
	f.Today = latestDate()
	d := policy.Decide(v, policy.SubmitExpense, target)
	f.CanSubmit = d.Allowed
	if !d.Allowed {
		f.SubmitBlocked = d.Reason
	}
	title := "New expense"
	if !f.Creating() {
		title = "Edit expense"
	}
	return a.render(c, status, expenseviews.FormPage(a.page(c, title), f))
}

// readDraft reads the expense form as typed, with the receipt if one was
// sent.
func readDraft(c echo.Context) (expenses.Draft, error) {
	d := expenses.Draft{
		SpentOn:     c.FormValue("spent_on"),
		CategoryID:  c.FormValue("category_id"),
		Amount:      c.FormValue("amount"),
		Currency:    c.FormValue("currency"),
		Merchant:    c.FormValue("merchant"),
		Description: c.FormValue("description"),
	}
	up, err := readUpload(c)
	d.Receipt = up
	return d, err
}

// readUpload returns the receipt sent in the form, nil when none was. It
// reads at most one byte more than a receipt may have, so that
// CheckReceipt can say the file is too large without the server holding
// more.
func readUpload(c echo.Context) (*expenses.Upload, error) {
	fh, err := c.FormFile("receipt")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return nil, nil
	case errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		return nil, err
	case err != nil:
		return nil, echo.NewHTTPError(http.StatusBadRequest, "unreadable upload").SetInternal(err)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded receipt: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, expenses.MaxReceiptBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read uploaded receipt: %w", err)
	}
	return &expenses.Upload{Name: fh.Filename, Data: data}, nil
}

// checkDraftText applies the app's rule for free text (app/textcheck) to
// the merchant and the description, normalising their line breaks. When
// either is refused, it returns those messages together with whatever else
// the expenses service finds wrong with the draft (current returns the
// expense being edited, nil for a new one; it is called only then), so the
// form shows every problem at once; the caller then saves nothing.
func (a *Handlers) checkDraftText(c echo.Context, d *expenses.Draft, current func() (*models.Expense, error)) error {
	fe := expenses.FieldErrors{}
	merchant, mp := textcheck.Clean(d.Merchant, false)
	description, dp := textcheck.Clean(d.Description, true)
	if mp == "" && dp == "" {
		d.Merchant, d.Description = merchant, description
		return nil
	}
	cur, err := current()
	if err != nil {
		return err
	}
	var domain expenses.FieldErrors
	if _, err := a.expenses.Validate(c.Request().Context(), *d, cur); errors.As(err, &domain) {
		maps.Copy(fe, domain)
	} else if err != nil {
		return err
	}
	if mp != "" {
		fe["merchant"] = mp
	}
	if dp != "" {
		fe["description"] = dp
	}
	return fe
}

// formWithErrors returns the form as typed with the messages beside each
// field. A valid receipt that came with other errors was not stored, and
// the person must choose it again: file fields cannot be refilled.
func formWithErrors(f expenseviews.Form, d expenses.Draft, fe expenses.FieldErrors) expenseviews.Form {
	f.Draft = d
	f.Errors = ui.FieldErrors(fe)
	f.ReceiptDropped = d.Receipt != nil && !f.Errors.Has("receipt")
	return f
}

func (a *Handlers) expenseCreate(c echo.Context) error {
	v, ctx := a.viewer(c), c.Request().Context()
	d, err := readDraft(c)
	if err != nil {
		return err
	}
	submit := c.FormValue("intent") == expenseviews.IntentSubmit
	var e *models.Expense
	typed := d
	noExpense := func() (*models.Expense, error) { return nil, nil }
	if err = a.checkDraftText(c, &d, noExpense); err == nil {
		e, err = a.expenses.Create(ctx, v, d, submit)
	}
	d = typed // the form shows what was typed
	var fe expenses.FieldErrors
	if errors.As(err, &fe) {
		return a.renderForm(c, http.StatusUnprocessableEntity, formWithErrors(expenseviews.Form{}, d, fe), policy.Unsaved(v))
	}
	if err != nil {
		return a.domainError(c, err)
	}
	if submit {
		a.flash(c, layouts.FlashSuccess, submittedMessage(e, a.managerName(c, v)))
	} else {
		a.flash(c, layouts.FlashSuccess, "Saved as a draft. Submit it for approval when it is complete.")
	}
	return c.Redirect(http.StatusSeeOther, expensepaths.Expense(e.ID))
}

// managerName names the person's manager for a message, or says "your
// manager" when there is none (or it cannot be loaded: it is only words).
func (a *Handlers) managerName(c echo.Context, v *models.Employee) string {
	if v.ManagerID == nil {
		return "your manager"
	}
	m, err := a.people.Viewer(c.Request().Context(), *v.ManagerID)
	if err != nil {
		a.log.WarnContext(c.Request().Context(), "load manager for a message", "err", err, "manager_id", *v.ManagerID)
		return "your manager"
	}
	return m.DisplayName()
}

func submittedMessage(e *models.Expense, to string) string {
	return fmt.Sprintf("Submitted %s at %s to %s for approval.",
		expenses.FormatAmount(e.AmountMinor, e.Currency), e.Merchant, to)
}

// editable loads the expense of the route for editing: 404 when the person
// may not see it, 403 with the reason when they may see but not change it.
// A nil expense without error means the refusal has been rendered.
func (a *Handlers) editable(c echo.Context) (*models.Expense, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	v := a.viewer(c)
	e, err := a.expenses.Get(c.Request().Context(), v, id)
	if err != nil {
		return nil, a.domainError(c, err)
	}
	if d := policy.Decide(v, policy.EditExpense, e); !d.Allowed {
		return nil, a.forbidden(c, d.Reason)
	}
	return e, nil
}

func editForm(e *models.Expense) expenseviews.Form {
	return expenseviews.Form{ID: e.ID, Version: e.Version, Status: e.Status, Draft: expenses.DraftOf(e)}
}

func (a *Handlers) expenseEdit(c echo.Context) error {
	e, err := a.editable(c)
	if err != nil || e == nil {
		return err
	}
	f := editForm(e)
	if e.HasReceipt {
		if info, err := a.receiptInfo(c.Request().Context(), a.viewer(c), e); err != nil {
			return err
		} else if info != nil {
			f.Receipt = info.FileName
		}
	}
	return a.renderForm(c, http.StatusOK, f, e)
}

// expenseUpdate saves the edit form, and submits the expense in the same
// transaction when the person chose "Save and submit": a refused submission
// saves nothing, as on the new-expense form.
func (a *Handlers) expenseUpdate(c echo.Context) error {
	id, version, err := expenseRef(c)
	if err != nil {
		return err
	}
	d, err := readDraft(c)
	if err != nil {
		return err
	}
	v, ctx := a.viewer(c), c.Request().Context()
	submit := c.FormValue("intent") == expenseviews.IntentSubmit
	var e *models.Expense
	typed := d
	editing := func() (*models.Expense, error) { return a.expenses.Get(ctx, v, id) }
	if err = a.checkDraftText(c, &d, editing); err == nil {
		e, err = a.expenses.Update(ctx, v, id, version, d, submit)
	}
	d = typed
	var fe expenses.FieldErrors
	switch {
	case errors.As(err, &fe):
		cur, gerr := a.expenses.Get(ctx, v, id)
		if gerr != nil {
			return a.domainError(c, gerr)
		}
		f := formWithErrors(editForm(cur), d, fe)
		f.Version = version // keep the version the person is editing
		return a.renderForm(c, http.StatusUnprocessableEntity, f, cur)
	case err != nil:
		return a.actionFailed(c, err, expensepaths.Expense(id))
	}
	if submit {
		a.flash(c, layouts.FlashSuccess, submittedMessage(e, a.managerName(c, v)))
	} else {
		a.flash(c, layouts.FlashSuccess, "Your changes have been saved.")
	}
	return c.Redirect(http.StatusSeeOther, expensepaths.Expense(id))
}

// expenseAttachReceipt stores a receipt sent from the expense's page.
func (a *Handlers) expenseAttachReceipt(c echo.Context) error {
	id, version, err := expenseRef(c)
	if err != nil {
		return err
	}
	up, err := readUpload(c)
	if err != nil {
		return err
	}
	if up == nil {
		up = &expenses.Upload{}
	}
	v, ctx := a.viewer(c), c.Request().Context()
	_, err = a.expenses.AttachReceipt(ctx, v, id, version, *up)
	var fe expenses.FieldErrors
	switch {
	case errors.As(err, &fe):
		if up.Name == "" && len(up.Data) == 0 {
			fe = expenses.FieldErrors{"receipt": "Choose a file to upload."}
		}
		e, gerr := a.expenses.Get(ctx, v, id)
		if gerr != nil {
			return a.domainError(c, gerr)
		}
		return a.renderDetail(c, http.StatusUnprocessableEntity, e, fe, "")
	case err != nil:
		return a.actionFailed(c, err, expensepaths.Expense(id)+"#receipt")
	}
	a.flash(c, layouts.FlashSuccess, "The receipt has been attached.")
	return c.Redirect(http.StatusSeeOther, expensepaths.Expense(id)+"#receipt")
}
