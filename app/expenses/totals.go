package expenses

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// The rollup. The badges and most list totals add up two small tables
// instead of the expenses themselves (models.ExpenseTotal, per employee,
// and models.CompanyExpenseTotal, for everyone), so that they cost the same
// at 1,000 or 1,000,000 expenses; the dashboards read a third, with a row
// per figure they show (dashboardtotals.go).
//
// Every write that adds, removes or changes an expense collects what it
// changes in a totals value and applies it at the end of its own
// transaction (Service.write): either the expense and the rollup change
// together, or neither does. A change of amount, currency, status, category,
// date or owner moves the expense out of its old row (-1, -amount) and into
// its new one (+1, +amount).
//
// Applying the changes last, in key order, keeps PostgreSQL free of
// deadlocks: a transaction locks the rows of the expenses it changes first
// and the rollup rows after all of them, always in the same order, so two
// transactions never wait for each other in a circle. (Two approvals that
// fall into the same rollup row do take turns on it, for the few
// milliseconds until the first one commits.)
//
// RebuildTotals recomputes the rollup from the expenses; CheckTotals
// compares them. At every start-up database.Migrate runs checkTotals
// (migrate.go): it fills the rollup of a database created before the
// rollup existed, and repairs one that drifted (say, because an instance
// of an older version wrote expenses during a rolling upgrade).

// totalKey is the key of a models.ExpenseTotal row.
type totalKey struct {
	EmployeeID uint
	Month      int
	CategoryID uint
	Status     models.Status
	Currency   string
}

func (k totalKey) compare(o totalKey) int {
	return cmp.Or(cmp.Compare(k.EmployeeID, o.EmployeeID), cmp.Compare(k.Month, o.Month),
		cmp.Compare(k.CategoryID, o.CategoryID), strings.Compare(string(k.Status), string(o.Status)),
		strings.Compare(k.Currency, o.Currency))
}

// companyKey is the key of a models.CompanyExpenseTotal row: a totalKey
// without the employee.
type companyKey struct {
	Month      int
	CategoryID uint
	Status     models.Status
	Currency   string
}

func (k companyKey) compare(o companyKey) int {
	return totalKey{Month: k.Month, CategoryID: k.CategoryID, Status: k.Status, Currency: k.Currency}.compare(
		totalKey{Month: o.Month, CategoryID: o.CategoryID, Status: o.Status, Currency: o.Currency})
}

// MonthNumber is the month of t (in UTC) as the rollup stores it: YYYYMM.
func MonthNumber(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// monthLabel turns a MonthNumber into "2026-03".
func monthLabel(month int) string {
	return fmt.Sprintf("%04d-%02d", month/100, month%100)
}

func keyOf(e *models.Expense) totalKey {
	return totalKey{EmployeeID: e.EmployeeID, Month: MonthNumber(e.SpentOn), CategoryID: e.CategoryID,
		Status: e.Status, Currency: e.Currency}
}

// amounts is a number of expenses and their sum, or a change to them.
type amounts struct{ count, sum int64 }

// totals collects the changes one transaction makes to the rollup.
type totals map[totalKey]amounts

// add counts e into the rollup (sign +1) or out of it (sign -1), as it is
// now: call it with the expense as it was before a change, and as it is
// after.
func (t totals) add(e *models.Expense, sign int64) {
	k := keyOf(e)
	a := t[k]
	a.count += sign
	a.sum += sign * e.AmountMinor
	t[k] = a
}

// rollupBatch is the number of rows per statement: 7 columns of 500 rows
// stay far below both databases' limits on bound parameters.
const rollupBatch = 500

// apply writes the collected changes to every rollup table, in one fixed
// order of tables and in key order within each, and deletes the rows they
// leave empty.
func (t totals) apply(tx *gorm.DB) error {
	people := make(map[totalKey]amounts, len(t))
	company := map[companyKey]amounts{}
	for k, a := range t {
		if a == (amounts{}) {
			continue // moved out and back in, as "create and submit" does
		}
		people[k] = a
		company[companyKey{k.Month, k.CategoryID, k.Status, k.Currency}] = company[companyKey{k.Month, k.CategoryID, k.Status, k.Currency}].plus(a)
	}
	if len(people) == 0 {
		return nil
	}
	teams, err := teamsOf(tx, slices.Collect(maps.Keys(people)))
	if err != nil {
		return err
	}
	status, months := dashboardCells(people, teams)
	if err := personRollup.apply(tx, people); err != nil {
		return err
	}
	if err := companyRollup.apply(tx, company); err != nil {
		return err
	}
	if err := statusRollup.apply(tx, status); err != nil {
		return err
	}
	if err := monthRollup.apply(tx, months); err != nil {
		return err
	}
	return currencyRollup.apply(tx, currencyCells(months))
}

func (a amounts) plus(b amounts) amounts { return amounts{a.count + b.count, a.sum + b.sum} }

// rollupTable is what apply needs to know of one rollup table: its name,
// its key columns, how keys sort and how a key becomes a row.
type rollupTable[K comparable, R any] struct {
	name    string
	columns []string
	compare func(K, K) int
	row     func(K, amounts) R
	values  func(K) []any  // the key's values, in the order of columns
	fields  func(*K) []any // pointers to the key's fields, in the same order
}

// read returns what the table holds, by key.
func (r rollupTable[K, R]) read(tx *gorm.DB) (map[K]amounts, error) {
	type row struct {
		key K
		amounts
	}
	rows, err := scanRows(tx.Raw("SELECT "+strings.Join(r.columns, ", ")+", count, sum_minor FROM "+r.name),
		func(x *row) []any { return append(r.fields(&x.key), &x.count, &x.sum) })
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", r.name, err)
	}
	got := make(map[K]amounts, len(rows))
	for _, x := range rows {
		got[x.key] = x.amounts
	}
	return got, nil
}

// diffs describes each difference between the table and want.
func (r rollupTable[K, R]) diffs(tx *gorm.DB, want map[K]amounts) ([]string, error) {
	got, err := r.read(tx)
	if err != nil {
		return nil, err
	}
	return compareTotals(r.name, want, got, r.compare), nil
}

// apply adds cells to the table (upsertTotals) and deletes the rows among
// those decreased that are now empty (deleteEmpty).
func (r rollupTable[K, R]) apply(tx *gorm.DB, cells map[K]amounts) error {
	var (
		rows    []R
		emptied []K
	)
	for _, k := range slices.SortedFunc(maps.Keys(cells), r.compare) {
		a := cells[k]
		if a == (amounts{}) {
			continue // another expense moved the other way
		}
		rows = append(rows, r.row(k, a))
		if a.count < 0 {
			emptied = append(emptied, k)
		}
	}
	if err := upsertTotals(tx, r.name, rows, r.columns); err != nil {
		return err
	}
	return deleteEmpty(tx, r.name, emptied, r.values, r.columns)
}

var (
	personRollup = rollupTable[totalKey, models.ExpenseTotal]{
		name:    "expense_totals",
		columns: []string{"employee_id", "month", "category_id", "status", "currency"},
		compare: totalKey.compare,
		row: func(k totalKey, a amounts) models.ExpenseTotal {
			return models.ExpenseTotal{EmployeeID: k.EmployeeID, Month: k.Month, CategoryID: k.CategoryID,
				Status: k.Status, Currency: k.Currency, Count: a.count, SumMinor: a.sum}
		},
		values: func(k totalKey) []any { return []any{k.EmployeeID, k.Month, k.CategoryID, k.Status, k.Currency} },
		fields: func(k *totalKey) []any { return []any{&k.EmployeeID, &k.Month, &k.CategoryID, &k.Status, &k.Currency} },
	}
	companyRollup = rollupTable[companyKey, models.CompanyExpenseTotal]{
		name:    "company_expense_totals",
		columns: []string{"month", "category_id", "status", "currency"},
		compare: companyKey.compare,
		row: func(k companyKey, a amounts) models.CompanyExpenseTotal {
			return models.CompanyExpenseTotal{Month: k.Month, CategoryID: k.CategoryID, Status: k.Status,
				Currency: k.Currency, Count: a.count, SumMinor: a.sum}
		},
		values: func(k companyKey) []any { return []any{k.Month, k.CategoryID, k.Status, k.Currency} },
		fields: func(k *companyKey) []any { return []any{&k.Month, &k.CategoryID, &k.Status, &k.Currency} },
	}
)

// upsertTotals adds rows to the rollup table: INSERT … ON CONFLICT (key) DO
// UPDATE SET count = count + excluded.count, which SQLite (3.24 and later)
// and PostgreSQL both understand, and which is atomic on PostgreSQL even
// when two transactions insert the same new row at once.
func upsertTotals[R any](tx *gorm.DB, table string, rows []R, key []string) error {
	cols := make([]clause.Column, len(key))
	for i, c := range key {
		cols[i] = clause.Column{Name: c}
	}
	upsert := clause.OnConflict{Columns: cols, DoUpdates: clause.Set{
		{Column: clause.Column{Name: "count"}, Value: gorm.Expr(table + ".count + excluded.count")},
		{Column: clause.Column{Name: "sum_minor"}, Value: gorm.Expr(table + ".sum_minor + excluded.sum_minor")},
	}}
	for batch := range slices.Chunk(rows, rollupBatch) {
		if err := tx.Clauses(upsert).Create(&batch).Error; err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
	}
	return nil
}

// deleteEmpty deletes the rows among those just decreased that are now
// empty. (A row that is empty but has a sum is wrong, and is kept for
// CheckTotals to find.)
func deleteEmpty[K any](tx *gorm.DB, table string, keys []K, keyValues func(K) []any, columns []string) error {
	one := "(" + strings.Join(columns, " = ? AND ") + " = ?)"
	for batch := range slices.Chunk(keys, 100) {
		var args []any
		for _, k := range batch {
			args = append(args, keyValues(k)...)
		}
		cond := strings.TrimSuffix(strings.Repeat(one+" OR ", len(batch)), " OR ")
		if err := tx.Exec("DELETE FROM "+table+" WHERE count = 0 AND sum_minor = 0 AND ("+cond+")", args...).Error; err != nil {
			return fmt.Errorf("delete empty %s: %w", table, err)
		}
	}
	return nil
}

// write runs f in a transaction and applies the rollup changes f collected
// before committing. Every method that changes expenses goes through it.
func (s *Service) write(ctx context.Context, f func(tx *gorm.DB, t totals) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t := totals{}
		if err := f(tx, t); err != nil {
			return err
		}
		return t.apply(tx)
	})
}

// sumExpenses adds up the expenses table the way the rollup does, reading
// the rows one at a time: the same keyOf as the writes, so the two agree by
// construction rather than by two implementations of "month".
func sumExpenses(tx *gorm.DB) (totals, error) {
	rows, err := tx.Model(&models.Expense{}).
		Select("employee_id, spent_on, category_id, status, currency, amount_minor").Rows()
	if err != nil {
		return nil, fmt.Errorf("read expenses for totals: %w", err)
	}
	defer rows.Close()
	t := totals{}
	var e models.Expense
	for rows.Next() {
		if err := rows.Scan(&e.EmployeeID, &e.SpentOn, &e.CategoryID, &e.Status, &e.Currency, &e.AmountMinor); err != nil {
			return nil, fmt.Errorf("read expense for totals: %w", err)
		}
		t.add(&e, 1)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read expenses for totals: %w", err)
	}
	return t, nil
}

// RebuildTotals recomputes the rollup tables from the expenses table, in one
// transaction. Run it after writing expenses behind the service's back
// (imports, hand-written SQL). On PostgreSQL it blocks changes to expenses
// (LOCK TABLE … IN SHARE MODE, reads go on) until it commits, so that no
// write slips between the count and the new rollup; on SQLite the
// transaction holds the write lock anyway. It takes about a second per
// million expenses.
func RebuildTotals(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Transaction(rebuildTotals)
}

func rebuildTotals(tx *gorm.DB) error {
	if tx.Dialector.Name() == "postgres" {
		if err := tx.Exec("LOCK TABLE expenses IN SHARE MODE").Error; err != nil {
			return fmt.Errorf("lock expenses: %w", err)
		}
		// No team moves (syncTeam) until the teams are copied afresh.
		if err := tx.Exec("LOCK TABLE dashboard_team_members IN EXCLUSIVE MODE").Error; err != nil {
			return fmt.Errorf("lock team members: %w", err)
		}
	}
	t, err := sumExpenses(tx)
	if err != nil {
		return err
	}
	for _, m := range models.ExpenseRollups() {
		if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(m).Error; err != nil {
			return fmt.Errorf("empty the expense totals: %w", err)
		}
	}
	if err := fillTeamMembers(tx); err != nil {
		return err
	}
	return t.apply(tx)
}

// CheckTotals compares the rollup tables with the expenses table, in one
// snapshot, and describes each difference (at most 20); none means they
// agree. Tests call it after every kind of write; an operator may call it
// to decide whether RebuildTotals is needed.
func CheckTotals(ctx context.Context, db *gorm.DB) ([]string, error) {
	var diffs []string
	err := snapshot(db.WithContext(ctx), func(tx *gorm.DB) error {
		want, err := sumExpenses(tx)
		if err != nil {
			return err
		}
		d, err := personRollup.diffs(tx, want)
		if err != nil {
			return err
		}
		diffs = append(diffs, d...)
		wantCompany := map[companyKey]amounts{}
		for k, a := range want {
			ck := companyKey{k.Month, k.CategoryID, k.Status, k.Currency}
			wantCompany[ck] = wantCompany[ck].plus(a)
		}
		d, err = companyRollup.diffs(tx, wantCompany)
		if err != nil {
			return err
		}
		diffs = append(diffs, d...)

		// The teams as the rollup last saw them: a move nobody has read
		// yet is not a difference (syncTeam).
		teams, err := readTeams(tx, "dashboard_team_members")
		if err != nil {
			return err
		}
		d, err = dashboardDiffs(tx, want, teams)
		diffs = append(diffs, d...)
		return err
	})
	if len(diffs) > 20 {
		diffs = append(diffs[:20], fmt.Sprintf("… and %d more differences", len(diffs)-20))
	}
	return diffs, err
}

func compareTotals[K comparable](table string, want, got map[K]amounts, compare func(K, K) int) []string {
	var diffs []string
	keys := slices.Collect(maps.Keys(want))
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compare)
	for _, k := range keys {
		if w, g := want[k], got[k]; w != g {
			diffs = append(diffs, fmt.Sprintf("%s %+v: %d expenses summing to %d, the expenses say %d summing to %d",
				table, k, g.count, g.sum, w.count, w.sum))
		}
	}
	return diffs
}

// snapshot runs f in a transaction that sees one state of the database. On
// PostgreSQL that takes REPEATABLE READ (READ COMMITTED, the default, takes
// a new snapshot for every statement); SQLite transactions see one state
// anyway.
func snapshot(db *gorm.DB, f func(tx *gorm.DB) error) error {
	if db.Dialector.Name() == "postgres" {
		return db.Transaction(f, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	return db.Transaction(f)
}

// checkTotals is a start-up step (see MigrationSteps).
// It compares the number and sum of expenses per status and currency with
// the rollup, which costs one pass over an index and catches what
// matters after an upgrade: a rollup that is still empty, and expenses
// added, deleted or moved to another status behind the service's back. When
// they differ it rebuilds the rollup. (A change of category or date behind
// the service's back keeps these sums; CheckTotals finds it, and
// RebuildTotals repairs it.)
func checkTotals(db *gorm.DB) error {
	type sum struct {
		Status   models.Status
		Currency string
		Count    int64
		SumMinor int64
	}
	var fromExpenses, fromTotals []sum
	err := snapshot(db, func(tx *gorm.DB) error {
		err := tx.Model(&models.Expense{}).
			Select("status, currency, COUNT(*) AS count, SUM(amount_minor) AS sum_minor").
			Group("status, currency").Order("status, currency").Scan(&fromExpenses).Error
		if err != nil {
			return fmt.Errorf("sum expenses: %w", err)
		}
		err = tx.Model(&models.CompanyExpenseTotal{}).
			Select("status, currency, SUM(count) AS count, SUM(sum_minor) AS sum_minor").
			Group("status, currency").Order("status, currency").Scan(&fromTotals).Error
		if err != nil {
			return fmt.Errorf("sum expense totals: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if slices.Equal(fromExpenses, fromTotals) {
		return nil
	}
	return db.Transaction(rebuildTotals)
}
