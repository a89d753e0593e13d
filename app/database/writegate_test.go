package database_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSQLiteWritersWaitingForTheWriteLockHoldNoConnection: writers that
// arrive while another holds SQLite's write lock wait their turn in Go,
// without a connection, rather than each sleeping on a connection inside
// SQLite's busy handler (which let late arrivals barge in and gave the
// unlucky ones seconds-long waits under load). They all get their turn
// once the lock is free.
func TestSQLiteWritersWaitingForTheWriteLockHoldNoConnection(t *testing.T) {
	t.Parallel()
	db := openSQLite(t, filepath.Join(t.TempDir(), "gate.db"))
	if err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	tx := db.Begin()
	if err := tx.Exec("INSERT INTO t (who) VALUES ('holder')").Error; err != nil {
		t.Fatal(err)
	}
	const writers = 5
	var started, done sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			errs <- db.Exec("INSERT INTO t (who) VALUES (?)", i).Error
		}()
	}
	started.Wait()
	// Give the writers every chance to take connections; they must not.
	for range 30 {
		if n := sqlDB.Stats().InUse; n > 1 {
			tx.Rollback()
			t.Fatalf("%d connections in use while one transaction writes: waiting writers hold connections", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("queued writer: %v", err)
		}
	}
	var n int64
	db.Raw("SELECT COUNT(*) FROM t").Scan(&n)
	if n != writers+1 {
		t.Errorf("%d rows written, want %d", n, writers+1)
	}
}
