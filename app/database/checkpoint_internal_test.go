package database

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestSQLiteCommitsLeaveTheCheckpointToABackgroundOne: the app's
// connections do not checkpoint at commit (where the committing writer paid
// for it with every other writer queued behind it at the gate); the gate
// starts a checkpoint beside the writers once CheckpointEvery writes have
// gathered.
func TestSQLiteCommitsLeaveTheCheckpointToABackgroundOne(t *testing.T) {
	t.Parallel()
	db, g := openGated(t)
	var pages int
	if err := db.Raw("PRAGMA wal_autocheckpoint").Scan(&pages).Error; err != nil {
		t.Fatal(err)
	}
	if pages != SafetyCheckpointPages {
		t.Errorf("wal_autocheckpoint = %d pages, want %d (commits leave checkpoints to the gate)", pages, SafetyCheckpointPages)
	}
	before := g.ckpt.done.Load()
	for i := range CheckpointEvery {
		if err := db.Exec("INSERT INTO t (who) VALUES (?)", i).Error; err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); g.ckpt.done.Load() == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no background checkpoint after %d writes", CheckpointEvery)
		}
	}
}

// TestSQLiteBackgroundCheckpointsLoseNoWrites: checkpoints running beside
// writers copy the log into the database without losing a commit: after
// writers and checkpoints overlapped, a new connection to the reopened file
// reads every row, and the file is intact.
func TestSQLiteBackgroundCheckpointsLoseNoWrites(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db, err := Open("", path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	g := db.ConnPool.(*writeGate)
	if err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER, pad BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for range each {
				// Transactions of several pages, so the log grows fast.
				err := db.Transaction(func(tx *gorm.DB) error {
					return tx.Exec("INSERT INTO t (who, pad) VALUES (?, randomblob(6000))", w).Error
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := g.ckpt.done.Load(); n == 0 {
		t.Fatalf("no background checkpoint ran during %d writes", writers*each)
	}
	for g.ckpt.running.Load() {
		time.Sleep(time.Millisecond)
	}
	sqlDB, _ := db.DB()
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := Open("", path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := again.DB(); err == nil {
			sqlDB.Close()
		}
	})
	var rows int64
	var check string
	if err := again.Raw("SELECT COUNT(*) FROM t").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if err := again.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil {
		t.Fatal(err)
	}
	if rows != writers*each || check != "ok" {
		t.Errorf("after the reopen: %d rows (want %d), integrity check %q", rows, writers*each, check)
	}
}

// TestSQLiteBackgroundCheckpointFinishesInsideTheGateWhenTheLogIsLarge:
// when writers appended to a large log while the background checkpoint
// copied it, the checkpoint takes the gate to copy the rest, so that the
// log can start over; a small log is left for the next checkpoint.
func TestSQLiteBackgroundCheckpointFinishesInsideTheGateWhenTheLogIsLarge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		finish    int64
		wantEnter bool
	}{{finish: 1, wantEnter: true}, {finish: 1 << 40, wantEnter: false}} {
		t.Run(fmt.Sprintf("finish=%d", tc.finish), func(t *testing.T) {
			t.Parallel()
			db, g := openGated(t)
			sqlDB, _ := db.DB()
			// A reader's snapshot keeps the first pass from copying the
			// frames written after it began, as a writer's frames arriving
			// during the pass would.
			ctx := context.Background()
			reader, err := sqlDB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer reader.Close()
			if _, err := reader.ExecContext(ctx, "BEGIN DEFERRED; SELECT COUNT(*) FROM t"); err != nil {
				t.Fatal(err)
			}
			defer reader.ExecContext(ctx, "ROLLBACK")
			var n int
			if err := reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("INSERT INTO t (who) VALUES (1)").Error; err != nil {
				t.Fatal(err)
			}
			entered := false
			c := &checkpointer{db: sqlDB, log: slog.New(slog.DiscardHandler), every: 1 << 30, finish: tc.finish,
				enter: func(ctx context.Context) (func(), error) {
					entered = true
					return g.enter(ctx)
				}}
			c.running.Store(true)
			c.run()
			if entered != tc.wantEnter {
				t.Errorf("log of at least %d pages not all copied: took the gate = %v, want %v", tc.finish, entered, tc.wantEnter)
			}
		})
	}
}
