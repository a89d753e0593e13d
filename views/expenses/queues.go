package expenses

import (
	"strconv"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
)

// ApprovalsPage is a manager's queue: the submitted expenses of their
// direct reports, oldest first, each with approve and reject in place.
type ApprovalsPage struct {
	Items      []ApprovalItem
	Total      int64
	Page       int
	TotalPages int
}

// ApprovalItem is one expense in the approvals queue.
type ApprovalItem struct {
	Row
	// Actions has Approve and Reject set as the policy allows.
	Actions Actions
	// Comment is the comment as typed, kept when the decision failed.
	Comment string
	// Error is the message beside the comment (a rejection without one).
	Error string
	// Problem is a message about the decision as a whole: someone else
	// decided first, or the policy refused.
	Problem string
	// Outcome is the status after a decision taken from the queue; the item
	// then shows the outcome instead of the buttons.
	Outcome models.Status
}

// ItemID is the HTML id of an item, the target of its htmx swap.
func (it ApprovalItem) ItemID() string { return "approval-" + itoa(it.ID) }

// CommentID is the HTML id of the item's comment field.
func (it ApprovalItem) CommentID() string { return "f-comment-" + itoa(it.ID) }

// ActionURL is where a decision on the item posts.
func (it ApprovalItem) ActionURL(action string) string {
	return expensepaths.ExpenseAction(it.ID, action)
}

// PageURL is page n of the queue.
func (a ApprovalsPage) PageURL(n int) string { return pageQuery(expensepaths.Approvals, n) }

// ReimbursementsPage is finance's run: the approved expenses, oldest first,
// to tick and mark as reimbursed in one go.
type ReimbursementsPage struct {
	Rows []ReimburseRow
	// Totals are the approved amounts per currency, company-wide.
	Totals     []CurrencyTotal
	Total      int64
	Page       int
	TotalPages int
}

// CurrencyTotal is an amount to pay in one currency, and over how many
// expenses.
type CurrencyTotal struct {
	Currency string
	Amount   string
	Count    int64
}

// ReimburseRow is one approved expense.
type ReimburseRow struct {
	Row
	// Selectable is true when the viewer may reimburse it; otherwise Why
	// says why not (finance never pays themselves).
	Selectable bool
	Why        string
}

// PageURL is page n of the run.
func (r ReimbursementsPage) PageURL(n int) string { return pageQuery(expensepaths.Reimbursements, n) }

// AnySelectable reports whether at least one row can be ticked.
func (r ReimbursementsPage) AnySelectable() bool {
	for _, row := range r.Rows {
		if row.Selectable {
			return true
		}
	}
	return false
}

func pageQuery(path string, n int) string {
	if n <= 1 {
		return path
	}
	return path + "?page=" + itoa(uint(n))
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
