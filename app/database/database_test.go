package database_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// openSQLite opens (without migrating) a database on its own SQLite file.
func openSQLite(t *testing.T, path string) *gorm.DB {
	t.Helper()
	db, err := database.Open("", path, discard())
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

func TestSQLiteDSNAsksForWALBusyTimeoutForeignKeysAndImmediateTransactions(t *testing.T) {
	t.Parallel()
	dsn := database.SQLiteDSN("data/expenses.db")
	file, query, ok := strings.Cut(dsn, "?")
	if !ok || file != "file:data/expenses.db" {
		t.Fatalf("SQLiteDSN = %q, want file:data/expenses.db?...", dsn)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("SQLiteDSN query %q: %v", query, err)
	}
	for key, want := range map[string]string{
		"_journal_mode": "WAL",
		"_foreign_keys": "on",
		"_txlock":       "immediate",
		// Statements prepared once per connection, not once per request.
		"_stmt_cache_size": "128",
		// No per-connection mutex: database/sql already serialises a
		// connection's use.
		"_mutex": "no",
	} {
		if got := q.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if q.Get("_busy_timeout") == "" || q.Get("_busy_timeout") == "0" {
		t.Errorf("_busy_timeout = %q, want a wait in milliseconds", q.Get("_busy_timeout"))
	}
}

// The DSN is only worth something if SQLite applies it to every connection.
func TestOpenSQLiteConnectionsUseWALForeignKeysAndABusyTimeout(t *testing.T) {
	t.Parallel()
	db := openSQLite(t, filepath.Join(t.TempDir(), "test.db"))
	var mode string
	var fk, busy int
	if err := db.Raw("PRAGMA journal_mode").Row().Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("PRAGMA foreign_keys").Row().Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("PRAGMA busy_timeout").Row().Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 || busy < 1000 {
		t.Errorf("journal_mode=%s foreign_keys=%d busy_timeout=%d; want wal, 1, at least 1000", mode, fk, busy)
	}
}

func TestOpenCreatesTheDatabaseFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	path := filepath.Join(dir, "expenses.db")
	db := openSQLite(t, path)
	if err := database.Migrate(context.Background(), db, database.Migrations{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("folder %s was not created: %v", dir, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file %s was not created: %v", path, err)
	}
}

func TestOpenRefusesANonPostgresDatabaseURLWithoutShowingThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"mysql://admin:hunter2@db.example.com/expenses",
		"sqlite://admin:hunter2@localhost/data/expenses.db",
		"pgsql://admin:hunter2@db.example.com/expenses",
	} {
		db, err := database.Open(u, filepath.Join(t.TempDir(), "unused.db"), discard())
		if err == nil {
			t.Errorf("Open(%q) succeeded with %v", u, db.Dialector.Name())
			continue
		}
		if !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("Open(%q) error %q does not name DATABASE_URL", u, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error %q shows the password", u, err)
		}
	}
}

// A DATABASE_URL with a typo in "://" has no user-info part for
// url.URL.Redacted to hide, so the password must not be shown either.
func TestOpenRefusesAMistypedPostgresURLWithoutShowingThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"postgres:/admin:hunter2@db.example.com/expenses",
		"postgres:admin:hunter2@db.example.com/expenses",
	} {
		_, err := database.Open(u, filepath.Join(t.TempDir(), "unused.db"), discard())
		if err == nil {
			t.Errorf("Open(%q) succeeded", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error %q shows the password", u, err)
		}
	}
}

func TestIsPostgresRecognisesBothURLSchemes(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"postgres://u@h/db":   true,
		"postgresql://u@h/db": true,
		"":                    false,
		"data/expenses.db":    false,
		"mysql://u@h/db":      false,
		"Postgres://u@h/db":   false,
	} {
		if got := database.IsPostgres(u); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestMigrateTwiceKeepsSchemaAndData(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	ctx := context.Background()
	e := models.NewLocalEmployee("keep@example.com", "Kept Person")
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	if err := database.Migrate(ctx, db, database.Migrations{}); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	var got models.Employee
	if err := db.Preload("User").Where("user_id = ?", e.UserID).Take(&got).Error; err != nil {
		t.Fatalf("employee after second Migrate: %v", err)
	}
	if got.User.Email != "keep@example.com" {
		t.Errorf("e-mail after second Migrate = %q", got.User.Email)
	}
}

func TestIsEmptyIsTrueUntilTheFirstUser(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	ctx := context.Background()
	if empty, err := database.IsEmpty(ctx, db); err != nil || !empty {
		t.Fatalf("IsEmpty on a fresh database = %v, %v; want true", empty, err)
	}
	if err := db.Create(&models.User{Email: "first@example.com", Active: true}).Error; err != nil {
		t.Fatal(err)
	}
	if empty, err := database.IsEmpty(ctx, db); err != nil || empty {
		t.Errorf("IsEmpty with one user = %v, %v; want false", empty, err)
	}
}

func TestIsUniqueViolationRecognisesADuplicateEmailOnly(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	if err := db.Create(&models.User{Email: "dup@example.com"}).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Create(&models.User{Email: "dup@example.com"}).Error
	if !database.IsUniqueViolation(err) {
		t.Errorf("IsUniqueViolation(%v) = false for a duplicate e-mail", err)
	}
	// A foreign key violation is a constraint error, but not this one.
	fkErr := db.Create(&models.Session{TokenHash: "x", UserID: 4242, ExpiresAt: time.Now(), LastSeenAt: time.Now(), CreatedAt: time.Now()}).Error
	if fkErr == nil {
		t.Fatal("a session for a user that does not exist was stored")
	}
	if database.IsUniqueViolation(fkErr) {
		t.Errorf("IsUniqueViolation(%v) = true for a foreign key violation", fkErr)
	}
	if database.IsUniqueViolation(nil) || database.IsUniqueViolation(errors.New("other")) {
		t.Error("IsUniqueViolation is true for nil or an unrelated error")
	}
}

// Eight writers each read, then write, in one transaction. Without
// _txlock=immediate SQLite starts such a transaction as a reader and fails
// with "database is locked" when it upgrades while another writer holds the
// lock, busy timeout or not. With it, the transactions run one at a time: every
// one of them succeeds and each sees a different count.
func TestConcurrentReadThenWriteTransactionsDoNotFailWithDatabaseLocked(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t)
	ctx := context.Background()
	const writers, rounds = 8, 5

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int64]int{}
		errs []error
	)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var n int64
					if err := tx.Model(&models.LoginAttempt{}).Count(&n).Error; err != nil {
						return fmt.Errorf("count: %w", err)
					}
					// Hold the transaction open so the writers overlap.
					time.Sleep(2 * time.Millisecond)
					mu.Lock()
					seen[n]++
					mu.Unlock()
					return tx.Create(&models.LoginAttempt{
						Email: fmt.Sprintf("w%d-r%d@example.com", w, r), IP: "203.0.113.1", At: time.Now().UTC(),
					}).Error
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("writer %d round %d: %w", w, r, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	for _, err := range errs {
		t.Error(err)
	}
	var total int64
	if err := db.Model(&models.LoginAttempt{}).Count(&total).Error; err != nil {
		t.Fatal(err)
	}
	if total != writers*rounds {
		t.Errorf("%d rows written, want %d", total, writers*rounds)
	}
	for n, times := range seen {
		if times != 1 {
			t.Errorf("%d transactions read count %d: they were not serialised", times, n)
		}
	}
}
