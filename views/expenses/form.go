package expenses

import (
	domain "github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
	"github.com/company-expenses/company-expenses/views/ui"
)

// Form is the new-expense and edit-expense form, as typed: a form that
// comes back with errors shows exactly what the person left, beside the
// message for each field.
type Form struct {
	// ID is 0 for a new expense.
	ID      uint
	Version int
	Status  models.Status
	Draft   domain.Draft
	// Categories are the active categories, plus the expense's own when it
	// has been deactivated since.
	Categories []Option
	Errors     ui.FieldErrors
	// CanSubmit offers "Submit for approval" beside "Save draft"; SubmitBlocked
	// explains why it is missing.
	CanSubmit     bool
	SubmitBlocked string
	// Receipt is the current receipt's file name, when editing one that has it.
	Receipt string
	// ReceiptDropped is set when a valid receipt came with a form that had
	// other errors: file inputs cannot be refilled, so the person must
	// choose it again.
	ReceiptDropped bool
	// Today is the latest date the date picker offers (the server's today
	// plus one day, see app/web latestDate).
	Today string
}

// Creating reports whether the form creates a new expense.
func (f Form) Creating() bool { return f.ID == 0 }

// Action is where the form posts.
func (f Form) Action() string {
	if f.Creating() {
		return expensepaths.Expenses
	}
	return expensepaths.Expense(f.ID)
}

// CancelURL leaves the form.
func (f Form) CancelURL() string {
	if f.Creating() {
		return expensepaths.Expenses
	}
	return expensepaths.Expense(f.ID)
}

// Currency is the selected currency, the default for a new form.
func (f Form) Currency() string {
	if f.Draft.Currency == "" {
		return domain.DefaultCurrency
	}
	return f.Draft.Currency
}

// The values of the form's submit buttons (name "intent"). The save button
// comes first in the form, so that Enter in a field saves rather than
// submits.
const (
	IntentSave   = "save"
	IntentSubmit = "submit"
)
