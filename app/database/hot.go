package database

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// HotQuery is a read-only statement that runs on almost every request (the
// session lookup, a list's count), written once with ? placeholders and
// run straight on the connection pool: gorm's Raw parses the SQL, builds a
// statement and runs its callbacks on every call, which cost more than
// SQLite took to run these statements (about half of the session lookup's
// CPU in the list page's profile). Slow and failed runs are still logged
// through gorm's logger, as every other statement is.
//
// Only plain values can be bound: no slices for IN (?), no named
// arguments, no gorm expressions. Everything else uses gorm.
type HotQuery struct {
	sqlite, postgres string
}

// NewHotQuery prepares query, whose placeholders are ?, for both databases.
// A ? inside a quoted string is left alone.
func NewHotQuery(query string) HotQuery {
	return HotQuery{sqlite: query, postgres: numberedPlaceholders(query)}
}

// numberedPlaceholders turns ? into $1, $2, … (PostgreSQL), skipping
// quoted strings and identifiers.
func numberedPlaceholders(query string) string {
	var b strings.Builder
	n, quote := 0, byte(0)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SQL returns the statement as db's database takes it.
func (q HotQuery) SQL(db *gorm.DB) string {
	if db.Dialector.Name() == "postgres" {
		return q.postgres
	}
	return q.sqlite
}

// Query runs the statement on db's connection pool, or on its transaction
// when db is one, with db's context.
func (q HotQuery) Query(db *gorm.DB, args ...any) (*sql.Rows, error) {
	stmt, begin := q.SQL(db), time.Now()
	rows, err := db.Statement.ConnPool.QueryContext(db.Statement.Context, stmt, args...)
	q.trace(db, stmt, begin, err)
	return rows, err
}

// Scan runs a statement that returns one row and scans it into dest.
func (q HotQuery) Scan(db *gorm.DB, args []any, dest ...any) error {
	stmt, begin := q.SQL(db), time.Now()
	err := db.Statement.ConnPool.QueryRowContext(db.Statement.Context, stmt, args...).Scan(dest...)
	q.trace(db, stmt, begin, err)
	return err
}

// trace hands the run to gorm's logger, which logs it when it failed or
// was slow (newLogger) and otherwise drops it without building the line.
func (q HotQuery) trace(db *gorm.DB, stmt string, begin time.Time, err error) {
	if db.Logger == nil {
		return
	}
	db.Logger.Trace(db.Statement.Context, begin, func() (string, int64) { return stmt, -1 }, err)
}
