// Package database opens the database named by the configuration and keeps
// its schema current with versioned migrations (migrate.go).
//
// SQLite is the embedded default; a postgres:// DATABASE_URL selects
// PostgreSQL, with the same models. Code above this package does not know
// which one it talks to.
package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/company-expenses/company-expenses/models"
)

// DefaultConnectTimeout bounds how long connecting to PostgreSQL may take
// when DATABASE_URL does not say (connect_timeout). Without it a server that
// accepts the connection and never answers hangs start-up for ever.
const DefaultConnectTimeout = 10 * time.Second

// WALSizeLimit is the size, in bytes, SQLite truncates its write-ahead log
// to after a checkpoint (PRAGMA journal_size_limit). Without it the -wal
// file keeps the largest size a burst of writes ever gave it (40–80 MB under
// load). It is above the 4 MB an automatic checkpoint normally leaves, so
// steady use never truncates and regrows the file.
const WALSizeLimit = 8 << 20

// Pool is the connection pool and its timeouts (DB_MAX_OPEN_CONNS and the
// other DB_ settings in app/config). A zero field means the default below.
type Pool struct {
	// MaxOpen bounds the open connections: 20 on PostgreSQL, whose
	// server-side limit (100 by default) several instances share; 8 on
	// SQLite (DefaultMaxOpenSQLite).
	MaxOpen int
	// MaxIdle is how many connections stay open between requests (10).
	// Reopening one costs a connect on PostgreSQL and, on SQLite, the
	// connection's prepared statements (_stmt_cache_size), so it is well
	// above database/sql's default of 2.
	MaxIdle int
	// MaxLifetime closes a connection after this long (30 minutes), so that
	// a failover or a PgBouncer behind a DNS name gets used within that
	// time, and server-side memory a connection accumulated is returned.
	MaxLifetime time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout (30 s): a
	// statement running longer is cancelled by the server, whatever the
	// client does. SQLite has no such setting; there a request's deadline
	// (app/web RequestTimeout) interrupts its statement, and
	// _busy_timeout bounds a wait for the write lock. A DATABASE_URL that
	// sets statement_timeout itself wins.
	StatementTimeout time.Duration
	// ConnectTimeout bounds connecting to PostgreSQL (DefaultConnectTimeout);
	// a DATABASE_URL with connect_timeout wins.
	ConnectTimeout time.Duration
}

// The defaults of Pool's fields.
const (
	DefaultMaxOpenPostgres = 20
	// DefaultMaxOpenSQLite bounds SQLite's connections, which cost memory in
	// this process: each has its own page cache (2 MB), its prepared
	// statements (_stmt_cache_size) and a C thread with its own malloc
	// arena. Unbounded, 32 clients searching and reading dashboards at
	// 100,000 expenses held about 20 connections and 150 MB of RSS; with 8,
	// 70 MB, at the same CPU per request. More connections than cores do not
	// read faster (SQLite's work is CPU, the file is in the OS cache), and
	// writers need one: they queue at the write gate before they take a
	// connection. A request waiting for a connection waits in Go, bounded by
	// its deadline. Raise it (DB_MAX_OPEN_CONNS) when long CSV downloads to
	// slow clients, each holding a connection while it streams, are common.
	DefaultMaxOpenSQLite    = 8
	DefaultMaxIdle          = 10
	DefaultMaxLifetime      = 30 * time.Minute
	DefaultStatementTimeout = 30 * time.Second
)

func (p Pool) withDefaults(postgres bool) Pool {
	if p.MaxOpen == 0 {
		p.MaxOpen = DefaultMaxOpenSQLite
		if postgres {
			p.MaxOpen = DefaultMaxOpenPostgres
		}
	}
	if p.MaxIdle == 0 {
		p.MaxIdle = DefaultMaxIdle
	}
	if p.MaxOpen > 0 {
		p.MaxIdle = min(p.MaxIdle, p.MaxOpen)
	}
	p.MaxLifetime = cmpOr(p.MaxLifetime, DefaultMaxLifetime)
	p.StatementTimeout = cmpOr(p.StatementTimeout, DefaultStatementTimeout)
	p.ConnectTimeout = cmpOr(p.ConnectTimeout, DefaultConnectTimeout)
	return p
}

func cmpOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func (p Pool) apply(sqlDB *sql.DB) {
	sqlDB.SetMaxOpenConns(p.MaxOpen)
	sqlDB.SetMaxIdleConns(p.MaxIdle)
	sqlDB.SetConnMaxLifetime(p.MaxLifetime)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
}

// Open is OpenContext without a context, for tests and tools.
func Open(databaseURL, sqlitePath string, log *slog.Logger) (*gorm.DB, error) {
	return OpenContext(context.Background(), databaseURL, sqlitePath, log)
}

// OpenContext connects to PostgreSQL when databaseURL starts with
// postgres:// or postgresql://, and otherwise opens (creating it if needed)
// the SQLite file at sqlitePath. It returns once the database answered, an
// error when it does not within the connect timeout, and gives up when ctx
// ends (main cancels it on SIGTERM).
func OpenContext(ctx context.Context, databaseURL, sqlitePath string, log *slog.Logger) (*gorm.DB, error) {
	return OpenPool(ctx, databaseURL, sqlitePath, Pool{}, log)
}

// OpenPool is OpenContext with the pool and timeouts of pool (zero fields:
// the defaults).
func OpenPool(ctx context.Context, databaseURL, sqlitePath string, pool Pool, log *slog.Logger) (*gorm.DB, error) {
	pool = pool.withDefaults(IsPostgres(databaseURL))
	cfg := &gorm.Config{
		// Silent while opening: gorm would log a failure itself (with a
		// literal %v) and then return it, and the caller logs it again.
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Each statement in its own transaction is gorm's default; we wrap
		// multi-statement writes ourselves, so skip the extra round trips.
		SkipDefaultTransaction: true,
		TranslateError:         true,
		// gorm's own ping has no context and no deadline; ping below does.
		DisableAutomaticPing: true,
	}
	if IsPostgres(databaseURL) {
		dsn, where, timeout := withConnectTimeout(databaseURL, pool.ConnectTimeout)
		dsn = withStatementTimeout(dsn, pool.StatementTimeout)
		log.Info(fmt.Sprintf("connecting to the database at %s (timeout %s)", where, timeout))
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL at %s: %w", where, err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		pool.apply(sqlDB)
		if err := ping(ctx, sqlDB, where, timeout); err != nil {
			return nil, err
		}
		db.Config.Logger = newLogger(log)
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
	log.Info("opening the SQLite database", "path", sqlitePath)
	sqlDB := sql.OpenDB(sqliteConnector{dsn: SQLiteDSN(sqlitePath), driver: &sqlite3.SQLiteDriver{
		// journal_size_limit and wal_autocheckpoint are settings of each
		// connection, and the DSN cannot carry them, so every new
		// connection sets them here; so is the function the text search
		// index's triggers call (app/expenses search.go), and the query
		// planner stability guarantee (qpsg.go).
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			if err := enableQPSG(conn); err != nil {
				return err
			}
			if err := conn.RegisterFunc("trigram_tokens", TrigramTokens, true); err != nil {
				return err
			}
			_, err := conn.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d; PRAGMA wal_autocheckpoint = %d",
				WALSizeLimit, SafetyCheckpointPages), nil)
			return err
		},
	}})
	pool.apply(sqlDB)
	// Writers queue at a gate in Go rather than in SQLite's busy handler
	// (see writegate.go), and checkpoints run beside them (checkpoint.go).
	gate := newWriteGate(sqlDB, log, CheckpointEvery)
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: gate}), cfg)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", sqlitePath, err)
	}
	if err := ping(ctx, sqlDB, sqlitePath, 0); err != nil {
		return nil, err
	}
	db.Config.Logger = newLogger(log)
	return db, nil
}

// sqliteConnector opens SQLite connections with our driver settings without
// registering a driver name, which is process-wide state.
type sqliteConnector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c sqliteConnector) Driver() driver.Driver                        { return c.driver }

// ping waits until the database answers, for at most timeout (0: no limit
// of its own) and until ctx ends, and closes the pool when it does not.
func ping(ctx context.Context, sqlDB *sql.DB, where string, timeout time.Duration) error {
	pctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		pctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	err := sqlDB.PingContext(pctx)
	if err == nil {
		return nil
	}
	sqlDB.Close()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("stopped while connecting to the database at %s: %w", where, ctx.Err())
	case pctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the database at %s did not answer within %s (is DATABASE_URL right, and the server up?): %w", where, timeout, err)
	}
	return fmt.Errorf("connect to the database at %s: %w", where, err)
}

// withConnectTimeout adds connect_timeout to a PostgreSQL URL that has none,
// and returns the URL, the server it names (host:port, for messages; never
// the password) and the timeout in force.
func withConnectTimeout(databaseURL string, def time.Duration) (dsn, where string, timeout time.Duration) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL, "(unparsable DATABASE_URL)", def
	}
	where = u.Host
	if where == "" {
		where = "the default host"
	}
	q := u.Query()
	if s := q.Get("connect_timeout"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return databaseURL, where, time.Duration(n) * time.Second
		}
		return databaseURL, where, def // pgx will refuse it
	}
	// connect_timeout counts whole seconds; round a shorter one up.
	q.Set("connect_timeout", strconv.Itoa(int((def+time.Second-1)/time.Second)))
	u.RawQuery = q.Encode()
	return u.String(), where, def
}

// withStatementTimeout adds statement_timeout (in milliseconds, a run-time
// parameter pgx sends at connect) to a PostgreSQL URL that has none.
func withStatementTimeout(dsn string, timeout time.Duration) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("statement_timeout") != "" {
		return dsn
	}
	q.Set("statement_timeout", strconv.FormatInt(timeout.Milliseconds(), 10))
	u.RawQuery = q.Encode()
	return u.String()
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
//   - _stmt_cache_size keeps each connection's most recent prepared
//     statements. A signed-in page runs a dozen statements, and parsing and
//     planning them again on every request cost more than running them.
//     The driver's cache is per connection and invisible to gorm, so it
//     also serves transactions (gorm's PrepareStmt does not, and pgx
//     already caches statements for PostgreSQL by default); SQLite
//     re-prepares a cached statement by itself after a schema change.
//   - _mutex=no opens each connection without SQLite's own per-connection
//     mutex (SQLITE_OPEN_NOMUTEX): database/sql hands a connection to one
//     goroutine at a time, so the lock SQLite takes and releases around
//     every call guarded nothing, and it was 2–4 % of the list page's CPU
//     under load (perf). sqlite3_interrupt, which the driver calls from
//     another goroutine when a context ends, takes no lock either way. The
//     one other caller on another goroutine would be the driver's finalizer
//     of a statement or connection nobody closed, which database/sql never
//     leaves behind.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL&_stmt_cache_size=128&_mutex=no"
}

// IsPostgres reports whether a DATABASE_URL names PostgreSQL.
func IsPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
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

// slowQuery is how long a statement may take before gorm's log warns.
const slowQuery = 200 * time.Millisecond

// newLogger routes gorm's slow-query and error logs through slog.
func newLogger(log *slog.Logger) logger.Interface {
	return slogLogger{Interface: logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             slowQuery,
		IgnoreRecordNotFoundError: true,
		LogLevel:                  logger.Warn,
	}), log: log, level: logger.Warn}
}

// slogLogger is gorm's slog logger with its messages formatted: gorm passes
// printf-style messages ("got error %v") to Info, Warn and Error, which its
// slog logger would print with the verbs left in.
type slogLogger struct {
	logger.Interface
	log   *slog.Logger
	level logger.LogLevel
}

func (l slogLogger) LogMode(level logger.LogLevel) logger.Interface {
	return slogLogger{Interface: l.Interface.LogMode(level), log: l.log, level: level}
}

// Trace logs a statement only when it failed or was slow (or at Info). gorm
// calls it after every statement, and its slog logger renders the SQL with
// its arguments inlined (logger.ExplainSQL) before deciding whether to log
// anything: at every signed-in page's dozen queries that formatting was a
// tenth of the server's CPU, all of it thrown away.
func (l slogLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	failed := err != nil && !errors.Is(err, gorm.ErrRecordNotFound)
	if l.level <= logger.Silent || (!failed && time.Since(begin) <= slowQuery && l.level < logger.Info) {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

func (l slogLogger) Info(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Info {
		l.log.InfoContext(ctx, fmt.Sprintf(msg, data...))
	}
}

func (l slogLogger) Warn(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Warn {
		l.log.WarnContext(ctx, fmt.Sprintf(msg, data...))
	}
}

func (l slogLogger) Error(ctx context.Context, msg string, data ...any) {
	if l.level >= logger.Error {
		l.log.ErrorContext(ctx, fmt.Sprintf(msg, data...))
	}
}
