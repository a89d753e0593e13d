package database_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
)

// A HotQuery binds its ? placeholders on both databases (PostgreSQL
// numbers them), leaves a ? inside quotes alone, and runs inside the
// transaction it is given.
func TestHotQueryBindsItsPlaceholdersOnBothDatabasesAndRunsInTheTransactionGiven(t *testing.T) {
	t.Parallel()
	dbtest.EachEmptyDB(t, func(t *testing.T, db *gorm.DB) {
		q := database.NewHotQuery("SELECT CAST(? AS TEXT) || '?' || CAST(? AS TEXT)")
		var got string
		if err := q.Scan(db.WithContext(context.Background()), []any{"a", "b"}, &got); err != nil {
			t.Fatal(err)
		}
		if got != "a?b" {
			t.Errorf("got %q, want a?b", got)
		}
		if err := db.Exec("CREATE TABLE hot_rows (n integer)").Error; err != nil {
			t.Fatal(err)
		}
		count := database.NewHotQuery("SELECT COUNT(*) FROM hot_rows WHERE n >= ?")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO hot_rows (n) VALUES (1), (2), (3)").Error; err != nil {
				return err
			}
			var n int64
			if err := count.Scan(tx, []any{2}, &n); err != nil {
				return err
			}
			if n != 2 {
				t.Errorf("inside the transaction: %d rows, want its own 2", n)
			}
			rows, err := count.Query(tx, 1)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					return err
				}
			}
			if n != 3 {
				t.Errorf("Query inside the transaction: %d rows, want 3", n)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Skipping gorm's callbacks must not hide a failing statement from the log.
func TestHotQueryFailuresAreLoggedLikeGormsStatements(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	db := dbtest.EmptySQLite(t)
	db = db.Session(&gorm.Session{Logger: logger.NewSlogLogger(slog.New(slog.NewTextHandler(&buf, nil)),
		logger.Config{LogLevel: logger.Warn})})
	var n int64
	err := database.NewHotQuery("SELECT COUNT(*) FROM no_such_table WHERE n = ?").Scan(db, []any{1}, &n)
	if err == nil {
		t.Fatal("no error from a missing table")
	}
	if !strings.Contains(buf.String(), "no_such_table") {
		t.Errorf("log %q, want the failed statement", buf.String())
	}
}
