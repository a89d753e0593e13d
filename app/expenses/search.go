package expenses

import (
	"strings"
	"unicode"

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
// and being short they usually match early. On PostgreSQL they must be kept
// away from the trigram indexes, or pg_trgm reads every entry of both
// (textCondition).
//
// What PostgreSQL spends, and what was tried (100,000 expenses, PostgreSQL
// 15, EXPLAIN ANALYZE of the statements List runs, warm buffers; medians of
// 7–11 runs on the shared 2-core machine at load 1.6–2.4): a search is its
// count and its page. The count of a broad search confirms 1,001 matches
// with the LIKE, row by row: "hotel" 1.8–2.1 ms (a bitmap over the two
// indexes, 0.7 ms, then 536 heap pages), "the" 1.7 ms as a sequential scan
// that stops at the limit. Its page is read in date order down
// idx_expenses_spent_id, testing rows until 25 match (0.5–1.0 ms, 0.13 ms).
// Alternatives, each measured against that and not taken:
//
//   - one GIN index over lower(merchant || E'\n' || description), so that one
//     index condition replaces the OR of two: "hotel" 1.83 ms, "the" 1.45 ms
//     (the index scan is cheaper, the longer text to recheck costs it back),
//     for a third index to keep current on every write;
//   - GiST trigram indexes, whose plain index scans stop at the LIMIT where a
//     GIN bitmap must be complete first: "hotel" 1.8–2.3 ms, "the" 1.4–1.7,
//     at twice the size or more (23–28 MB against 12);
//   - an index-only count: pg_trgm is lossy for LIKE (every candidate is
//     rechecked in the table) and GIN has no index-only scans, so no trigram
//     index can count alone; a B-tree covering the texts would test about
//     23,000 entries to find 1,001 "hotel"s, and refuses to store a row
//     whose texts pass 2.7 kB (a 2,000-character description in Greek does);
//   - custom plans for every search (pgx's default_query_exec_mode=exec):
//     pgx prepares each statement, and after five runs PostgreSQL keeps a
//     generic plan for it that cannot see the search string, so "the" is
//     counted through the indexes' bitmap (2.9 ms) rather than by the
//     sequential scan (1.7 ms). Benchmark: "the" 3.9 → 2.8 ms, but the other
//     searches 0.1–0.3 ms slower for planning each time, and the switch is
//     the whole app's.
//
// So about 2 ms of PostgreSQL's time per broad search is the floor while a
// count confirms SearchCountLimit matches; a lower limit would cut it in
// proportion.
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
// contain f.Text, using the trigram index, before the LIKE decides (see
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
//
// A count of a string with a single window (three characters, such as
// "the") joins the index instead, so that the index leads: FTS4 reads a
// one-word query's list of expenses as the join asks for them, and the
// count stops at its limit having read a fraction of it, where the IN list
// is built whole first (at 100,000 expenses, in the sqlite3 shell: "the"
// as finance 0.56 ms against 5.7, as an employee 1.2 against 8.7). A query
// of several windows is not read that way cheaply: the join lost where the
// count does not reach its limit ("hotel" as an employee 4.1 ms against
// 1.9, "kubecon london" 0.84 against 0.44).
func searchText(db, q *gorm.DB, f Filter) *gorm.DB {
	if db.Dialector.Name() != "sqlite" || f.manyMatches {
		return q
	}
	tokens := database.TrigramTokens(f.Text)
	if tokens == "" {
		return q
	}
	if f.counting && !strings.Contains(tokens, " ") {
		return q.Joins("JOIN expense_search ON expense_search.docid = expenses.id").Where("expense_search MATCH ?", tokens)
	}
	return q.Where("expenses.id IN (SELECT docid FROM expense_search WHERE expense_search MATCH ?)", tokens)
}

// textCondition is the condition "merchant or description contains text,
// ignoring case" and its arguments. The LIKE pattern's own % and _ are
// escaped.
//
// SQLite's LIKE already ignores the case of ASCII letters, and SQLite's
// LOWER folds nothing else (it has no Unicode tables without the ICU
// extension), so there LOWER would match the same rows and only cost time:
// a scan with it was half again as slow.
//
// PostgreSQL's LIKE is case-sensitive, hence LOWER on both sides, on the
// expressions the trigram indexes are built over. But pg_trgm takes
// trigrams from the words of a pattern (runs of letters and digits), and a
// pattern without a word of three characters gives it none, or only a
// padded one every word starting with that letter has: it then reads the
// whole index into a bitmap of nearly every expense before the LIKE looks
// at one. That is the plan PostgreSQL keeps for the statement once it is
// generic (after five runs of the prepared statement), whatever the
// string: at 100,000 expenses a count for "h" took 76 ms, "ho" 84 ms and
// "zq" (no match) 290 ms. Such strings are compared with strpos instead,
// which no index serves, so the table is read in the order the query needs
// and the LIMIT stops it early: 0.9, 4.8 and 50 ms (a string matching
// nothing must read every row). The lowered string is a sub-select, computed
// once rather than for every row as a generic plan does (69 → 50 ms for
// "zq"). strpos(a, b) > 0 is LIKE '%b%' with nothing escaped, so the rows
// found are the same.
func textCondition(dialect, text string) (string, []any) {
	pattern := "%" + escapeLike(text) + "%"
	switch {
	case dialect == "sqlite":
		return `(expenses.merchant LIKE ? ESCAPE '\' OR expenses.description LIKE ? ESCAPE '\')`, []any{pattern, pattern}
	case !hasTrigramWord(text):
		return `(strpos(LOWER(expenses.merchant), (SELECT LOWER(?))) > 0 OR strpos(LOWER(expenses.description), (SELECT LOWER(?))) > 0)`, []any{text, text}
	}
	return `(LOWER(expenses.merchant) LIKE LOWER(?) ESCAPE '\' OR LOWER(expenses.description) LIKE LOWER(?) ESCAPE '\')`, []any{pattern, pattern}
}

// hasTrigramWord reports whether text has three letters or digits in a row,
// a word pg_trgm takes a trigram of its own from (see textCondition).
func hasTrigramWord(text string) bool {
	run := 0
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			run = 0
			continue
		}
		if run++; run == 3 {
			return true
		}
	}
	return false
}
