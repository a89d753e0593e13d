package expenses_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// searchTexts are merchants and descriptions chosen to catch a trigram
// index that finds too little (case, words split across the two columns,
// windows across a space, LIKE's own characters, non-ASCII letters) or too
// much (a string whose windows all occur, but not together).
var searchTexts = [][2]string{
	{"Hotel Adlon", "Two nights, client visit"},
	{"HOTEL IBIS", "Conference hotel"},
	{"Grand", "hotel breakfast"},
	{"Hotelux", ""},
	{"Shell", "Fuel: 100% diesel"},
	{"Lufthansa", "Flight m_b to Munich"},
	{"Café Crème", "Crème brûlée with the team"},
	{"Tel Aviv Taxi", "hot otel tel"},
	{"Ho", "tel"},
}

var searchQueries = []string{
	"hotel", "HOTEL", "Hotel Adlon", "otel", "hot", "ho", "h", "el a", "nd ho", "grandhotel",
	"100%", "0% d", "m_b", "_", "%", "café", "crème brû", "ème", "hotel breakfast", "tel aviv",
	"unmatched words", "hot otel", "hotelx",
}

// TestTextSearchFindsExactlyTheExpensesALikeScanFinds: the trigram index
// only narrows the rows the LIKE looks at, so every search returns what a
// plain LIKE scan over merchant and description returns, on SQLite and on
// PostgreSQL, and both databases return the same expenses.
func TestTextSearchFindsExactlyTheExpensesALikeScanFinds(t *testing.T) {
	t.Parallel()
	found := map[string]map[string][]string{} // database -> query -> merchants
	run := func(name string, db *gorm.DB) {
		e := newEnv(t, db)
		byID := map[uint]string{}
		for i, txt := range searchTexts {
			x := e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1+i), 1000, "EUR", txt[0], models.StatusSubmitted)
			if err := db.Model(&x).Update("description", txt[1]).Error; err != nil {
				t.Fatal(err)
			}
			byID[x.ID] = txt[0]
		}
		// A renamed and a deleted expense: the index follows every write.
		gone := e.insert(e.c.Owner, e.c.Travel, day(2026, 2, 1), 1000, "EUR", "Hotel Gone", models.StatusSubmitted)
		if err := db.Delete(&gone).Error; err != nil {
			t.Fatal(err)
		}
		renamed := e.insert(e.c.Owner, e.c.Travel, day(2026, 2, 2), 1000, "EUR", "Motel One", models.StatusSubmitted)
		if err := db.Model(&renamed).Update("merchant", "Pension Hotelina").Error; err != nil {
			t.Fatal(err)
		}
		byID[renamed.ID] = "Pension Hotelina"
		if err := expenses.RebuildTotals(e.ctx, db); err != nil {
			t.Fatal(err)
		}

		found[name] = map[string][]string{}
		for _, q := range searchQueries {
			p, err := e.svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: q, PerPage: expenses.MaxPerPage})
			if err != nil {
				t.Fatalf("%s: search %q: %v", name, q, err)
			}
			var got, want []string
			for _, x := range p.Items {
				got = append(got, x.Merchant)
			}
			for _, id := range likeScan(t, db, q) {
				want = append(want, byID[id])
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: search %q found %q, a LIKE scan finds %q", name, q, got, want)
			}
			if int(p.Total) != len(got) {
				t.Errorf("%s: search %q counts %d, shows %d", name, q, p.Total, len(got))
			}
			found[name][q] = got
		}
	}
	run("sqlite", expensestest.SQLite(t))
	if os.Getenv(expensestest.PostgresEnv) == "" {
		t.Logf("PostgreSQL half skipped: set %s to run it", expensestest.PostgresEnv)
		return
	}
	run("postgres", expensestest.Postgres(t))
	for _, q := range searchQueries {
		if !slices.Equal(found["sqlite"][q], found["postgres"][q]) {
			t.Errorf("search %q: SQLite finds %q, PostgreSQL %q", q, found["sqlite"][q], found["postgres"][q])
		}
	}
}

// likeScan is the search without any index, as it was written before:
// the oracle.
func likeScan(t *testing.T, db *gorm.DB, q string) []uint {
	t.Helper()
	pattern := "%" + expenses.EscapeLike(q) + "%"
	cond := `(merchant LIKE ? ESCAPE '\' OR description LIKE ? ESCAPE '\')`
	if db.Dialector.Name() == "postgres" {
		cond = `(LOWER(merchant) LIKE LOWER(?) ESCAPE '\' OR LOWER(description) LIKE LOWER(?) ESCAPE '\')`
	}
	var ids []uint
	if err := db.Model(&models.Expense{}).Where(cond, pattern, pattern).Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestTextSearchIndexIsBuiltForExistingExpensesAtStartUp: a database of an
// auto-migrating version from before the index (tables by AutoMigrate, no
// version tables, expenses without index rows, an index since retired)
// adopts the baseline: the migration indexes its expenses, search finds
// them, and the retired index is gone.
func TestTextSearchIndexIsBuiltForExistingExpensesAtStartUp(t *testing.T) {
	t.Parallel()
	db := dbtest.EmptyOnlySQLite(t) // the SQLite index's own table
	if err := db.AutoMigrate(append(database.CoreModels(), models.ExpenseModels()...)...); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE INDEX idx_expenses_spent ON expenses (spent_on)").Error; err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, db)
	for i, txt := range searchTexts {
		e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1+i), 1000, "EUR", txt[0], models.StatusSubmitted)
	}
	if db.Migrator().HasTable("expense_search") {
		t.Fatal("the old database already has the text search index")
	}
	if err := database.Migrate(context.Background(), db, expenses.Migrations()); err != nil {
		t.Fatal(err)
	}
	if m := db.Migrator(); m.HasIndex(&models.Expense{}, "idx_expenses_spent") || !m.HasIndex(&models.Expense{}, "idx_expenses_spent_id") {
		t.Error("the retired index is still there, or its replacement missing")
	}
	var indexed, all int64
	db.Raw("SELECT COUNT(*) FROM expense_search").Scan(&indexed)
	db.Model(&models.Expense{}).Count(&all)
	if indexed != all {
		t.Errorf("%d of %d expenses indexed after start-up", indexed, all)
	}
	p, err := e.svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: "hotel", PerPage: expenses.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 3 { // Hotel Adlon, HOTEL IBIS, Hotelux (descriptions are empty here)
		t.Errorf("search for hotel after the backfill found %d expenses, want 3", len(p.Items))
	}
}
