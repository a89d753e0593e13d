package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// heartbeat is the one-row table the readiness check writes to.
type heartbeat struct {
	ID        uint      `gorm:"primaryKey;autoIncrement:false"`
	CheckedAt time.Time `gorm:"not null"`
}

func (heartbeat) TableName() string { return "readiness_heartbeats" }

// Ready reports whether the database accepts writes now: it pings it and
// commits a one-row heartbeat. A committed write, not one rolled back:
// neither SQLite nor PostgreSQL touches the disk for a write that is rolled
// back, so only a commit notices a full or failing disk. Every instance
// writes the same row, so the table never grows.
func Ready(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		return &NotReadyError{Reason: "the database does not answer", Err: err}
	}
	err = db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"checked_at"}),
	}).Create(&heartbeat{ID: 1, CheckedAt: time.Now().UTC()}).Error
	if err != nil {
		return &NotReadyError{Reason: "the database cannot write", Err: err}
	}
	return nil
}

// NotReadyError is the error of Ready: Reason is safe to show anyone (it
// names no file, host or query); Err is for the log.
type NotReadyError struct {
	Reason string
	Err    error
}

func (e *NotReadyError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *NotReadyError) Unwrap() error { return e.Err }

// Checkpoint copies SQLite's write-ahead log into the database and truncates
// it to zero bytes, so that a burst of writes does not leave a large -wal
// file behind. Housekeeping calls it now and then; it does nothing on
// PostgreSQL. When readers keep it from finishing, SQLite retries at the
// next call.
func Checkpoint(ctx context.Context, db *gorm.DB) error {
	if db.Dialector.Name() != "sqlite" {
		return nil
	}
	if err := db.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		return fmt.Errorf("checkpoint the SQLite write-ahead log: %w", err)
	}
	return nil
}

// IsUnavailable reports whether err says the database cannot be reached or
// cannot write right now (connection refused or lost, the server shutting
// down, a full, failing or read-only disk, a lock held too long, a timeout),
// as opposed to an error in the query or the data. Such a request is worth retrying later, so
// the web layer answers 503 Service Unavailable with Retry-After.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	if errors.As(err, &netErr) || errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),                                 // insufficient resources: disk full, out of memory, too many connections
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutting down, cannot connect now
			pgErr.Code == "25006": // read-only transaction: connected to a standby after a failover
			return true
		}
		return false
	}
	var sqliteErr sqlite3.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code {
		// ErrReadonly: the file system went read-only (often after disk errors).
		case sqlite3.ErrIoErr, sqlite3.ErrFull, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen, sqlite3.ErrReadonly:
			return true
		}
		return false
	}
	// Errors that lost their type on the way (formatted with %v by a
	// library) still carry the driver's words.
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection refused", "bad connection", "disk i/o error", "database or disk is full",
		"database is locked", "no space left on device", "failed to connect to"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
