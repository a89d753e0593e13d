package database

// Versioned migrations.
//
// The schema is plain SQL files, numbered, one folder per dialect, applied
// in order by github.com/pressly/goose/v3 used as a library (its Provider,
// not its CLI). Why goose rather than atlas or golang-migrate: the files are
// plain SQL a DBA can read and review, per dialect, with nothing generated;
// the Provider takes an fs.FS, so each owner embeds its own folder and hands
// it over as a value, with no global registry; it records versions in a
// table whose name we choose (one per owner); and it costs a few small
// dependencies. atlas plans migrations from a desired schema, which is more
// machinery (and a CLI) than a template should need; golang-migrate wants a
// driver per database and a URL of its own rather than our *sql.DB.
//
// Each owner of tables has its own folder and version table: the template
// (migrations/ here: models.All, audit.Models, the readiness heartbeat), the
// SSO module (sso.Migrations), then every module (module.Module.Schema).
// The first file of each, 00001_baseline.sql, is the schema the
// auto-migrating versions created, written with IF NOT EXISTS, so a
// database they created adopts it without change.
//
// Rolling upgrades: an instance applies the migrations it knows and checks
// that all of them are applied; versions it does not know (a newer release
// applied them) are logged and left alone. That only works if every release
// only adds to the schema (README, "Changing the schema").

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	goosedb "github.com/pressly/goose/v3/database"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

//go:embed migrations
var templateMigrations embed.FS

// Schema is one owner's versioned migrations: FS holds a folder "sqlite"
// and a folder "postgres" of goose SQL files (00001_baseline.sql, then
// 00002_….sql), and Migrate records what it applied in the table
// schema_versions_<Name>.
type Schema struct {
	Name string
	FS   fs.FS
}

// VersionTable is the table that records which of s's migrations are
// applied.
func (s Schema) VersionTable() string { return "schema_versions_" + s.Name }

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TemplateSchema is the template's own tables.
func TemplateSchema() Schema { return EmbeddedSchema("template", templateMigrations) }

// EmbeddedSchema is the schema named name whose files are embedded in fsys
// under a folder "migrations" (//go:embed migrations), as the template's
// and a module's are.
func EmbeddedSchema(name string, fsys fs.FS) Schema {
	sub, err := fs.Sub(fsys, "migrations")
	if err != nil {
		panic(err) // fs.Sub fails only for an invalid path, and this one is valid
	}
	return Schema{Name: name, FS: sub}
}

// CoreSchemas are the schemas every app has, in the order they run: the
// template's, then the SSO module's (its identities reference users).
func CoreSchemas() []Schema {
	return []Schema{TemplateSchema(), {Name: "sso", FS: sso.Migrations()}}
}

// CoreModels are the models whose tables CoreSchemas create, for the test
// that compares the migrated schema with what gorm makes of the models
// (and for tests of the SSO module's tables on their own).
func CoreModels() []any {
	return append(append(append(models.All(), sso.Models()...), audit.Models()...), &heartbeat{})
}

// Migrations is what Migrate runs after CoreSchemas: the modules' schemas,
// in order, then the start-up steps.
type Migrations struct {
	Schemas []Schema
	Steps   []Step
	// Log gets a line per migration applied, and the versions a newer
	// release applied (nil: nothing is logged).
	Log *slog.Logger
}

// Join returns m with the schemas and steps of others appended.
func (m Migrations) Join(others ...Migrations) Migrations {
	for _, o := range others {
		m.Schemas = append(m.Schemas, o.Schemas...)
		m.Steps = append(m.Steps, o.Steps...)
		if m.Log == nil {
			m.Log = o.Log
		}
	}
	return m
}

// Step is a start-up step that runs after the schemas are migrated, at
// every start, on PostgreSQL under the same advisory lock, so a step never
// runs twice at once even when several instances start together. It must
// be cheap when there is nothing to do. Schema changes belong in migration
// files, not here; steps check and repair data (the expenses demo's totals,
// expenses.MigrationSteps).
type Step struct {
	Name string // for error messages
	Run  func(db *gorm.DB) error
}

// Status is what one owner's version table says about the migrations this
// binary knows.
type Status struct {
	Owner   string
	Applied []int64 // known and applied
	Pending []int64 // known, not applied
	// Newer are applied versions this binary does not know: a newer release
	// applied them during a rolling upgrade.
	Newer []int64
}

// PendingError is CheckMigrated's error when the database lacks migrations
// this binary knows.
type PendingError struct{ Pending []Status }

func (e *PendingError) Error() string {
	var parts []string
	for _, s := range e.Pending {
		parts = append(parts, fmt.Sprintf("%s %s", s.Owner, VersionList(s.Pending)))
	}
	return "the database lacks migrations this version needs (" + strings.Join(parts, "; ") + ")"
}

// VersionList writes versions as the migration files number them
// ("00001, 00003").
func VersionList(vs []int64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%05d", v)
	}
	return strings.Join(out, ", ")
}

// migrationLockID is the PostgreSQL advisory lock that serialises migration
// when several instances start at once. Any constant works, as long as
// nothing else in the database uses it.
const migrationLockID = 7_202_611_270

// Migrate applies the pending migrations of CoreSchemas and m.Schemas, owner
// by owner, then runs m.Steps. On PostgreSQL one advisory lock, held on a
// connection of its own, covers the whole run, so that instances starting
// together migrate one after the other (goose's own lock would cover one
// owner at a time, and a second instance could then run the SSO migrations
// before the first has created users). SQLite serves a single instance; the
// write gate keeps the app's own writers out meanwhile.
func Migrate(ctx context.Context, db *gorm.DB, m Migrations) error {
	return run(ctx, db, m, true)
}

// CheckMigrated is Migrate for MIGRATE_ON_START=off: it applies nothing,
// and returns a *PendingError when a migration this binary knows is not
// applied; otherwise it runs m.Steps, as Migrate does.
func CheckMigrated(ctx context.Context, db *gorm.DB, m Migrations) error {
	return run(ctx, db, m, false)
}

// MigrationStatus reports, owner by owner, which of the migrations this
// binary knows are applied, which are pending, and which applied versions
// it does not know. It changes nothing.
func MigrationStatus(ctx context.Context, db *gorm.DB, m Migrations) ([]Status, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, s := range append(CoreSchemas(), m.Schemas...) {
		st, err := schemaStatus(ctx, db, sqlDB, s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func run(ctx context.Context, db *gorm.DB, m Migrations, apply bool) error {
	log := m.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	schemas := append(CoreSchemas(), m.Schemas...)
	seen := map[string]bool{}
	for _, s := range schemas {
		if !schemaName.MatchString(s.Name) {
			return fmt.Errorf("schema name %q: use lower-case letters, digits and _ (it names the table %s)", s.Name, s.VersionTable())
		}
		if seen[s.Name] {
			return fmt.Errorf("two schemas are named %q: each owner needs a version table of its own", s.Name)
		}
		seen[s.Name] = true
	}
	db = db.WithContext(ctx)
	if db.Dialector.Name() == "postgres" {
		return withMigrationLock(ctx, db, func(migrationDB *sql.DB, locked *gorm.DB) error {
			if err := migrateSchemas(ctx, db, migrationDB, schemas, apply, log); err != nil {
				return err
			}
			return runSteps(locked, m.Steps)
		})
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	// goose writes through sqlDB itself, beside the write gate, so it holds
	// the gate meanwhile: writers of this process wait until the schema is
	// there (and a second Migrate of the same database waits its turn). The
	// steps then write through gorm, that is through the gate, so it is
	// left before them.
	leave := func() {}
	if g, ok := db.Config.ConnPool.(*writeGate); ok {
		if leave, err = g.enter(ctx); err != nil {
			return err
		}
	}
	err = migrateSchemas(ctx, db, sqlDB, schemas, apply, log)
	leave()
	if err != nil {
		return err
	}
	if err := runSteps(db, m.Steps); err != nil {
		return err
	}
	// SQLite plans queries with statistics only ANALYZE gathers, and
	// without them it picks poor plans for some list queries at 100,000
	// expenses (tens of milliseconds instead of one). This analyzes the
	// tables that were never analyzed or changed a lot since, on a sample,
	// so it costs little (about 0.1 s at 100,000 expenses, nothing when
	// nothing changed). PostgreSQL's autovacuum does the same by itself.
	// Long-running instances should repeat "PRAGMA optimize" now and then,
	// as SQLite advises.
	if err := db.Exec("PRAGMA optimize=0x10002").Error; err != nil {
		return fmt.Errorf("analyze SQLite tables: %w", err)
	}
	return nil
}

func runSteps(db *gorm.DB, steps []Step) error {
	for _, step := range steps {
		if err := step.Run(db); err != nil {
			return fmt.Errorf("start-up step %s: %w", step.Name, err)
		}
	}
	return nil
}

// migrateSchemas applies (or, without apply, only checks) each schema's
// migrations through sqlDB, in order.
func migrateSchemas(ctx context.Context, db *gorm.DB, sqlDB *sql.DB, schemas []Schema, apply bool, log *slog.Logger) error {
	var pending []Status
	for _, s := range schemas {
		st, err := schemaStatus(ctx, db, sqlDB, s)
		if err != nil {
			return err
		}
		if len(st.Newer) > 0 {
			log.Info("the database has migrations a newer version applied; this version does not need them and goes on",
				"owner", s.Name, "versions", VersionList(st.Newer))
		}
		if len(st.Pending) == 0 {
			continue
		}
		if !apply {
			pending = append(pending, st)
			continue
		}
		p, err := provider(db, sqlDB, s)
		if err != nil {
			return err
		}
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", s.Name, err)
		}
		for _, r := range results {
			log.Info("applied migration", "owner", s.Name, "file", r.Source.Path, "took", r.Duration.Round(time.Millisecond).String())
		}
	}
	if len(pending) > 0 {
		return &PendingError{Pending: pending}
	}
	return nil
}

// dialectOf is goose's name of db's dialect, and the folder of its files.
func dialectOf(db *gorm.DB) (goose.Dialect, string) {
	if db.Dialector.Name() == "postgres" {
		return goose.DialectPostgres, "postgres"
	}
	return goose.DialectSQLite3, "sqlite"
}

func provider(db *gorm.DB, sqlDB *sql.DB, s Schema) (*goose.Provider, error) {
	dialect, dir := dialectOf(db)
	files, err := fs.Sub(s.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", s.Name, err)
	}
	p, err := goose.NewProvider(dialect, sqlDB, files,
		goose.WithTableName(s.VersionTable()), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations of %s (%s/): %w", s.Name, dir, err)
	}
	return p, nil
}

// schemaStatus reads s's version table (without creating it) and compares
// it with s's files.
func schemaStatus(ctx context.Context, db *gorm.DB, sqlDB *sql.DB, s Schema) (Status, error) {
	st := Status{Owner: s.Name}
	p, err := provider(db, sqlDB, s)
	if errors.Is(err, goose.ErrNoMigrations) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	var known []int64
	for _, src := range p.ListSources() {
		known = append(known, src.Version)
	}
	applied := map[int64]bool{}
	if db.Migrator().HasTable(s.VersionTable()) {
		dialect, _ := dialectOf(db)
		store, err := goosedb.NewStore(dialect, s.VersionTable())
		if err != nil {
			return st, err
		}
		rows, err := store.ListMigrations(ctx, sqlDB)
		if err != nil {
			return st, fmt.Errorf("read %s: %w", s.VersionTable(), err)
		}
		for _, r := range rows {
			if r.IsApplied && r.Version > 0 {
				applied[r.Version] = true
			}
		}
	}
	for _, v := range known {
		if applied[v] {
			st.Applied = append(st.Applied, v)
		} else {
			st.Pending = append(st.Pending, v)
		}
	}
	for v := range applied {
		if !slices.Contains(known, v) {
			st.Newer = append(st.Newer, v)
		}
	}
	slices.Sort(st.Newer)
	return st, nil
}

// withMigrationLock runs fn holding the migration advisory lock. fn gets a
// pool of its own for goose, and locked, the gorm database on the locked
// connection, for the steps. Both run without a statement timeout: waiting
// for another instance's migration, or building an index on a large table,
// may take longer than DB_STATEMENT_TIMEOUT.
func withMigrationLock(ctx context.Context, db *gorm.DB, fn func(migrationDB *sql.DB, locked *gorm.DB) error) error {
	migrationDB, err := migrationPool(db)
	if err != nil {
		return err
	}
	defer migrationDB.Close()
	conn, err := migrationDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect for migrating: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	// Unlocked even when ctx ended: the connection goes back to no pool,
	// but an unlock is cheaper than relying on its close.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockID)
	locked := db.Session(&gorm.Session{Context: ctx})
	locked.Statement.ConnPool = conn
	return fn(migrationDB, locked)
}

// migrationPool opens a small pool to db's PostgreSQL server with
// statement_timeout lifted: two connections, the lock's and goose's.
func migrationPool(db *gorm.DB) (*sql.DB, error) {
	d, ok := db.Dialector.(*postgres.Dialector)
	if !ok || d.Config == nil || d.DSN == "" {
		return nil, errors.New("migrating PostgreSQL needs a database opened from a connection string (database.Open)")
	}
	cfg, err := pgx.ParseConfig(d.DSN)
	if err != nil {
		return nil, fmt.Errorf("parse the connection string for migrating: %w", err)
	}
	cfg.RuntimeParams["statement_timeout"] = "0"
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(2)
	return pool, nil
}
