package database

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

func openGated(t *testing.T) (*gorm.DB, *writeGate) {
	t.Helper()
	db, err := Open("", filepath.Join(t.TempDir(), "gate.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	g, ok := db.ConnPool.(*writeGate)
	if !ok {
		t.Fatalf("the SQLite pool is a %T, not the write gate", db.ConnPool)
	}
	if err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	return db, g
}

// waitForQueue waits until n writers wait at the gate.
func waitForQueue(t *testing.T, g *writeGate, n int32) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); g.waiting.Load() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d writers at the gate, want %d", g.waiting.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSQLiteWritersTakeTheirTurnInArrivalOrder: the gate serves writers
// first come, first served, so none waits behind later arrivals.
func TestSQLiteWritersTakeTheirTurnInArrivalOrder(t *testing.T) {
	t.Parallel()
	db, g := openGated(t)
	tx := db.Begin()
	const writers = 5
	done := make(chan error, writers)
	for i := range writers {
		go func() { done <- db.Exec("INSERT INTO t (who) VALUES (?)", i).Error }()
		waitForQueue(t, g, int32(i+1))
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	var order []int
	db.Raw("SELECT who FROM t ORDER BY id").Scan(&order)
	for i, who := range order {
		if who != i {
			t.Fatalf("writers wrote in the order %v, want 0…%d", order, writers-1)
		}
	}
}

// TestSQLiteWriterStopsWaitingWhenItsRequestEnds: a writer queued at the
// gate gives up when its context ends, and a transaction whose context
// ends without commit or rollback does not keep the gate shut.
func TestSQLiteWriterStopsWaitingWhenItsRequestEnds(t *testing.T) {
	t.Parallel()
	db, g := openGated(t)
	txCtx, endTx := context.WithCancel(context.Background())
	tx := db.WithContext(txCtx).Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.WithContext(ctx).Exec("INSERT INTO t (who) VALUES (1)").Error }()
	waitForQueue(t, g, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued writer whose context ended: err = %v, want context.Canceled", err)
	}

	endTx() // database/sql rolls the transaction back; the gate must open
	if err := db.Exec("INSERT INTO t (who) VALUES (2)").Error; err != nil {
		t.Fatalf("write after an abandoned transaction: %v", err)
	}
}
