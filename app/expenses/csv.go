package expenses

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/company-expenses/company-expenses/models"
)

// CSVHeader names the columns of the export. Amounts are in major units
// with a dot ("12.50"), which every spreadsheet reads as a number.
func CSVHeader() []string {
	return []string{"ID", "Date", "Employee", "Category", "Merchant", "Description", "Amount", "Currency", "Status", "Receipt"}
}

// csvFlushEvery bounds how many rows sit in the buffer before they go out,
// so that a large export streams to the browser instead of arriving at the
// end.
const csvFlushEvery = 500

// WriteCSV writes the expenses of f (all pages of it, in its order) that
// the actor may view as CSV (RFC 4180) to w. It streams rows from the
// database one at a time, so an export of 100,000 expenses holds one row in
// memory, not all of them.
//
// Text cells that a spreadsheet would take for a formula (starting with =,
// +, -, @, tab or carriage return) are prefixed with a single quote: a
// merchant called "=HYPERLINK(…)" must stay text on finance's computer.
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, actor *models.Employee, f Filter) error {
	f = f.normalized()
	rows, err := s.filtered(s.db.WithContext(ctx), actor, f).
		Joins("JOIN employees ON employees.user_id = expenses.employee_id").
		Joins("JOIN categories ON categories.id = expenses.category_id").
		Select("expenses.id, expenses.spent_on, employees.full_name, categories.name, expenses.merchant, " +
			"expenses.description, expenses.amount_minor, expenses.currency, expenses.status, expenses.has_receipt").
		Order(orderBy(f)).
		Rows()
	if err != nil {
		return fmt.Errorf("query expenses for CSV: %w", err)
	}
	defer rows.Close()

	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	var (
		r record
		n int
	)
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.SpentOn, &r.Employee, &r.Category, &r.Merchant,
			&r.Description, &r.AmountMinor, &r.Currency, &r.Status, &r.HasReceipt); err != nil {
			return fmt.Errorf("read expense for CSV: %w", err)
		}
		receipt := "no"
		if r.HasReceipt {
			receipt = "yes"
		}
		if err := cw.Write([]string{
			strconv.FormatUint(uint64(r.ID), 10),
			r.SpentOn.UTC().Format(DateLayout),
			CSVSafe(r.Employee),
			CSVSafe(r.Category),
			CSVSafe(r.Merchant),
			CSVSafe(r.Description),
			PlainAmount(r.AmountMinor, r.Currency),
			CSVSafe(r.Currency),
			r.Status.Label(),
			receipt,
		}); err != nil {
			return fmt.Errorf("write CSV row: %w", err)
		}
		if n++; n%csvFlushEvery == 0 {
			if cw.Flush(); cw.Error() != nil {
				return fmt.Errorf("write CSV: %w", cw.Error())
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read expenses for CSV: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// record is one row of the export.
type record struct {
	ID          uint
	SpentOn     time.Time
	Employee    string
	Category    string
	Merchant    string
	Description string
	AmountMinor int64
	Currency    string
	Status      models.Status
	HasReceipt  bool
}

// CSVSafe neutralises a text cell that a spreadsheet would run as a formula
// (CSV injection) by prefixing it with a single quote. Quoting of commas,
// quotes and line breaks is encoding/csv's job.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVFileName is a name for the download, with the day in it.
func (s *Service) CSVFileName() string {
	return "expenses-" + s.now().Format(DateLayout) + ".csv"
}
