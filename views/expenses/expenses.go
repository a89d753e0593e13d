// Package expenses holds the pages of the expenses app: the list with its
// filters, one expense with its history and actions, the form, the
// approvals queue and the reimbursements run.
//
// Pages take view models built here from the domain's values; they never
// touch the database. Which buttons a page shows is decided by app/policy,
// through the booleans of the view models (see Actions), so a button is
// shown exactly when the server would accept the click.
package expenses

import (
	"strconv"
	"strings"
	"time"

	domain "github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
)

// DateLayout is how pages write a day: "2 Jan 2026".
const DateLayout = "2 Jan 2006"

// Date writes a day for people; the zero time is "".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(DateLayout)
}

// DateTime writes a moment for people, in UTC: "2 Jan 2026, 15:04 UTC".
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006, 15:04 MST")
}

// Option is one choice of a select box.
type Option struct {
	Value string
	Label string
}

// Row is one expense in a list or a queue.
type Row struct {
	ID          uint
	Version     int
	URL         string
	Date        string
	Employee    string
	Category    string
	Merchant    string
	Description string
	Amount      string
	Status      models.Status
	HasReceipt  bool
}

// RowOf returns the list row of e, which must have its Employee and
// Category loaded.
func RowOf(e *models.Expense) Row {
	return Row{
		ID:          e.ID,
		Version:     e.Version,
		URL:         expensepaths.Expense(e.ID),
		Date:        Date(e.SpentOn),
		Employee:    e.Employee.DisplayName(),
		Category:    e.Category.Name,
		Merchant:    e.Merchant,
		Description: e.Description,
		Amount:      domain.FormatAmount(e.AmountMinor, e.Currency),
		Status:      e.Status,
		HasReceipt:  e.HasReceipt,
	}
}

// StatusOptions lists the statuses for a filter, in workflow order.
func StatusOptions() []Option {
	out := make([]Option, len(models.AllStatuses()))
	for i, s := range models.AllStatuses() {
		out[i] = Option{Value: string(s), Label: s.Label()}
	}
	return out
}

// CurrencyOptions lists the supported currencies for the form.
func CurrencyOptions() []Option {
	cs := domain.Currencies()
	out := make([]Option, len(cs))
	for i, c := range cs {
		out[i] = Option{Value: c.Code, Label: c.Code + " · " + c.Name}
	}
	return out
}

// Truncate shortens s to at most n characters, with an ellipsis.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s // no more bytes than characters allowed: nothing to count
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// CountLabel writes "1 expense" or "1,234 expenses".
func CountLabel(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Number(n) + " " + many
}

// Number writes n with thousands separators: "1,234".
func Number(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + Number(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func strconvFormat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// Ago writes how long before now t was, for activity feeds: "just now",
// "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", and the date
// after a week. Beyond a day it counts calendar days (UTC, the app's day), so
// "yesterday" is always the previous date, however many hours ago.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return CountLabel(int64(d/time.Minute), "minute", "minutes") + " ago"
	case d < 24*time.Hour && sameDay(t, now):
		return CountLabel(int64(d/time.Hour), "hour", "hours") + " ago"
	}
	switch days := calendarDays(t, now); {
	case days <= 1:
		return "yesterday"
	case days < 7:
		return CountLabel(int64(days), "day", "days") + " ago"
	}
	return Date(t)
}

func sameDay(a, b time.Time) bool { return calendarDays(a, b) == 0 }

// calendarDays counts the date changes from a to b in UTC.
func calendarDays(a, b time.Time) int {
	da := time.Date(a.UTC().Year(), a.UTC().Month(), a.UTC().Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.UTC().Year(), b.UTC().Month(), b.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
