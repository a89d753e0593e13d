// Package database opens the database named by the configuration and keeps
// its schema current.
//
// SQLite is the embedded default; a postgres:// DATABASE_URL selects
// PostgreSQL, with the same models. Code above this package does not know
// which one it talks to.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/models"
)

// Open connects to PostgreSQL when databaseURL starts with postgres:// or
// postgresql://, and otherwise opens (creating it if needed) the SQLite file
// at sqlitePath.
func Open(databaseURL, sqlitePath string, log *slog.Logger) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:  newLogger(log),
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Each statement in its own transaction is gorm's default; we wrap
		// multi-statement writes ourselves, so skip the extra round trips.
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	if IsPostgres(databaseURL) {
		db, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return db, nil
	}
	if databaseURL != "" {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// (or be unset for SQLite), not %q", redact(databaseURL))
	}
	if dir := filepath.Dir(sqlitePath); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	db, err := gorm.Open(sqlite.Open(SQLiteDSN(sqlitePath)), cfg)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", sqlitePath, err)
	}
	return db, nil
}

// SQLiteDSN returns the connection string for the SQLite file at path.
//
//   - WAL lets readers work while one writer writes.
//   - busy_timeout makes a second writer wait instead of failing at once.
//   - foreign_keys is off by default in SQLite.
//   - _txlock=immediate takes the write lock when a transaction begins.
//     Without it a read-then-write transaction starts as a reader and fails
//     with "database is locked" when it tries to upgrade while another
//     writer holds the lock, even in WAL mode and even with a busy timeout.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL"
}

// IsPostgres reports whether a DATABASE_URL names PostgreSQL.
func IsPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// migrationLockID is the PostgreSQL advisory lock that serialises schema
// migration when several instances start at once. Any constant works, as
// long as nothing else in the database uses it.
const migrationLockID = 7_202_611_270

// Migrate brings the schema up to date, then runs the data migration steps
// in order. On PostgreSQL it holds an advisory
// lock meanwhile, so that instances starting together migrate one after the
// other instead of racing to create the same tables. SQLite needs no lock: it
// serves a single instance.
func Migrate(ctx context.Context, db *gorm.DB, steps ...Step) error {
	if db.Dialector.Name() != "postgres" {
		return migrate(db.WithContext(ctx), steps)
	}
	// An advisory lock belongs to a connection, so take it, migrate and
	// release it on one connection.
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockID).Error; err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockID)
		return migrate(conn, steps)
	})
}

func migrate(db *gorm.DB, steps []Step) error {
	// The expense rollup tables are derived data (see models.ExpenseTotal),
	// so they are listed apart from models.All.
	if err := db.AutoMigrate(append(models.All(), models.ExpenseRollups()...)...); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	for _, step := range steps {
		if err := step.Run(db); err != nil {
			return fmt.Errorf("migrate %s: %w", step.Name, err)
		}
	}
	if db.Dialector.Name() == "sqlite" {
		// SQLite plans queries with statistics only ANALYZE gathers, and
		// without them it picks poor plans for some list queries at
		// 100,000 expenses (tens of milliseconds instead of one). This
		// analyzes the tables that were never analyzed or changed a lot
		// since, on a sample, so it costs little (about 0.1 s at 100,000
		// expenses, nothing when nothing changed). PostgreSQL's
		// autovacuum does the same by itself. Long-running instances
		// should repeat "PRAGMA optimize" now and then, as SQLite advises.
		if err := db.Exec("PRAGMA optimize=0x10002").Error; err != nil {
			return fmt.Errorf("analyze SQLite tables: %w", err)
		}
	}
	return nil
}

// Step is a data migration that runs after the schema is migrated, on the
// same connection and, on PostgreSQL, under the same advisory lock, so a step
// never runs twice at once even when several instances start together. It
// runs at every start-up, so it must be cheap when there is nothing to do.
// app/expenses has steps that fill its rollup tables in databases created
// before them and repair them if they drifted (expenses.MigrationSteps).
type Step struct {
	Name string // for error messages
	Run  func(db *gorm.DB) error
}

// IsEmpty reports whether the database holds no users yet.
func IsEmpty(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Model(&models.User{}).Limit(1).Count(&n).Error; err != nil {
		return false, err
	}
	return n == 0, nil
}

// IsUniqueViolation reports whether err is a unique constraint violation on
// either database.
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// redact hides credentials in a connection string for error messages. A URL
// mistyped badly enough to hide its user info from url.Parse is not echoed
// at all when it contains an @, since a password may hide before it.
func redact(s string) string {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		return u.Redacted()
	}
	if err != nil || strings.Contains(s, "@") {
		return "(hidden: it may contain a password)"
	}
	return s
}

// newLogger routes gorm's slow-query and error logs through slog.
func newLogger(log *slog.Logger) logger.Interface {
	return logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             200 * time.Millisecond,
		IgnoreRecordNotFoundError: true,
		LogLevel:                  logger.Warn,
	})
}
