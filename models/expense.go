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
func AllStatuses() []Status {
	return []Status{StatusDraft, StatusSubmitted, StatusApproved, StatusRejected, StatusReimbursed}
}

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

// Valid reports whether s is one of AllStatuses().
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
// The indexes follow the list queries, which must stay fast at 100,000
// rows and more. (The dashboards do not read this table: they read
// DashboardStatusTotal and DashboardMonthTotal, which app/expenses keeps in
// step with it, as it does ExpenseTotal and CompanyExpenseTotal.) Those below hold status and employee_id besides the columns
// they search or sort by, so that the visibility rule (a draft is private
// to its owner, a team is a manager's direct reports) is checked from the
// index alone: rows the rule or an OFFSET skips never touch the table's
// rows with their long merchant and description texts.
//
//   - idx_expenses_employee_spent: "my expenses" by date; a team's.
//   - idx_expenses_status_spent: lists filtered by status, the approval and
//     reimbursement queues, lists sorted by status (one status at a time).
//   - idx_expenses_status_amount and idx_expenses_status_merchant: lists
//     sorted by amount or by merchant, ignoring case (the index is on
//     lower(merchant), the very expression the list sorts by), with the
//     id, the lists' tie-breaker, next. They begin with the status so that
//     a list of one status reads only its page; a list of all statuses
//     merges one short run per status (app/expenses, List).
//   - idx_expenses_spent_id: everyone's expenses newest first, one page at
//     a time; counts over part of a month. (It replaces idx_expenses_spent,
//     which lacked the id, status and employee_id: app/expenses drops that
//     one from older databases at start-up.)
//   - idx_expenses_status_currency: the sums per status and currency that
//     the start-up check of the rollup compares, grouped straight from the
//     index.
//
// SQLite uses them well only with the statistics ANALYZE gathers, which
// database.Migrate refreshes at start-up (PRAGMA optimize).
type Expense struct {
	ID          uint      `gorm:"primaryKey;index:idx_expenses_spent_id,priority:2;index:idx_expenses_status_amount,priority:3;index:idx_expenses_status_merchant,priority:3"`
	EmployeeID  uint      `gorm:"not null;index:idx_expenses_employee_spent,priority:1;index:idx_expenses_status_spent,priority:3;index:idx_expenses_status_currency,priority:3;index:idx_expenses_status_amount,priority:4;index:idx_expenses_status_merchant,priority:4;index:idx_expenses_spent_id,priority:4"`
	Employee    Employee  `gorm:"references:UserID;constraint:OnDelete:RESTRICT"`
	CategoryID  uint      `gorm:"not null;index;index:idx_expenses_employee_spent,priority:4;index:idx_expenses_status_spent,priority:4"`
	Category    Category  `gorm:"constraint:OnDelete:RESTRICT"`
	SpentOn     time.Time `gorm:"not null;index:idx_expenses_employee_spent,priority:2;index:idx_expenses_status_spent,priority:2;index:idx_expenses_spent_id,priority:1"`
	AmountMinor int64     `gorm:"not null;index:idx_expenses_employee_spent,priority:6;index:idx_expenses_status_spent,priority:6;index:idx_expenses_status_currency,priority:4;index:idx_expenses_status_amount,priority:2"`
	Currency    string    `gorm:"size:3;not null;index:idx_expenses_employee_spent,priority:5;index:idx_expenses_status_spent,priority:5;index:idx_expenses_status_currency,priority:2"`
	Merchant    string    `gorm:"size:200;not null;index:idx_expenses_status_merchant,priority:2,expression:lower(merchant)"`
	Description string    `gorm:"size:2000;not null;default:''"`
	Status      Status    `gorm:"size:20;not null;index:idx_expenses_employee_spent,priority:3;index:idx_expenses_status_spent,priority:1;index:idx_expenses_status_currency,priority:1;index:idx_expenses_status_amount,priority:1;index:idx_expenses_status_merchant,priority:1;index:idx_expenses_spent_id,priority:3"`
	// HasReceipt mirrors the existence of a Receipt row, so that lists can
	// show a paper-clip without touching the (large) receipts table.
	HasReceipt bool `gorm:"not null;default:false"`
	// Version increases with every change, so that two people acting on the
	// same expense at once cannot both win.
	Version   int `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ExpenseTotal is one row of the expenses rollup: how many expenses one
// employee has, and their sum, for one month, category, status and currency.
// CompanyExpenseTotal is the same without the employee. The lists' totals
// and the categories' uses add up these small tables instead of the
// expenses themselves, so they cost the same at 1,000 or 1,000,000
// expenses; the dashboards read DashboardStatusTotal and
// DashboardMonthTotal, which have a row per figure they show.
//
// The rollup is derived data: app/expenses changes it in the same
// transaction as every write that adds, removes or changes the amount,
// currency, status, category, date or owner of an expense (see
// app/expenses/totals.go). Code that writes expenses some other way, such as
// an import script or a hand-written UPDATE, must call
// expenses.RebuildTotals afterwards, or the dashboards drift from the lists.
// Rows whose count drops to zero are deleted.
//
// The key is the primary key. Month is the year and month of SpentOn (UTC)
// as the number YYYYMM (202603 for March 2026): an integer compares, sorts
// and groups the same way in SQLite and PostgreSQL, with no date functions,
// which the two do not share.
//
// There are no foreign keys: a rollup row names an employee and a category
// but must never stop either from being changed, and it is rebuilt from the
// expenses table, which holds the real references.
type ExpenseTotal struct {
	// EmployeeID comes first in the key because "my" and "my team's" figures
	// look up a few employees; Status and EmployeeID have the names and the
	// meaning of the expenses columns, so the visibility rules for expenses
	// (policy.VisibleExpenses) apply to this table unchanged.
	EmployeeID uint   `gorm:"primaryKey;autoIncrement:false"`
	Month      int    `gorm:"primaryKey;autoIncrement:false"`
	CategoryID uint   `gorm:"primaryKey;autoIncrement:false"`
	Status     Status `gorm:"primaryKey;size:20"`
	Currency   string `gorm:"primaryKey;size:3"`
	Count      int64  `gorm:"not null"`
	SumMinor   int64  `gorm:"not null"`
}

// CompanyExpenseTotal is ExpenseTotal summed over all employees: what the
// "everyone's expenses" views of finance and administrators add up. A few
// hundred rows a year however many people the company has, where
// ExpenseTotal grows with the headcount.
type CompanyExpenseTotal struct {
	Month      int    `gorm:"primaryKey;autoIncrement:false"`
	CategoryID uint   `gorm:"primaryKey;autoIncrement:false"`
	Status     Status `gorm:"primaryKey;size:20"`
	Currency   string `gorm:"primaryKey;size:3"`
	Count      int64  `gorm:"not null"`
	SumMinor   int64  `gorm:"not null"`
}

// DashboardScope says whose expenses a dashboard rollup row adds up.
type DashboardScope string

// The dashboards' scopes. A dashboard shows one person's own expenses, the
// team's (a manager's direct reports) or the company's, and its rollup has
// rows for each, so that no figure has to add up rows per employee.
const (
	// DashboardPerson rows add up the expenses of employee OwnerID, drafts
	// included.
	DashboardPerson DashboardScope = "person"
	// DashboardTeam rows add up the expenses, drafts excluded, of the people
	// DashboardTeamMember lists under manager OwnerID.
	DashboardTeam DashboardScope = "team"
	// DashboardCompany rows add up everyone's expenses; OwnerID is 0.
	DashboardCompany DashboardScope = "company"
)

// DashboardStatusTotal is one status tile of a dashboard: how many expenses
// of one scope are in one status and currency, and their sum, over all
// months. A scope has at most one row per status and currency.
//
// Like ExpenseTotal it is derived data that app/expenses keeps current in
// the same transaction as every write (app/expenses/totals.go), without
// foreign keys, and rows whose count drops to zero are deleted.
type DashboardStatusTotal struct {
	Scope    DashboardScope `gorm:"primaryKey;size:10"`
	OwnerID  uint           `gorm:"primaryKey;autoIncrement:false"`
	Status   Status         `gorm:"primaryKey;size:20"`
	Currency string         `gorm:"primaryKey;size:3"`
	Count    int64          `gorm:"not null"`
	SumMinor int64          `gorm:"not null"`
}

// DashboardMonthTotal is one cell of a dashboard's monthly chart: the
// claimed expenses (submitted, approved or reimbursed) of one scope in one
// month (YYYYMM, as ExpenseTotal.Month), category and currency. A chart of
// twelve months reads at most 12 × categories × currencies rows per scope,
// however many expenses and people there are.
//
// idx_dashboard_month_totals_currency orders the cells by currency before
// month and holds their figures too, so that a chart reads its currency's
// cells alone, from the index (the primary key's order would read every
// currency's cells of the months).
type DashboardMonthTotal struct {
	Scope      DashboardScope `gorm:"primaryKey;size:10;index:idx_dashboard_month_totals_currency,priority:1"`
	OwnerID    uint           `gorm:"primaryKey;autoIncrement:false;index:idx_dashboard_month_totals_currency,priority:2"`
	Month      int            `gorm:"primaryKey;autoIncrement:false;index:idx_dashboard_month_totals_currency,priority:4"`
	CategoryID uint           `gorm:"primaryKey;autoIncrement:false;index:idx_dashboard_month_totals_currency,priority:5"`
	Currency   string         `gorm:"primaryKey;size:3;index:idx_dashboard_month_totals_currency,priority:3"`
	Count      int64          `gorm:"not null;index:idx_dashboard_month_totals_currency,priority:6"`
	SumMinor   int64          `gorm:"not null;index:idx_dashboard_month_totals_currency,priority:7"`
}

// DashboardCurrencyTotal is the claimed expenses of one scope in one month
// and currency, all categories together: the sum of the scope's
// DashboardMonthTotal cells of that month and currency. The chart offers
// the currencies with claims in its months, the most used first, and reads
// that from these rows: at most 12 × currencies per scope, where the cells
// are 12 × categories × currencies.
type DashboardCurrencyTotal struct {
	Scope    DashboardScope `gorm:"primaryKey;size:10"`
	OwnerID  uint           `gorm:"primaryKey;autoIncrement:false"`
	Month    int            `gorm:"primaryKey;autoIncrement:false"`
	Currency string         `gorm:"primaryKey;size:3"`
	Count    int64          `gorm:"not null"`
	SumMinor int64          `gorm:"not null"`
}

// DashboardTeamMember says whose expenses the DashboardTeam rows of manager
// ManagerID add up. It follows employees.manager_id (excluding people
// recorded as their own manager) but is a copy, not a reference: the
// template changes managers without knowing the demo's rollups, so
// app/expenses compares the two when a manager's dashboard is read, and
// moves the person's figures from the old team to the new one when they
// differ.
type DashboardTeamMember struct {
	EmployeeID uint `gorm:"primaryKey;autoIncrement:false"`
	ManagerID  uint `gorm:"not null;index"`
}

// ExpenseRollups lists the rollup models, for migrations.
func ExpenseRollups() []any {
	return []any{&ExpenseTotal{}, &CompanyExpenseTotal{}, &DashboardStatusTotal{}, &DashboardMonthTotal{}, &DashboardCurrencyTotal{}, &DashboardTeamMember{}}
}

// ExpenseModels lists the expenses demo's tables, in an order that
// satisfies foreign keys, rollups included; the demo's first migration
// step creates them (app/expenses/migrate.go). The template's own tables
// are in models.All.
func ExpenseModels() []any {
	return append([]any{&Category{}, &Expense{}, &ExpenseEvent{}, &Receipt{}}, ExpenseRollups()...)
}

// The expenses demo's roles. They reach the template through
// module.Module.Roles (app/expenses/expensesmodule).
const (
	// RoleManager approves or rejects the expenses of the people who report
	// to them.
	RoleManager Role = "manager"
	// RoleFinance reimburses approved expenses.
	RoleFinance Role = "finance"
)

// ExpenseRoles are the demo's roles with their labels.
func ExpenseRoles() []RoleDef {
	return []RoleDef{{Role: RoleManager, Label: "Manager", Manages: true}, {Role: RoleFinance, Label: "Finance"}}
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
