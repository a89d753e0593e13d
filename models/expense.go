package models

import "time"

// Status is where an expense stands in the approval workflow.
type Status string

// The workflow: draft → submitted → approved | rejected → reimbursed.
// Rejected expenses can be edited and submitted again.
const (
	StatusDraft      Status = "draft"
	StatusSubmitted  Status = "submitted"
	StatusApproved   Status = "approved"
	StatusRejected   Status = "rejected"
	StatusReimbursed Status = "reimbursed"
)

// AllStatuses lists the statuses in workflow order.
var AllStatuses = []Status{StatusDraft, StatusSubmitted, StatusApproved, StatusRejected, StatusReimbursed}

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusSubmitted:
		return "Submitted"
	case StatusApproved:
		return "Approved"
	case StatusRejected:
		return "Rejected"
	case StatusReimbursed:
		return "Reimbursed"
	}
	return string(s)
}

// Valid reports whether s is one of AllStatuses.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusSubmitted, StatusApproved, StatusRejected, StatusReimbursed:
		return true
	}
	return false
}

// InOwnersHands reports whether the owner may still change the expense:
// drafts, and rejected expenses sent back for correction.
func (s Status) InOwnersHands() bool {
	return s == StatusDraft || s == StatusRejected
}

// Category classifies expenses. A deactivated category cannot be chosen for
// new expenses, but old expenses keep it.
//
// Names are unique regardless of case ("Travel" and "travel" would confuse
// everyone), enforced by a unique index on lower(name) that both SQLite and
// PostgreSQL support, so that two administrators adding the same category at
// once cannot both succeed.
type Category struct {
	ID     uint   `gorm:"primaryKey"`
	Name   string `gorm:"size:100;not null;uniqueIndex:idx_categories_name_lower,expression:lower(name)"`
	Active bool   `gorm:"not null;default:true"`
}

// Expense is one claim for reimbursement. Money is an integer number of minor
// units (cents) plus an ISO 4217 currency code, never a float.
//
// The indexes follow the list and dashboard queries, which must stay fast at
// 100,000 rows. Two of them are wide on purpose: after the columns they
// search by, they carry the columns the dashboards add up (category,
// currency, amount), so the aggregates read only the index and never the
// table's rows with their long merchant and description texts.
//
//   - idx_expenses_employee_spent: "my expenses" by date; my totals and chart.
//   - idx_expenses_status_spent: lists filtered by status, the approval and
//     reimbursement queues, the monthly chart (status IN … AND spent_on in a
//     year); the employee_id in it checks visibility without the table.
//   - idx_expenses_status_currency: totals per status and currency, grouped
//     straight from the index without sorting.
//   - idx_expenses_spent: everyone's expenses newest first, one page at a time.
type Expense struct {
	ID          uint      `gorm:"primaryKey"`
	EmployeeID  uint      `gorm:"not null;index:idx_expenses_employee_spent,priority:1;index:idx_expenses_status_spent,priority:3;index:idx_expenses_status_currency,priority:3"`
	Employee    Employee  `gorm:"references:UserID;constraint:OnDelete:RESTRICT"`
	CategoryID  uint      `gorm:"not null;index;index:idx_expenses_employee_spent,priority:4;index:idx_expenses_status_spent,priority:4"`
	Category    Category  `gorm:"constraint:OnDelete:RESTRICT"`
	SpentOn     time.Time `gorm:"not null;index:idx_expenses_employee_spent,priority:2;index:idx_expenses_status_spent,priority:2;index:idx_expenses_spent"`
	AmountMinor int64     `gorm:"not null;index:idx_expenses_employee_spent,priority:6;index:idx_expenses_status_spent,priority:6;index:idx_expenses_status_currency,priority:4"`
	Currency    string    `gorm:"size:3;not null;index:idx_expenses_employee_spent,priority:5;index:idx_expenses_status_spent,priority:5;index:idx_expenses_status_currency,priority:2"`
	Merchant    string    `gorm:"size:200;not null"`
	Description string    `gorm:"size:2000;not null;default:''"`
	Status      Status    `gorm:"size:20;not null;index:idx_expenses_employee_spent,priority:3;index:idx_expenses_status_spent,priority:1;index:idx_expenses_status_currency,priority:1"`
	// HasReceipt mirrors the existence of a Receipt row, so that lists can
	// show a paper-clip without touching the (large) receipts table.
	HasReceipt bool `gorm:"not null;default:false"`
	// Version increases with every change, so that two people acting on the
	// same expense at once cannot both win.
	Version   int `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// EventAction says what an ExpenseEvent records. Status changes could be told
// apart by FromStatus and ToStatus alone, but edits and receipts leave the
// status as it was, and the history must still say who changed what.
type EventAction string

// The things that happen to an expense.
const (
	EventCreated         EventAction = "created"
	EventEdited          EventAction = "edited"
	EventReceiptAttached EventAction = "receipt"
	EventSubmitted       EventAction = "submitted"
	EventApproved        EventAction = "approved"
	EventRejected        EventAction = "rejected"
	EventReimbursed      EventAction = "reimbursed"
)

// Label is the action as the history shows it ("Approved").
func (a EventAction) Label() string {
	switch a {
	case EventCreated:
		return "Created"
	case EventEdited:
		return "Edited"
	case EventReceiptAttached:
		return "Receipt attached"
	case EventSubmitted:
		return "Submitted"
	case EventApproved:
		return "Approved"
	case EventRejected:
		return "Rejected"
	case EventReimbursed:
		return "Reimbursed"
	}
	return string(a)
}

// ExpenseEvent is one entry of an expense's history: who did what, when, and
// with what comment.
type ExpenseEvent struct {
	ID         uint        `gorm:"primaryKey"`
	ExpenseID  uint        `gorm:"not null;index"`
	Expense    Expense     `gorm:"constraint:OnDelete:CASCADE"`
	ActorID    uint        `gorm:"not null"`
	Actor      Employee    `gorm:"foreignKey:ActorID;references:UserID;constraint:OnDelete:RESTRICT"`
	At         time.Time   `gorm:"not null"`
	Action     EventAction `gorm:"size:20;not null;default:''"`
	FromStatus Status      `gorm:"size:20;not null;default:''"`
	ToStatus   Status      `gorm:"size:20;not null"`
	Comment    string      `gorm:"size:2000;not null;default:''"`
}

// Receipt is the scanned receipt of an expense. It is stored in the database
// so that every instance of a scaled-out deployment can serve it.
type Receipt struct {
	ExpenseID   uint    `gorm:"primaryKey;autoIncrement:false"`
	Expense     Expense `gorm:"constraint:OnDelete:CASCADE"`
	FileName    string  `gorm:"size:255;not null"`
	ContentType string  `gorm:"size:100;not null"`
	Size        int64   `gorm:"not null"`
	Data        []byte  `gorm:"not null"`
	CreatedAt   time.Time
}
