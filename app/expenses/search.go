package expenses

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
)

// Text search ("q": merchant or description contains the words, ignoring
// case) is a LIKE '%…%' over both columns, which no ordinary index serves:
// at 100,000 expenses it read every row (25–70 ms). It now starts from a
// trigram index, and the LIKE stays as the final check, so the index only
// narrows the rows the LIKE looks at and the results are exactly those of
// the scan on each database. Each database gets the trigram index it has:
//
//   - PostgreSQL: pg_trgm GIN indexes on LOWER(merchant) and
//     LOWER(description), the very expressions the search compares, so the
//     planner uses them for LIKE by itself and keeps them current by
//     itself. pg_trgm ships with PostgreSQL and may be created by the
//     database's owner; where it cannot be, search scans as before.
//   - SQLite: the bundled SQLite has FTS4 but not FTS5 (whose trigram
//     tokenizer needs a build tag, and `go run .` must work without one),
//     and FTS4 only knows words. So an FTS4 table holds, per expense, its
//     text's three-character windows written as words
//     (database.TrigramTokens), and a search asks it for the expenses
//     having every window of the search string. Triggers on expenses keep
//     it current in the same transaction as every write, whoever writes
//     (the service, bulk seeding, a migration), calling the Go function
//     trigram_tokens that every connection of the app registers. (A
//     program without that function, such as the sqlite3 shell, can read
//     the database but not write expenses.)
//
// A table of (trigram, expense) rows would be the one portable design, but
// at about 40 windows per expense it grows to millions of rows (hundreds of
// megabytes at 100,000 expenses) and costs every write as many index
// inserts; FTS4's compressed posting lists and pg_trgm cost a fraction.
//
// Search strings shorter than three characters have no trigram: they scan,
// and being short they usually match early.

// setUpSearch creates the text search index and fills it for the expenses
// it lacks (all of them, the first time). It runs at every start-up and
// costs one anti-join when there is nothing to do.
func setUpSearch(db *gorm.DB) error {
	if db.Dialector.Name() == "postgres" {
		// In public, not in the first schema of the search_path: an
		// extension belongs to the whole database, and dropping the schema
		// it sits in would drop it, and every index using it, everywhere.
		if err := db.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").Error; err != nil {
			return nil // not available here: search scans, as it did before
		}
		// It may have been installed elsewhere before, and the schema it
		// is in need not be on this connection's search_path.
		var schema string
		if err := db.Raw("SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").
			Scan(&schema).Error; err != nil || schema == "" {
			return nil
		}
		// fastupdate off: by default a GIN index collects new entries in
		// a pending list that every search reads through, until VACUUM
		// (autovacuum, some time later) merges it; after a burst of
		// 100,000 inserts a search matching nothing took 30 ms to a
		// second instead of 0.3 ms. Without it each insert updates the
		// index at once, which costs the write a little.
		for _, stmt := range []string{
			"CREATE INDEX IF NOT EXISTS idx_expenses_merchant_trgm ON expenses USING gin (LOWER(merchant) " + schema + ".gin_trgm_ops) WITH (fastupdate = off)",
			"CREATE INDEX IF NOT EXISTS idx_expenses_description_trgm ON expenses USING gin (LOWER(description) " + schema + ".gin_trgm_ops) WITH (fastupdate = off)",
		} {
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("create text search index: %w", err)
			}
		}
		// Indexes created before that: switch it off and merge what is
		// pending, once (reloptions then say fastupdate=off).
		var older []string
		if err := db.Raw("SELECT c.relname FROM pg_class c WHERE c.relname IN ('idx_expenses_merchant_trgm', 'idx_expenses_description_trgm') " +
			"AND c.relnamespace = (SELECT t.relnamespace FROM pg_class t WHERE t.oid = 'expenses'::regclass) " +
			"AND NOT COALESCE(c.reloptions @> ARRAY['fastupdate=off'], false)").Scan(&older).Error; err != nil {
			return fmt.Errorf("read text search index options: %w", err)
		}
		for _, name := range older {
			if err := db.Exec("ALTER INDEX " + name + " SET (fastupdate = off)").Error; err != nil {
				return fmt.Errorf("set text search index options: %w", err)
			}
			if err := db.Exec("SELECT gin_clean_pending_list(?::regclass)", name).Error; err != nil {
				return fmt.Errorf("merge the text search index's pending entries: %w", err)
			}
		}
		return nil
	}
	const text = "trigram_tokens(%[1]s.merchant || char(10) || %[1]s.description)"
	// Databases created before the update trigger had its WHEN clause
	// get the current one (the CREATE below).
	var updateTrigger string
	if err := db.Raw("SELECT COALESCE(MAX(sql), '') FROM sqlite_master WHERE type = 'trigger' AND name = 'expense_search_update'").
		Scan(&updateTrigger).Error; err != nil {
		return fmt.Errorf("read text search trigger: %w", err)
	}
	if updateTrigger != "" && !strings.Contains(updateTrigger, " WHEN ") {
		if err := db.Exec("DROP TRIGGER expense_search_update").Error; err != nil {
			return fmt.Errorf("replace text search trigger: %w", err)
		}
	}
	for _, stmt := range []string{
		"CREATE VIRTUAL TABLE IF NOT EXISTS expense_search USING fts4(grams)",
		"CREATE TRIGGER IF NOT EXISTS expense_search_insert AFTER INSERT ON expenses BEGIN " +
			"INSERT INTO expense_search (docid, grams) VALUES (new.id, " + fmt.Sprintf(text, "new") + "); END",
		// Only when the text changed: an UPDATE naming merchant or
		// description without changing them (gorm's Save writes every
		// column) would otherwise rewrite the expense's index entry, which
		// costs a delete and an insert in the FTS table and a new index
		// segment, inside the write transaction.
		"CREATE TRIGGER IF NOT EXISTS expense_search_update AFTER UPDATE OF id, merchant, description ON expenses " +
			"WHEN old.id IS NOT new.id OR old.merchant IS NOT new.merchant OR old.description IS NOT new.description BEGIN " +
			"DELETE FROM expense_search WHERE docid = old.id; " +
			"INSERT INTO expense_search (docid, grams) VALUES (new.id, " + fmt.Sprintf(text, "new") + "); END",
		"CREATE TRIGGER IF NOT EXISTS expense_search_delete AFTER DELETE ON expenses BEGIN " +
			"DELETE FROM expense_search WHERE docid = old.id; END",
		// Expenses written before the index (or while the triggers were
		// gone: SQLite drops them with the table when a migration
		// rebuilds it).
		"INSERT INTO expense_search (docid, grams) SELECT expenses.id, " + fmt.Sprintf(text, "expenses") +
			" FROM expenses WHERE expenses.id NOT IN (SELECT docid FROM expense_search)",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("set up text search index: %w", err)
		}
	}
	return nil
}

// SearchCountLimit is how many matches a text search counts at most; beyond
// it the total is a lower bound ("1,000+ expenses"), as CountLimit is for
// other lists. A count must confirm every match it counts with the LIKE, so
// it costs in proportion to the matches, and a search matching thousands of
// expenses would spend most of its time counting rows nobody pages through.
const SearchCountLimit = 1_000

// searchText narrows q to the expenses whose merchant or description may
// contain text, using the trigram index, before the LIKE decides (see
// above). On PostgreSQL the planner picks the index for the LIKE itself.
//
// On SQLite it is told how. With few matches (manyMatches false: the count
// found fewer than SearchCountLimit), the index's candidates are looked up
// by id, tested with the LIKE and sorted, which costs in proportion to the
// candidates. With many, that would fetch and sort thousands of rows for a
// page of 25, and even building the set of candidates costs more than the
// page (a common trigram such as "the" has 40,000 expenses at 100,000);
// instead the list is read in its own order, as without a search, and the
// LIKE tests the rows as they come until the page is full. At 100,000
// expenses "many" means one row in a hundred or more, so the first page
// tests a few thousand rows at most (more when the matches bunch at the far
// end of the sort order).
func searchText(db, q *gorm.DB, text string, manyMatches bool) *gorm.DB {
	if db.Dialector.Name() != "sqlite" || manyMatches {
		return q
	}
	tokens := database.TrigramTokens(text)
	if tokens == "" {
		return q
	}
	return q.Where("expenses.id IN (SELECT docid FROM expense_search WHERE expense_search MATCH ?)", tokens)
}
