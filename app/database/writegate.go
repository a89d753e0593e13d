package database

import (
	"context"
	"database/sql"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// SQLite lets one writer at a time hold its write lock. Every other writer
// used to wait inside SQLite's busy handler, which sleeps in growing steps
// (1, 2, 5, 10 … up to 100 ms) and retries: a writer that arrives while the
// lock is free takes it ahead of those asleep, so under a burst of writes
// some waited seconds (p99 1.4–1.6 s with 50 clients) while the lock was
// often idle between sleeps.
//
// writeGate queues the writers in Go instead, in front of the connection
// pool: a write statement or transaction first takes the gate (a channel of
// one slot, so waiters are served in arrival order and woken the moment
// the previous writer is done, and a cancelled request stops waiting),
// then runs as before. Reads never touch the gate and keep the whole pool,
// which WAL lets them use while a write is under way.
//
// Why a gate rather than a second pool with a single connection for
// writes: gorm sends a statement to whatever pool the *gorm.DB holds, so a
// writer pool would need every write in the code base (and in a fork's
// code) to remember to use it, and a forgotten one would be back in the
// busy handler. The gate sits below gorm and sees every statement: all
// transactions write (the DSN begins them IMMEDIATE, taking the write lock
// at BEGIN, so they are writes in SQLite's eyes too), and outside a
// transaction a statement is a write unless it is a SELECT. The busy
// timeout stays, for the other processes (the sqlite3 shell, a backup)
// SQLite may share the file with.
//
// Every write that leaves the gate is counted towards the next background
// checkpoint (checkpoint.go), which SQLite would otherwise run inside a
// commit, with the gate shut.
type writeGate struct {
	db      *sql.DB
	slot    chan struct{}
	waiting atomic.Int32 // writers queued at the gate, for tests
	ckpt    *checkpointer
}

// newWriteGate returns the gate in front of db, starting a background
// checkpoint every checkpointEvery writes (0: never, for tests).
func newWriteGate(db *sql.DB, log *slog.Logger, checkpointEvery int) *writeGate {
	g := &writeGate{db: db, slot: make(chan struct{}, 1)}
	if checkpointEvery > 0 {
		g.ckpt = &checkpointer{db: db, log: log, every: int64(checkpointEvery), finish: FinishCheckpointPages, enter: g.enter}
	}
	return g
}

// enter waits for the gate and returns the function that leaves it, or
// ctx's error when ctx ends first.
func (g *writeGate) enter(ctx context.Context) (leave func(), err error) {
	select {
	case g.slot <- struct{}{}:
	default:
		g.waiting.Add(1)
		select {
		case g.slot <- struct{}{}:
			g.waiting.Add(-1)
		case <-ctx.Done():
			g.waiting.Add(-1)
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-g.slot
			// The receive hands the slot to the first waiter and makes it
			// runnable on this P, but it runs only once this goroutine
			// blocks or is preempted: after its next statement, which can
			// take milliseconds when it is a cgo call into SQLite. Yield,
			// so that the next writer starts now, while this one finishes
			// its request.
			if g.waiting.Load() > 0 {
				runtime.Gosched()
			}
		})
	}, nil
}

// isRead reports whether a statement outside a transaction only reads:
// it is a SELECT. Anything else (INSERT … RETURNING, UPDATE, DELETE, DDL,
// PRAGMA, WITH …) goes through the gate: wrongly queueing a read costs a
// little, wrongly not queueing a write only brings back the busy handler.
func isRead(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// The gate is gorm's connection pool (gorm.ConnPool and the interfaces gorm
// looks for to begin transactions and to return the *sql.DB).

func (g *writeGate) GetDBConn() (*sql.DB, error) { return g.db, nil }

func (g *writeGate) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return g.db.PrepareContext(ctx, query)
}

func (g *writeGate) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if isRead(query) {
		return g.db.ExecContext(ctx, query, args...)
	}
	leave, err := g.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { g.left(leave, err) }()
	return g.db.ExecContext(ctx, query, args...)
}

// left leaves the gate after a write and counts it towards the next
// checkpoint when it succeeded.
func (g *writeGate) left(leave func(), err error) {
	leave()
	if err == nil {
		g.ckpt.wrote()
	}
}

// QueryContext queues writes that return rows (gorm's INSERT … RETURNING).
// SQLite makes all of such a statement's changes in its first step, which
// the driver takes before QueryContext returns, so the gate is left then.
func (g *writeGate) QueryContext(ctx context.Context, query string, args ...any) (rows *sql.Rows, err error) {
	if isRead(query) {
		return g.db.QueryContext(ctx, query, args...)
	}
	leave, err := g.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { g.left(leave, err) }()
	return g.db.QueryContext(ctx, query, args...)
}

func (g *writeGate) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if isRead(query) {
		return g.db.QueryRowContext(ctx, query, args...)
	}
	leave, err := g.enter(ctx)
	if err != nil {
		// A *sql.Row cannot be built with an error; a cancelled context
		// gives the same error from the pool.
		return g.db.QueryRowContext(ctx, query, args...)
	}
	// Whether it wrote shows only when the row is scanned: count it.
	defer g.left(leave, nil)
	return g.db.QueryRowContext(ctx, query, args...)
}

// BeginTx starts a transaction once the gate lets it in; the transaction
// leaves the gate when it commits or rolls back, or when its context ends
// (database/sql rolls it back then).
func (g *writeGate) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	leave, err := g.enter(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := g.db.BeginTx(ctx, opts)
	if err != nil {
		leave()
		return nil, err
	}
	stop := context.AfterFunc(ctx, leave)
	return &gatedTx{Tx: tx, leave: func() { stop(); leave() }, gate: g}, nil
}

// gatedTx is a transaction that holds the gate until it ends.
type gatedTx struct {
	*sql.Tx
	leave func()
	gate  *writeGate
}

func (t *gatedTx) Commit() (err error) {
	defer func() { t.gate.left(t.leave, err) }()
	return t.Tx.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.leave()
	return t.Tx.Rollback()
}
