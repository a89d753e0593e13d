package expenses

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// CSVHeader names the columns of the export. Amounts are in major units
// with a dot ("12.50"), which every spreadsheet reads as a number.
func CSVHeader() []string {
	return []string{"ID", "Date", "Employee", "Category", "Merchant", "Description", "Amount", "Currency", "Status", "Receipt"}
}

// csvBatch is how many rows WriteCSV reads at a time: one batch in memory,
// and one flush of the CSV writer per batch, so that a large export
// streams to the browser instead of arriving at the end.
const csvBatch = 500

// WriteCSV writes the expenses of f (all pages of it, in its order) that
// the actor may view as CSV (RFC 4180) to w.
//
// It reads the matching ids first, in the list's order (8 bytes each: under
// a megabyte for 100,000 expenses), then the rows in batches of csvBatch,
// each read whole before any of it is written. So the export holds a
// database connection only while it reads, never while it waits for a slow
// browser to take the file: a connection held for the whole download would
// take one of the pool's few (DB_MAX_OPEN_CONNS) from every other request,
// and on SQLite a read that lasts keeps every checkpoint from emptying the
// write-ahead log. Every batch applies the same filter and visibility
// again, so an expense that was changed or deleted meanwhile, or that the
// actor may no longer see, is written as it is now or left out.
//
// Text cells that a spreadsheet would take for a formula (starting with =,
// +, -, @, tab or carriage return) are prefixed with a single quote: a
// merchant called "=HYPERLINK(…)" must stay text on finance's computer.
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, actor *models.Employee, f Filter) error {
	f = f.normalized()
	db := s.db.WithContext(ctx)
	ids, err := s.csvIDs(db, actor, f)
	if err != nil {
		return fmt.Errorf("query expenses for CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return fmt.Errorf("write CSV header: %w", err)
	}
	var b csvRows
	for start := 0; start < len(ids); start += csvBatch {
		batch, err := b.read(s, db, actor, f, ids[start:min(start+csvBatch, len(ids))])
		if err != nil {
			return fmt.Errorf("read expenses for CSV: %w", err)
		}
		for _, r := range batch {
			if err := cw.Write(r.cells()); err != nil {
				return fmt.Errorf("write CSV row: %w", err)
			}
		}
		if cw.Flush(); cw.Error() != nil {
			return fmt.Errorf("write CSV: %w", cw.Error())
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// csvIDs returns the ids of the expenses of f that actor may view, in the
// list's order.
func (s *Service) csvIDs(db *gorm.DB, actor *models.Employee, f Filter) ([]uint, error) {
	rows, err := s.filtered(db, actor, f).Select("expenses.id").Order(orderBy(f)).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []uint
	for rows.Next() {
		var id uint
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// csvRows reads the batches of an export into the same memory each time.
type csvRows struct {
	byID map[uint]record
	out  []record
}

// read returns the rows of ids that still match f and that actor may still
// view, in the order of ids, until the next read.
func (b *csvRows) read(s *Service, db *gorm.DB, actor *models.Employee, f Filter, ids []uint) ([]record, error) {
	// The ids are written into the statement: they are numbers read from
	// the database, and binding 500 of them cost more allocations than
	// the rows themselves.
	list := make([]byte, 0, len(ids)*7)
	for i, id := range ids {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendUint(list, uint64(id), 10)
	}
	// The ids already come from the text index (csvIDs): a batch need not
	// ask it again, which on SQLite builds its whole list of matches each
	// time. The LIKE and the visibility rule still decide.
	f.manyMatches = true
	rows, err := s.filtered(db, actor, f).Where("expenses.id IN (" + string(list) + ")").
		Joins(listJoins).
		Select("expenses.id, expenses.spent_on, employees.full_name, categories.name, expenses.merchant, " +
			"expenses.description, expenses.amount_minor, expenses.currency, expenses.status, expenses.has_receipt").
		Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if b.byID == nil {
		b.byID = make(map[uint]record, len(ids))
	}
	clear(b.byID)
	var r record // one for all rows: Scan's pointers would move each to the heap
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.SpentOn, &r.Employee, &r.Category, &r.Merchant,
			&r.Description, &r.AmountMinor, &r.Currency, &r.Status, &r.HasReceipt); err != nil {
			return nil, err
		}
		b.byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	b.out = b.out[:0]
	for _, id := range ids {
		if r, ok := b.byID[id]; ok {
			b.out = append(b.out, r)
		}
	}
	return b.out, nil
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

// cells are the record's CSV cells, in CSVHeader's order.
func (r record) cells() []string {
	receipt := "no"
	if r.HasReceipt {
		receipt = "yes"
	}
	return []string{
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
	}
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
