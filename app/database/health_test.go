package database_test

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
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

// silentServer accepts TCP connections and never answers, like a database
// host behind a black-holing firewall or a hung server. onAccept runs for
// each connection.
func silentServer(t *testing.T, onAccept func()) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			if onAccept != nil {
				onAccept()
			}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestOpenGivesUpWithAClearErrorWhenThePostgresServerNeverAnswers(t *testing.T) {
	t.Parallel()
	addr := silentServer(t, nil)
	_, err := database.Open("postgres://app:hunter2@"+addr+"/expenses?sslmode=disable&connect_timeout=1", "", discard())
	if err == nil {
		t.Fatal("Open succeeded against a server that never answers")
	}
	for _, want := range []string{addr, "did not answer within 1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q shows the password", err)
	}
}

// main cancels the context on SIGTERM: a start-up stuck connecting must stop.
func TestOpenStopsConnectingWhenTheContextIsCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The default connect timeout (10 s) is in force; cancelling must not
	// wait for it.
	addr := silentServer(t, cancel)
	_, err := database.OpenContext(ctx, "postgres://app@"+addr+"/expenses?sslmode=disable", "", discard())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Open after cancel = %v, want an error wrapping context.Canceled", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not name the server", err)
	}
}

// gorm logged a failed start-up itself, with a literal %v, before returning
// the error the caller logs again.
func TestOpenLeavesAFailedConnectionToTheCallerWithoutLoggingItTwice(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: connection refused
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if _, err := database.Open("postgres://app@"+addr+"/expenses?sslmode=disable", "", log); err == nil {
		t.Fatal("Open succeeded with nothing listening")
	}
	logs := buf.String()
	if strings.Contains(logs, "%v") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("Open logged the failure itself (the caller logs the returned error):\n%s", logs)
	}
	if !strings.Contains(logs, "connecting to the database at "+addr+" (timeout 10s)") {
		t.Errorf("no log line says where it connects, and for how long:\n%s", logs)
	}
}

func TestGormMessagesAreFormattedNotPrintedWithTheirVerbs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	db, err := database.Open("", filepath.Join(t.TempDir(), "test.db"), slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(db)
	db.Logger.Warn(context.Background(), "slow thing %s took %d ms", "migration", 250)
	if !strings.Contains(buf.String(), "slow thing migration took 250 ms") {
		t.Errorf("gorm warning not formatted:\n%s", buf.String())
	}
}

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// burst writes about 12 MB in one transaction: all of it must go through
// the write-ahead log, which grows past WALSizeLimit.
func burst(t *testing.T, db *gorm.DB, path string) {
	t.Helper()
	if err := db.Exec("CREATE TABLE IF NOT EXISTS burst (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		for range 200 {
			if err := tx.Exec("INSERT INTO burst (b) VALUES (randomblob(65536))").Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := walSize(t, path)
	if n <= database.WALSizeLimit {
		t.Fatalf("the burst left a %d-byte WAL, want more than %d for the test to mean anything", n, database.WALSizeLimit)
	}
	t.Logf("WAL after the burst: %d bytes", n)
}

func TestSQLiteWriteAheadLogShrinksBelowTheLimitAfterABurstOfWrites(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "test.db")
	db := openSQLite(t, path)
	burst(t, db, path)
	// What SQLite's automatic checkpoint does after a commit, then the next
	// write, which starts the log over and truncates it.
	if err := db.Exec("PRAGMA wal_checkpoint(PASSIVE)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM burst WHERE rowid = 1").Error; err != nil {
		t.Fatal(err)
	}
	n := walSize(t, path)
	if n > database.WALSizeLimit {
		t.Errorf("WAL is %d bytes after the burst and a checkpoint, want at most %d", n, database.WALSizeLimit)
	}
	t.Logf("WAL after the burst and a checkpoint: %d bytes", n)
}

func TestCheckpointEmptiesTheSQLiteWriteAheadLog(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "test.db")
	db := openSQLite(t, path)
	burst(t, db, path)
	if err := database.Checkpoint(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if n := walSize(t, path); n != 0 {
		t.Errorf("WAL is %d bytes after Checkpoint, want 0", n)
	}
	var rows int64
	if err := db.Raw("SELECT count(*) FROM burst").Scan(&rows).Error; err != nil || rows != 200 {
		t.Errorf("rows after Checkpoint = %d, %v; want all 200", rows, err)
	}
}

func TestReadyCommitsAHeartbeatOnEveryDatabase(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for range 2 { // the second check updates the same row
			if err := database.Ready(context.Background(), db); err != nil {
				t.Fatalf("Ready on a healthy database: %v", err)
			}
		}
		var n int64
		if err := db.Table("readiness_heartbeats").Count(&n).Error; err != nil || n != 1 {
			t.Errorf("heartbeat rows = %d, %v; want 1", n, err)
		}
	})
}

// A ping alone passes while every write fails (a full disk, a read-only
// file system): readiness must try a write.
func TestReadyFailsWhenTheDatabaseAnswersButCannotWrite(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	// One connection, made read-only: pings pass, writes fail.
	oneConnection(t, sqlDB)
	if err := db.Exec("PRAGMA query_only = ON").Error; err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.Ping(); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := database.Ready(context.Background(), db); err == nil {
		t.Fatal("Ready passed on a database that cannot write")
	}
}

func TestIsUnavailableTellsOutagesFromMistakes(t *testing.T) {
	t.Parallel()
	db := dbtest.OnlySQLite(t)
	full := diskFullError(t)
	dup := db.Create(&models.User{Email: "dup@example.com"}).Error
	if dup == nil {
		dup = db.Create(&models.User{Email: "dup@example.com"}).Error
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := database.Open("postgres://app@"+addr+"/expenses?sslmode=disable", "", discard())

	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLite database or disk is full", fmt.Errorf("save expense: %w", full), true},
		{"PostgreSQL connection refused", refused, true},
		{"a dropped connection", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"a read-only database", readOnlyError(t), true},
		{"a message that lost its type", errors.New("load viewer: dial tcp 10.0.0.1:5432: connect: connection refused"), true},
		{"a duplicate e-mail", dup, false},
		{"a syntax error", db.Exec("SELEC 1").Error, false},
		{"a record not found", gorm.ErrRecordNotFound, false},
		{"nil", nil, false},
	} {
		if got := database.IsUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// diskFullError is the error SQLite gives when the disk is full, made real
// by capping the database's size on a connection of its own.
func diskFullError(t *testing.T) error {
	t.Helper()
	db := dbtest.OnlySQLite(t) // a full SQLite file is the outage at hand
	sqlDB, _ := db.DB()
	oneConnection(t, sqlDB)
	if err := db.Exec("CREATE TABLE filler (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.Raw("PRAGMA page_count").Scan(&pages).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+1)).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Exec("INSERT INTO filler (b) VALUES (randomblob(1000000))").Error
	if err == nil {
		t.Fatal("a 1 MB insert fitted into one page")
	}
	return err
}

// readOnlyError is the error SQLite gives for a write to a database it can
// only read.
func readOnlyError(t *testing.T) error {
	t.Helper()
	db := dbtest.OnlySQLite(t) // SQLite's read-only error
	sqlDB, _ := db.DB()
	oneConnection(t, sqlDB)
	if err := db.Exec("PRAGMA query_only = ON").Error; err != nil {
		t.Fatal(err)
	}
	err := db.Create(&models.User{Email: "ro@example.com"}).Error
	if err == nil {
		t.Fatal("a read-only database took a write")
	}
	return err
}

// oneConnection limits the pool to one connection, so that a setting made
// on it holds for every later statement. A background checkpoint
// (checkpoint.go) may still hold a second connection; the pool closes it
// when it comes back.
func oneConnection(t *testing.T, sqlDB *sql.DB) {
	t.Helper()
	sqlDB.SetMaxOpenConns(1)
	for deadline := time.Now().Add(10 * time.Second); sqlDB.Stats().OpenConnections > 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want 1", sqlDB.Stats().OpenConnections)
		}
	}
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}
