package expenses

import (
	domain "github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
	"github.com/company-expenses/company-expenses/views/ui"
)

// Actions are the buttons an expense page offers. The handler fills them
// from policy.Can, the same function that decides when the form is posted,
// so a button is shown exactly when the server would accept the click.
type Actions struct {
	Edit          bool
	Delete        bool
	Submit        bool
	Approve       bool
	Reject        bool
	Reimburse     bool
	AttachReceipt bool
}

// Workflow reports whether any of the workflow buttons is offered.
func (a Actions) Workflow() bool { return a.Submit || a.Approve || a.Reject || a.Reimburse }

// Detail is the page of one expense.
type Detail struct {
	ID          uint
	Version     int
	Status      models.Status
	Owner       string
	OwnerIsMe   bool
	Department  string
	Date        string
	Category    string
	Amount      string
	Merchant    string
	Description string
	Created     string
	Receipt     *ReceiptInfo
	History     []Event
	Actions     Actions
	// SubmitBlocked says why the owner cannot submit an expense they could
	// otherwise change (no manager yet), so the missing button is explained.
	SubmitBlocked string
	// Rejection is the latest rejection comment, shown to the owner of a
	// rejected expense above everything else.
	Rejection *Event
	// Comment is what was typed into the approve or reject form, kept when
	// the form comes back with an error.
	Comment string
	// Errors are the messages beside the comment or receipt field when an
	// action came back with bad input.
	Errors ui.FieldErrors
}

// ReceiptInfo describes an expense's receipt without its bytes.
type ReceiptInfo struct {
	URL         string
	FileName    string
	ContentType string
	Size        int64
}

// IsImage reports whether the receipt can be shown inline with <img>.
func (r ReceiptInfo) IsImage() bool {
	return r.ContentType == domain.ContentTypeJPEG || r.ContentType == domain.ContentTypePNG
}

// SizeLabel writes the size for people: "240 KB", "1.2 MB".
func (r ReceiptInfo) SizeLabel() string { return ByteSize(r.Size) }

// Event is one entry of an expense's history.
type Event struct {
	Who     string
	Action  models.EventAction
	Label   string
	From    models.Status
	To      models.Status
	When    string
	Comment string
}

// StatusChanged reports whether the event moved the expense to another
// status.
func (e Event) StatusChanged() bool { return e.From != "" && e.From != e.To }

// EventOf returns the history entry of ev, which must have its Actor.
func EventOf(ev models.ExpenseEvent) Event {
	return Event{
		Who: ev.Actor.DisplayName(), Action: ev.Action, Label: ev.Action.Label(),
		From: ev.FromStatus, To: ev.ToStatus, When: DateTime(ev.At), Comment: ev.Comment,
	}
}

// NewDetail returns the page of e (with Employee and Category loaded) and
// its history; the caller fills in Actions and Receipt.
func NewDetail(e *models.Expense, viewerID uint, history []models.ExpenseEvent) Detail {
	d := Detail{
		ID: e.ID, Version: e.Version, Status: e.Status,
		Owner: e.Employee.DisplayName(), OwnerIsMe: e.EmployeeID == viewerID,
		Date: Date(e.SpentOn), Category: e.Category.Name,
		Amount:   domain.FormatAmount(e.AmountMinor, e.Currency),
		Merchant: e.Merchant, Description: e.Description, Created: DateTime(e.CreatedAt),
	}
	if !e.Category.Active && e.Category.Name != "" {
		d.Category += " (no longer in use)"
	}
	for _, ev := range history {
		d.History = append(d.History, EventOf(ev))
	}
	if e.Status == models.StatusRejected {
		for i := len(d.History) - 1; i >= 0; i-- {
			if d.History[i].Action == models.EventRejected {
				r := d.History[i]
				d.Rejection = &r
				break
			}
		}
	}
	return d
}

// ActionsHeading titles the card with the workflow buttons.
func (d Detail) ActionsHeading() string {
	switch {
	case d.Actions.Approve || d.Actions.Reject:
		return "Your decision"
	case d.Actions.Reimburse:
		return "Reimbursement"
	}
	return "Next step"
}

// ActionURL is where the form of an action posts.
func (d Detail) ActionURL(action string) string { return expensepaths.ExpenseAction(d.ID, action) }

// ByteSize writes a number of bytes for people.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return trimZero(float64(n)/(1<<10)) + " KB"
	}
	return Number(n) + " bytes"
}

func trimZero(f float64) string {
	s := strconvFormat(f)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

// ReceiptHint tells what a receipt may be.
func ReceiptHint() string {
	return "A photo (JPEG or PNG) or a PDF, up to " + ByteSize(domain.MaxReceiptBytes) + "."
}

func receiptLabel(replacing bool) string {
	if replacing {
		return "Replace the receipt"
	}
	return "Attach a receipt"
}

func errorFor(d Detail, field string) string { return d.Errors[field] }

// firstDecision is the action the decision form posts to when submitted
// without a button (Enter in a field): approve if allowed, else reject.
func firstDecision(a Actions) string {
	if a.Approve {
		return expensepaths.ActionApprove
	}
	return expensepaths.ActionReject
}

// ReceiptTooLarge is what the browser says when a chosen receipt is over the
// limit, before uploading it (static/js/app.js).
func ReceiptTooLarge() string {
	return "This file is larger than " + ByteSize(domain.MaxReceiptBytes) + ". Choose a smaller photo or scan."
}
