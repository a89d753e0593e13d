// Package home holds the dashboard: what each person sees first after
// signing in, depending on their roles.
package home

import (
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

// Dashboard is the signed-in home page. Panels that do not apply to the
// person (the approvals of a non-manager, …) are nil.
type Dashboard struct {
	// Totals has one card per status, in workflow order, for the viewer's
	// own expenses.
	Totals    []StatusCard
	CanCreate bool
	// DraftsURL lists the viewer's drafts.
	DraftsURL string
	// Activity is the latest history on expenses the viewer may see.
	Activity []Activity
	// Approvals is the manager's queue, nil for others.
	Approvals *ApprovalsPanel
	// Reimbursements is finance's queue, nil for others.
	Reimbursements *ReimbursementsPanel
	Chart          ChartPanel
	// NeedsManager counts the SSO people without a manager, for
	// administrators (0 for everyone else).
	NeedsManager int
}

// StatusCard is the count and the amounts (one per currency) of the
// viewer's expenses in one status.
type StatusCard struct {
	Status  models.Status
	Count   int64
	Amounts []string
	// URL lists these expenses.
	URL string
}

// Activity is one line of the recent activity.
type Activity struct {
	Who        string
	What       string // "approved", "submitted", …
	Expense    string // "Hotel Ibis · €120.00"
	ExpenseURL string
	Owner      string // whose expense, when not the viewer's
	When       string
	Comment    string
	Action     models.EventAction
}

// ApprovalsPanel is the manager's pending approvals.
type ApprovalsPanel struct {
	Count  int64
	Oldest []expenseviews.Row
	URL    string
}

// ReimbursementsPanel is what finance still has to pay: the approved
// expenses of the whole company, of which Payable are the viewer's to pay
// (finance never pays their own).
type ReimbursementsPanel struct {
	Count   int64
	Payable int64
	Amounts []string
	URL     string
}

// OwnCount is the number of approved expenses that are the viewer's own.
func (p ReimbursementsPanel) OwnCount() int64 { return p.Count - p.Payable }

// ChartPanel is the monthly chart with its title and the currencies it can
// be drawn in.
type ChartPanel struct {
	Title       string
	Description string
	Chart       Chart
	// Currencies links to the chart in each currency that has data, when
	// there is more than one.
	Currencies []CurrencyLink
}

// CurrencyLink switches the chart to another currency.
type CurrencyLink struct {
	Code    string
	URL     string
	Current bool
}
