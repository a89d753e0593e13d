package expenses_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

func exportCSV(t *testing.T, e *env, actor *models.Employee, f expenses.Filter) (string, [][]string) {
	t.Helper()
	var b bytes.Buffer
	if err := e.svc.WriteCSV(e.ctx, &b, actor, f); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v\n%s", err, b.String())
	}
	if !slices.Equal(rows[0], expenses.CSVHeader()) {
		t.Fatalf("header %v", rows[0])
	}
	return b.String(), rows[1:]
}

func TestCSVNeutralisesCellsASpreadsheetWouldRunAsFormulas(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	dangerous := []string{`=HYPERLINK("http://evil.example","Click")`, "+SUM(A1:A9)", "-2+3", "@cmd", "\tindent", "\rreturn"}
	for _, m := range dangerous {
		e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1), 100, "EUR", m, models.StatusDraft)
	}
	e.db.Model(&models.Expense{}).Where("1 = 1").Update("description", "=1+1")
	_, rows := exportCSV(t, e, e.c.Owner, expenses.Filter{Sort: expenses.SortDate})
	var merchants []string
	for _, r := range rows {
		merchants = append(merchants, r[4])
		if r[5] != "'=1+1" {
			t.Errorf("description %q not neutralised", r[5])
		}
	}
	for _, m := range dangerous {
		if !slices.Contains(merchants, "'"+m) {
			t.Errorf("merchant %q not neutralised; got %q", m, merchants)
		}
	}
	for _, safe := range []string{"Deutsche Bahn", "", "1-2-3", "a=b"} {
		if got := expenses.CSVSafe(safe); got != safe {
			t.Errorf("CSVSafe(%q) = %q, want it unchanged", safe, got)
		}
	}
}

func TestCSVQuotesCommasQuotesAndLineBreaks(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1), 1250, "EUR", `Smith, "Bob" & Sons`, models.StatusDraft)
	e.db.Model(&x).Update("description", "line one\nline two")
	raw, rows := exportCSV(t, e, e.c.Owner, expenses.Filter{})
	if !strings.Contains(raw, `"Smith, ""Bob"" & Sons"`) || !strings.Contains(raw, "\"line one\nline two\"") {
		t.Errorf("not quoted as RFC 4180 says:\n%s", raw)
	}
	want := []string{strconv.Itoa(int(x.ID)), "2026-03-01", "Erin Employee", "Travel", `Smith, "Bob" & Sons`, "line one\nline two", "12.50", "EUR", "Draft", "no"}
	if len(rows) != 1 || !slices.Equal(rows[0], want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}

func TestCSVWritesAmountsInMajorUnitsWithADot(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 3), 1200, "JPY", "yen", models.StatusDraft)
	e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 2), 123456, "EUR", "euro", models.StatusDraft)
	e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1), 5, "GBP", "pence", models.StatusDraft)
	_, rows := exportCSV(t, e, e.c.Owner, expenses.Filter{})
	var got []string
	for _, r := range rows {
		got = append(got, r[6]+" "+r[7])
	}
	if want := []string{"1200 JPY", "1234.56 EUR", "0.05 GBP"}; !slices.Equal(got, want) {
		t.Errorf("amounts %v, want %v", got, want)
	}
}

// TestCSVHoldsExactlyWhatTheFilteredListShows exports several filters over
// a few hundred generated expenses and compares the rows, in order, with
// every page of the list for the same filter.
func TestCSVHoldsExactlyWhatTheFilteredListShows(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if err := expenses.SeedBulk(e.ctx, db, 400, rand.New(rand.NewPCG(1, 2)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		filters := []struct {
			actor *models.Employee
			f     expenses.Filter
		}{
			{e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll}},
			{e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Status: models.StatusApproved, Sort: expenses.SortAmount, Desc: true}},
			{e.c.Manager, expenses.Filter{Scope: expenses.ScopeTeam, Text: "hotel", Sort: expenses.SortMerchant}},
			{e.c.Owner, expenses.Filter{From: day(2025, 10, 1), To: day(2025, 12, 31), Sort: expenses.SortStatus}},
			{e.c.Peer, expenses.Filter{Scope: expenses.ScopeAll, CategoryID: e.c.Meals.ID}},
		}
		for i, tc := range filters {
			listed := listedIDs(t, e, tc.actor, tc.f)
			_, rows := exportCSV(t, e, tc.actor, tc.f)
			var exported []string
			for _, r := range rows {
				exported = append(exported, r[0])
			}
			if !slices.Equal(exported, listed) {
				t.Errorf("filter %d: CSV has %d rows, the list %d, or a different order", i, len(exported), len(listed))
			}
			if i == 0 && len(exported) < 250 {
				t.Errorf("finance exported only %d rows", len(exported))
			}
		}
	})
}

// listedIDs are the ids of every page of the list of f, in order, as the
// CSV writes them.
func listedIDs(t *testing.T, e *env, actor *models.Employee, f expenses.Filter) []string {
	t.Helper()
	var ids []string
	for page := 1; ; page++ {
		f.Page, f.PerPage = page, 100
		p, err := e.svc.List(e.ctx, actor, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p.Items {
			ids = append(ids, strconv.Itoa(int(x.ID)))
		}
		if !p.HasNext() {
			return ids
		}
	}
}

// blockingWriter runs a query of its own on every write: with a pool of one
// connection, it gets the connection only if the export is not holding it.
type blockingWriter struct {
	t      *testing.T
	db     *gorm.DB
	writes int
	buf    bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var one int
	if err := w.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		w.t.Errorf("write %d: a query while the export waits for the browser: %v", w.writes, err)
	}
	w.writes++
	return w.buf.Write(p)
}

// A download as slow as its browser must not hold one of the pool's
// connections all along: here the pool has one, and the "browser" needs it
// for every write.
func TestCSVExportHoldsNoConnectionWhileTheBrowserTakesTheFile(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if err := expenses.SeedBulk(e.ctx, db, 1200, rand.New(rand.NewPCG(3, 4)), nil, testNow()); err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(1)
		f := expenses.Filter{Scope: expenses.ScopeAll, Sort: expenses.SortAmount}
		w := &blockingWriter{t: t, db: db}
		if err := e.svc.WriteCSV(e.ctx, w, e.c.Finance, f); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&w.buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		listed := listedIDs(t, e, e.c.Finance, f)
		var exported []string
		for _, r := range rows[1:] {
			exported = append(exported, r[0])
		}
		if len(exported) < 800 || !slices.Equal(exported, listed) {
			t.Errorf("CSV has %d rows, the list %d, or a different order", len(exported), len(listed))
		}
		if w.writes < 3 {
			t.Errorf("%d writes: the export did not stream", w.writes)
		}
	})
}
