package expenses

import (
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
//
// The index, its triggers and the pg_trgm indexes are created by the
// domain's migrations (migrations/*/00001_baseline.sql). A SQLite migration
// that rebuilds the expenses table (SQLite's way of changing a column) drops
// its triggers with it, and must create them again and refill the index.

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
