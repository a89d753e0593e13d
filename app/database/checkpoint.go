package database

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// SQLite in WAL mode appends every commit to the -wal file and copies the
// pages back into the database file at a checkpoint. By default the commit
// that takes the log past 1,000 pages runs that checkpoint itself, fsyncs
// included, while it still holds the write lock: under a burst of writes one
// commit in about thirty paid 10–250 ms, and every writer queued at the gate
// (writegate.go) waited with it. That was most of the write p99.
//
// So the app's connections never checkpoint at commit (wal_autocheckpoint
// is set to SafetyCheckpointPages, far above what the gate lets the log
// reach), and the gate starts a PASSIVE checkpoint in the background every
// CheckpointEvery writes instead. A passive checkpoint takes no write lock:
// writers go on appending to the log while it copies and syncs, and it
// copies only frames no reader still needs, so it never waits for anyone.
// Once it has copied the whole log, the next writer starts the log from
// its beginning again (and truncates it to WALSizeLimit), as before.
//
// Durability is unchanged: with synchronous=NORMAL a commit was never
// synced before its checkpoint; a crash loses at most the commits since the
// last sync, whether the checkpoint runs at commit or beside it.

// CheckpointEvery is how many write transactions (or single write
// statements) the gate lets through between background checkpoints. An
// expense write adds 20–30 pages to the log, so the log stays around the
// 1,000 pages SQLite's own automatic checkpoint aims at.
const CheckpointEvery = 40

// SafetyCheckpointPages is each connection's wal_autocheckpoint: the log
// size at which a commit checkpoints by itself after all, which happens only
// when something writes past the gate (another process, such as the sqlite3
// shell) or the background checkpoints fall far behind.
const SafetyCheckpointPages = 20_000

// FinishCheckpointPages is the log size (in pages) from which a background
// checkpoint that could not copy the whole log, because writers appended to
// it meanwhile, finishes inside the gate: the log can only start over once
// a checkpoint has copied all of it, which under a steady stream of writes
// never happens beside them, and the log would grow for as long as the
// stream lasts. Inside the gate only the pages written during the first
// pass remain to copy.
const FinishCheckpointPages = 4_000

// checkpointer runs the background checkpoints of one SQLite pool.
type checkpointer struct {
	db      *sql.DB
	log     *slog.Logger
	every   int64
	finish  int64
	enter   func(context.Context) (func(), error) // the write gate's
	writes  atomic.Int64                          // since the last checkpoint started
	running atomic.Bool
	done    atomic.Int64 // checkpoints finished, for tests
}

// wrote counts one committed write and starts a checkpoint when enough have
// gathered and none is running. It never waits: the checkpoint runs on a
// goroutine of its own, after the writer has left the gate.
func (c *checkpointer) wrote() {
	if c == nil || c.writes.Add(1) < c.every || !c.running.CompareAndSwap(false, true) {
		return
	}
	c.writes.Store(0)
	go c.run()
}

func (c *checkpointer) run() {
	defer c.running.Store(false)
	defer c.done.Add(1)
	// Bounded, so that a stuck file system cannot keep a connection for
	// ever; a checkpoint of 1,000 pages takes milliseconds.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Straight to the pool, not through the gate: a checkpoint is not a
	// write that needs the write lock, and queueing it would stall writers
	// exactly as the commit-time checkpoint did.
	start := time.Now()
	pages, copied, err := c.checkpoint(ctx)
	if err == nil && copied < pages && pages >= c.finish {
		var leave func()
		if leave, err = c.enter(ctx); err == nil {
			pages, copied, err = c.checkpoint(ctx)
			leave()
		}
	}
	switch {
	case err == nil:
		c.log.Debug("SQLite background checkpoint", "pages", pages, "copied", copied, "took", time.Since(start))
	case errors.Is(err, sql.ErrConnDone) || err.Error() == "sql: database is closed":
	default:
		// The next one retries; the log only grows meanwhile.
		c.log.Warn("SQLite background checkpoint failed", "err", err)
	}
}

// checkpoint runs one passive checkpoint and returns the pages in the log
// and how many of them are now in the database file.
func (c *checkpointer) checkpoint(ctx context.Context) (pages, copied int64, err error) {
	var busy int
	err = c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &pages, &copied)
	return pages, copied, err
}
