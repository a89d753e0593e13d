package database_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
)

// DB_STATEMENT_TIMEOUT: PostgreSQL itself cancels a statement that runs
// longer, and the migration, which may legitimately wait or run longer,
// is exempt.
func TestPostgresCancelsAStatementRunningLongerThanTheStatementTimeout(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	db, err := database.OpenPool(context.Background(), url, "", database.Pool{StatementTimeout: 200 * time.Millisecond}, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	start := time.Now()
	err = db.Exec("SELECT pg_sleep(5)").Error
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("pg_sleep(5) with a 200 ms statement timeout: err %v after %s, want a cancellation within a second", err, time.Since(start))
	}
	if err := db.Exec("SELECT pg_sleep(0.05)").Error; err != nil {
		t.Errorf("a statement within the timeout failed: %v", err)
	}
	// Another instance migrating holds the migration lock (database.go's
	// migrationLockID) for longer than the timeout; this one waits for it.
	other := openPostgres(t, url)
	if err := other.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(7202611270)").Error; err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() { done <- database.Migrate(context.Background(), db, database.Migrations{}) }()
		time.Sleep(600 * time.Millisecond)
		conn.Exec("SELECT pg_advisory_unlock(7202611270)")
		return <-done
	}); err != nil {
		t.Fatalf("migrate while another instance held the lock for 600 ms: %v", err)
	}
	var setting string
	db.Raw("SHOW statement_timeout").Scan(&setting)
	if setting != "200ms" {
		t.Errorf("statement_timeout after migrating = %q, want 200ms again", setting)
	}
}

// A PostgreSQL restart (or failover) ends every connection the app holds.
// The app must go on without being restarted itself: the pool replaces
// the dead connections, at the cost of at most the statements that were
// under way. Ending the test database's backends with pg_terminate_backend
// is what a restart does to them, without disturbing anyone else's
// databases on the server.
func TestPostgresConnectionsEndedByARestartAreReplacedWithoutRestartingTheApp(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	db := openPostgres(t, url)
	if err := database.Migrate(context.Background(), db, database.Migrations{}); err != nil {
		t.Fatal(err)
	}
	// Fill the pool with idle connections.
	for range 5 {
		if err := db.Exec("SELECT 1").Error; err != nil {
			t.Fatal(err)
		}
	}
	var name string
	db.Raw("SELECT current_database()").Scan(&name)
	admin := openPostgres(t, dbtest.PostgresBaseURL(t))
	var ended int
	if err := admin.Raw("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", name).Scan(&ended).Error; err != nil || ended == 0 {
		t.Fatalf("ended %d backends, err %v", ended, err)
	}
	ok := 0
	for range 5 {
		if database.Ready(context.Background(), db) == nil {
			ok++
		}
	}
	if ok < 4 {
		t.Errorf("after the restart %d of 5 readiness checks passed, want at least 4 (only a statement under way may fail)", ok)
	}
}
