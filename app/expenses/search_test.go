package expenses_test

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// seedSearchTexts inserts an expense of the owner's for each of
// searchTexts, a day apart, and returns them.
func seedSearchTexts(t *testing.T, e *env) []models.Expense {
	t.Helper()
	var out []models.Expense
	for i, txt := range searchTexts {
		x := e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1+i), 1000, "EUR", txt[0], models.StatusSubmitted)
		if err := e.db.Model(&x).Update("description", txt[1]).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

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
	"unmatched words", "hot otel", "hotelx", "rè", "l: 1", "a b",
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
		for _, x := range seedSearchTexts(t, e) {
			byID[x.ID] = x.Merchant
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

// TestTextSearchIndexIsRewrittenOnlyWhenAnEditChangesTheText: an UPDATE
// that names merchant and description without changing them (as gorm's
// Save does) leaves the expense's entry in the SQLite index alone, which
// spares the write transaction an FTS delete and insert; an edit that
// changes the text re-indexes it, and search stays exact after both.
func TestTextSearchIndexIsRewrittenOnlyWhenAnEditChangesTheText(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t, expenses.Migrations()) // the SQLite index's own table
	e := newEnv(t, db)
	x := e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1), 1000, "EUR", "Hotel Adlon", models.StatusSubmitted)
	// A second expense: FTS4 drops every segment when a delete empties the
	// index, which would hide the rewrite this test looks for.
	e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 2), 1000, "EUR", "Lufthansa", models.StatusSubmitted)
	segments := func() int64 {
		t.Helper()
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM expense_search_segdir").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	search := func(q string) []string {
		t.Helper()
		p, err := e.svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: q, PerPage: expenses.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range p.Items {
			got = append(got, x.Merchant)
		}
		if want := len(likeScan(t, db, q)); len(got) != want {
			t.Errorf("search %q found %q, a LIKE scan finds %d expenses", q, got, want)
		}
		return got
	}

	before := segments()
	if err := db.Exec("UPDATE expenses SET merchant = merchant, description = description, status = ? WHERE id = ?",
		models.StatusApproved, x.ID).Error; err != nil {
		t.Fatal(err)
	}
	if after := segments(); after != before {
		t.Errorf("an update that left the text alone rewrote the index entry: %d index segments, %d before", after, before)
	}
	if got := search("adlon"); !slices.Equal(got, []string{"Hotel Adlon"}) {
		t.Errorf("after an edit without text changes, search for adlon found %q", got)
	}

	if err := db.Exec("UPDATE expenses SET merchant = ? WHERE id = ?", "Pension Sonne", x.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := search("adlon"); len(got) != 0 {
		t.Errorf("after renaming the merchant, search for the old name found %q", got)
	}
	if got := search("sonne"); !slices.Equal(got, []string{"Pension Sonne"}) {
		t.Errorf("after renaming the merchant, search for the new name found %q", got)
	}
}

// TestTextSearchUpdateTriggerOfOlderDatabasesIsReplacedAtStartUp: a
// database whose update trigger predates its WHEN clause (migrated to 00002
// only) gets the current trigger from migration 00003 at start-up.
func TestTextSearchUpdateTriggerOfOlderDatabasesIsReplacedAtStartUp(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t, expenses.Migrations())
	old := "CREATE TRIGGER expense_search_update AFTER UPDATE OF id, merchant, description ON expenses BEGIN " +
		"DELETE FROM expense_search WHERE docid = old.id; " +
		"INSERT INTO expense_search (docid, grams) VALUES (new.id, trigram_tokens(new.merchant || char(10) || new.description)); END"
	if err := db.Exec("DROP TRIGGER expense_search_update").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(old).Error; err != nil {
		t.Fatal(err)
	}
	forgetMigration(t, db, 3)
	if err := database.Migrate(context.Background(), db, expenses.Migrations()); err != nil {
		t.Fatal(err)
	}
	var sql string
	if err := db.Raw("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'expense_search_update'").Scan(&sql).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, "WHEN old.id IS NOT new.id") {
		t.Errorf("update trigger after start-up: %s; want the one with a WHEN clause", sql)
	}
}

// eachSearchDB runs f on SQLite and, when it is configured, on PostgreSQL.
func eachSearchDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); f(t, expensestest.SQLite(t)) })
	if os.Getenv(expensestest.PostgresEnv) == "" {
		t.Logf("PostgreSQL half skipped: set %s to run it", expensestest.PostgresEnv)
		return
	}
	t.Run("postgres", func(t *testing.T) { t.Parallel(); f(t, expensestest.Postgres(t)) })
}

// TestTextSearchMatchingMoreThanTheSearchLimitCountsToItAndShowsTheFirstPageInOrder:
// a search stops counting at SearchCountLimit matches, so that a broad
// search does not confirm thousands of rows to print their number ("1,000+
// expenses"), and its first page is still the first page of a LIKE scan in
// the list's sort order, on both databases.
func TestTextSearchMatchingMoreThanTheSearchLimitCountsToItAndShowsTheFirstPageInOrder(t *testing.T) {
	t.Parallel()
	eachSearchDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		var rows []models.Expense
		for i := range expenses.SearchCountLimit*3/2 + 60 {
			merchant := "Hotel Adlon"
			if i%3 == 0 {
				merchant = "Lufthansa" // not a match, between the matches
			}
			rows = append(rows, models.Expense{EmployeeID: e.c.Owner.UserID, CategoryID: e.c.Travel.ID,
				SpentOn: day(2025, 1, 1).AddDate(0, 0, i%400), AmountMinor: int64(1000 + i), Currency: "EUR",
				Merchant: merchant, Status: models.StatusSubmitted, Version: 1})
		}
		if err := db.Omit("Employee", "Category").CreateInBatches(&rows, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := expenses.RebuildTotals(e.ctx, db); err != nil {
			t.Fatal(err)
		}
		matches := len(likeScan(t, db, "adlon"))
		if matches <= expenses.SearchCountLimit {
			t.Fatalf("%d matches, want more than %d for the test to mean anything", matches, expenses.SearchCountLimit)
		}
		for _, f := range []expenses.Filter{
			{Scope: expenses.ScopeAll, Text: "adlon"},
			{Scope: expenses.ScopeAll, Text: "adl"}, // one trigram: SQLite counts by joining its index
			{Scope: expenses.ScopeAll, Text: "adlon", Sort: expenses.SortAmount, Desc: true},
			{Scope: expenses.ScopeMine, Text: "adlon", Sort: expenses.SortDate, Desc: false, Page: 3},
		} {
			p, err := e.svc.List(e.ctx, e.c.Owner, f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != expenses.SearchCountLimit || !p.TotalIsLowerBound {
				t.Errorf("%+v: total %d (lower bound %v), want %d+", f, p.Total, p.TotalIsLowerBound, expenses.SearchCountLimit)
			}
			want := sortedLikeScan(t, db, f.Text, f)
			var got []uint
			for _, x := range p.Items {
				got = append(got, x.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v: page %v, a sorted LIKE scan gives %v", f, got, want)
			}
		}
	})
}

// TestTextSearchWithManyMatchesFindsExactlyWhatALikeScanFinds: a search
// whose count reaches the limit reads its page in the list's order,
// testing rows against the index's candidates; it still finds what the
// LIKE scan finds, for every search of the exactness test.
func TestTextSearchWithManyMatchesFindsExactlyWhatALikeScanFinds(t *testing.T) {
	t.Parallel()
	eachSearchDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		expenses.SetCountLimit(e.svc, 1) // two matches are "many"
		for i, txt := range searchTexts {
			x := e.insert(e.c.Owner, e.c.Travel, day(2026, 3, 1+i), int64(1000+i), "EUR", txt[0], models.StatusSubmitted)
			if err := db.Model(&x).Update("description", txt[1]).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range searchQueries {
			for _, sort := range []expenses.Sort{expenses.SortDate, expenses.SortAmount} {
				f := expenses.Filter{Scope: expenses.ScopeAll, Text: q, Sort: sort, Desc: true, PerPage: expenses.MaxPerPage}
				p, err := e.svc.List(e.ctx, e.c.Finance, f)
				if err != nil {
					t.Fatal(err)
				}
				var got []uint
				for _, x := range p.Items {
					got = append(got, x.ID)
				}
				if want := sortedLikeScan(t, db, q, f); !slices.Equal(got, want) {
					t.Errorf("search %q by %s: page %v, a sorted LIKE scan gives %v", q, sort, got, want)
				}
			}
		}
	})
}

// sortedLikeScan is the page f asks for, found by the LIKE scan and sorted
// in Go: the oracle for the order of search results. The test data's
// expenses are all visible to the actors the tests list them for.
func sortedLikeScan(t *testing.T, db *gorm.DB, q string, f expenses.Filter) []uint {
	t.Helper()
	if f.Sort == "" { // as List reads the zero Filter: newest first
		f.Sort, f.Desc = expenses.SortDate, true
	}
	ids := likeScan(t, db, q)
	var xs []models.Expense
	if err := db.Where("id IN ?", ids).Find(&xs).Error; err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(xs, func(a, b models.Expense) int {
		c := 0
		switch f.Sort {
		case expenses.SortAmount:
			c = cmp.Compare(a.AmountMinor, b.AmountMinor)
		default:
			c = a.SpentOn.Compare(b.SpentOn)
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if f.Desc {
			c = -c
		}
		return c
	})
	perPage := f.PerPage
	if perPage == 0 {
		perPage = expenses.DefaultPerPage
	}
	page := max(f.Page, 1)
	var out []uint
	for i := (page - 1) * perPage; i < min(len(xs), page*perPage); i++ {
		out = append(out, xs[i].ID)
	}
	return out
}

// TestTextSearchIndexesOnPostgresUpdateAtOnceRatherThanThroughAPendingList:
// the pg_trgm indexes have fastupdate off, and older ones are switched by
// migration 00003 at start-up, because a GIN pending list made every search read
// through the entries inserted since the last VACUUM.
func TestTextSearchIndexesOnPostgresUpdateAtOnceRatherThanThroughAPendingList(t *testing.T) {
	t.Parallel()
	db := expensestest.Postgres(t) // skips without PostgreSQL
	if db.Dialector.Name() != "postgres" {
		t.Skip("PostgreSQL only")
	}
	check := func(when string) {
		t.Helper()
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM pg_class WHERE relname IN ('idx_expenses_merchant_trgm', 'idx_expenses_description_trgm') " +
			"AND relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'expenses'::regclass) " +
			"AND reloptions @> ARRAY['fastupdate=off']").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%s: %d of the 2 trigram indexes have fastupdate off", when, n)
		}
	}
	check("new database")
	if err := db.Exec("ALTER INDEX idx_expenses_merchant_trgm RESET (fastupdate)").Error; err != nil {
		t.Fatal(err)
	}
	forgetMigration(t, db, 3)
	if err := database.Migrate(context.Background(), db, expenses.Migrations()); err != nil {
		t.Fatal(err)
	}
	check("after start-up on an older index")
}

// forgetMigration makes db look like a database from before the demo's
// migration version: its row in the version table goes, and those of the
// later ones (goose refuses to apply a version below the newest applied),
// so the next Migrate applies them again, as it would on that older
// database.
func forgetMigration(t *testing.T, db *gorm.DB, version int64) {
	t.Helper()
	if err := db.Exec("DELETE FROM "+expenses.Schema().VersionTable()+" WHERE version_id >= ?", version).Error; err != nil {
		t.Fatal(err)
	}
}

// TestTextSearchWhoseExactCountLeavesThePageEmptyReadsNoPage: when a
// search's count is exact and leaves nothing for the page asked for (no
// match, or a page past the last), List returns the empty page without a
// second statement repeating the search, and the page and its total are
// still those of the LIKE scan, on both databases.
func TestTextSearchWhoseExactCountLeavesThePageEmptyReadsNoPage(t *testing.T) {
	t.Parallel()
	eachSearchDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		seedSearchTexts(t, e)
		log := &statementLog{}
		svc := expenses.NewService(db.Session(&gorm.Session{Logger: log})).WithClock(testNow)
		for _, tc := range []struct {
			f          expenses.Filter
			statements int
		}{
			{expenses.Filter{Scope: expenses.ScopeAll, Text: "unmatched words"}, 1},
			{expenses.Filter{Scope: expenses.ScopeAll, Text: "zq"}, 1}, // too short for a trigram
			{expenses.Filter{Scope: expenses.ScopeAll, Text: "hotel", Page: 3}, 1},
			{expenses.Filter{Scope: expenses.ScopeAll, Text: "hotel", PerPage: 3, Page: 2}, 2}, // the last page
			{expenses.Filter{Scope: expenses.ScopeAll, Text: "hotel"}, 2},
		} {
			before := log.searches()
			p, err := svc.List(e.ctx, e.c.Finance, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if n := log.searches() - before; n != tc.statements {
				t.Errorf("%+v: %d statements searched the texts, want %d", tc.f, n, tc.statements)
			}
			var got []uint
			for _, x := range p.Items {
				got = append(got, x.ID)
			}
			if want := sortedLikeScan(t, db, tc.f.Text, tc.f); !slices.Equal(got, want) {
				t.Errorf("%+v: page %v, a sorted LIKE scan gives %v", tc.f, got, want)
			}
			if want := len(likeScan(t, db, tc.f.Text)); p.Total != int64(want) || p.TotalIsLowerBound {
				t.Errorf("%+v: total %d (lower bound %v), a LIKE scan finds %d", tc.f, p.Total, p.TotalIsLowerBound, want)
			}
		}
	})
}

// statementLog is a gorm logger that keeps the SQL of every statement.
type statementLog struct {
	mu   sync.Mutex
	sqls []string
}

func (l *statementLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *statementLog) Info(context.Context, string, ...any)     {}
func (l *statementLog) Warn(context.Context, string, ...any)     {}
func (l *statementLog) Error(context.Context, string, ...any)    {}
func (l *statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sqls = append(l.sqls, sql)
}

func (l *statementLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sqls = nil
}

// first is the first statement so far containing s, or "".
func (l *statementLog) first(s string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sql := range l.sqls {
		if strings.Contains(sql, s) {
			return sql
		}
	}
	return ""
}

// searches is how many of the statements so far compared the texts.
func (l *statementLog) searches() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.sqls {
		if strings.Contains(s, "LIKE") || strings.Contains(s, "strpos(") {
			n++
		}
	}
	return n
}

// TestTextSearchTooShortForATrigramReadsNoTrigramIndexOnPostgres: a search
// string without three letters or digits in a row gives pg_trgm no trigram
// to look up, and through the trigram indexes it would read every entry of
// both (76–290 ms at 100,000 expenses); its statements do not touch them,
// even with the generic plan PostgreSQL keeps for a prepared statement
// after five runs, while a longer string still uses them.
func TestTextSearchTooShortForATrigramReadsNoTrigramIndexOnPostgres(t *testing.T) {
	t.Parallel()
	db := expensestest.Postgres(t) // skips without PostgreSQL
	if db.Dialector.Name() != "postgres" {
		t.Skip("PostgreSQL only")
	}
	e := newEnv(t, db)
	seedSearchTexts(t, e)
	err := db.Transaction(func(tx *gorm.DB) error {
		// What pgx's prepared statements get after five runs, at once; and
		// the plans of a big table, where reading all of it costs more than
		// any index (at 100,000 expenses the planner picks the trigram
		// indexes by itself).
		for _, set := range []string{"SET LOCAL plan_cache_mode = force_generic_plan", "SET LOCAL enable_seqscan = off"} {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		scans := func() int64 {
			t.Helper()
			var n int64
			if err := tx.Raw("SELECT pg_stat_get_xact_numscans('idx_expenses_merchant_trgm'::regclass) + " +
				"pg_stat_get_xact_numscans('idx_expenses_description_trgm'::regclass)").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		svc := expenses.NewService(tx).WithClock(testNow)
		for _, q := range []string{"h", "ho", "0%", "m_", "a b", "l: 1", "rè", "hotel"} {
			before := scans()
			p, err := svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: q, PerPage: expenses.MaxPerPage})
			if err != nil {
				return err
			}
			used := scans() > before
			if want := len(likeScan(t, tx, q)); len(p.Items) != want {
				t.Errorf("search %q found %d expenses, a LIKE scan %d", q, len(p.Items), want)
			}
			if long := q == "hotel"; used != long {
				t.Errorf("search %q: trigram indexes scanned %v, want %v", q, used, long)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTextSearchCountOfOneTrigramOnSQLiteIsLedByTheIndex: on SQLite the
// count of a search string with a single trigram ("the") reads the text
// index's list of expenses as it goes and stops at the limit, rather than
// building the whole list first (an IN list of 40,000 expenses at 100,000);
// a string of several trigrams keeps the IN list, and both count what a
// LIKE scan finds.
func TestTextSearchCountOfOneTrigramOnSQLiteIsLedByTheIndex(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t, expenses.Migrations()) // the SQLite index's own table
	e := newEnv(t, db)
	seedSearchTexts(t, e)
	log := &statementLog{}
	svc := expenses.NewService(db.Session(&gorm.Session{Logger: log})).WithClock(testNow)
	for _, tc := range []struct {
		text string
		led  bool
	}{{"tel", true}, {"ème", true}, {"hotel", false}, {"tel aviv", false}} {
		log.reset()
		p, err := svc.List(e.ctx, e.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(likeScan(t, db, tc.text)); p.Total != int64(want) {
			t.Errorf("search %q counts %d, a LIKE scan finds %d", tc.text, p.Total, want)
		}
		count := log.first("COUNT(*)")
		if count == "" {
			t.Fatalf("search %q: no count among %q", tc.text, log.sqls)
		}
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		if err := db.Raw("EXPLAIN QUERY PLAN " + count).Scan(&plan).Error; err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, s := range plan {
			if strings.HasPrefix(s.Detail, "SCAN") || strings.HasPrefix(s.Detail, "SEARCH") || strings.HasPrefix(s.Detail, "LIST") {
				steps = append(steps, s.Detail)
			}
		}
		led := len(steps) > 0 && strings.HasPrefix(steps[0], "SCAN expense_search VIRTUAL TABLE")
		if led != tc.led {
			t.Errorf("search %q: count led by the index %v, want %v (plan %q)", tc.text, led, tc.led, steps)
		}
	}
}
