package database_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

func migrate(t *testing.T, db *gorm.DB, m database.Migrations) {
	t.Helper()
	if err := database.Migrate(context.Background(), db, m); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
}

func fromModels(t *testing.T, db *gorm.DB, models ...any) dbtest.Schema {
	t.Helper()
	if err := db.AutoMigrate(models...); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	return dbtest.Introspect(t, db)
}

// The schema test: what the migrations create is what gorm makes of the
// models, table by table, column by column, index by index. A model that
// gains a field without a migration fails it (see the next test).
func TestTemplateMigrationsCreateTheSchemaOfTheModels(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		migrated := empty()
		migrate(t, migrated, database.Migrations{})
		want := fromModels(t, empty(), database.CoreModels()...)
		if diff := dbtest.SchemaDiff(dbtest.Introspect(t, migrated), want); len(diff) > 0 {
			t.Errorf("the migrated schema differs from the models:\n%s", strings.Join(diff, "\n"))
		}
	})
}

// userWithNickname is models.User with a field added and no migration.
type userWithNickname struct {
	models.User
	Nickname string `gorm:"size:40;not null;default:''"`
}

func (userWithNickname) TableName() string { return "users" }

func TestSchemaDiffNamesTheTableAndColumnOfAFieldAddedWithoutAMigration(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		migrated := empty()
		migrate(t, migrated, database.Migrations{})
		want := fromModels(t, empty(), append(database.CoreModels(), &userWithNickname{})...)
		diff := dbtest.SchemaDiff(dbtest.Introspect(t, migrated), want)
		if len(diff) != 1 || !strings.Contains(diff[0], "table users, column nickname") || !strings.Contains(diff[0], "add a migration") {
			t.Errorf("want one line naming users.nickname and saying to add a migration, got:\n%s", strings.Join(diff, "\n"))
		}
	})
}

// A database the auto-migrating versions created (AutoMigrate at every
// start, no version tables) adopts the baselines as it is: Migrate records
// them, keeps the data and leaves the schema that of the models.
func TestDatabaseOfTheAutoMigratingVersionAdoptsTheBaselines(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		ctx := context.Background()
		old := empty()
		if err := old.AutoMigrate(database.CoreModels()...); err != nil {
			t.Fatal(err)
		}
		user := models.User{Email: "ada@example.com", Active: true}
		if err := old.Create(&user).Error; err != nil {
			t.Fatal(err)
		}
		if err := old.Create(&sso.Identity{Provider: "openid-connect", Subject: "s-1", UserID: user.ID}).Error; err != nil {
			t.Fatal(err)
		}
		migrate(t, old, database.Migrations{})
		statuses, err := database.MigrationStatus(ctx, old, database.Migrations{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if len(s.Pending) > 0 || len(s.Applied) == 0 {
				t.Errorf("%s: applied %v, pending %v after adopting", s.Owner, s.Applied, s.Pending)
			}
		}
		var n int64
		if err := old.Model(&sso.Identity{}).Where("user_id = ?", user.ID).Count(&n).Error; err != nil || n != 1 {
			t.Errorf("the identity of before: %d rows, %v", n, err)
		}
		if err := database.Ready(ctx, old); err != nil {
			t.Errorf("Ready after adopting: %v", err)
		}
		want := fromModels(t, empty(), database.CoreModels()...)
		if diff := dbtest.SchemaDiff(dbtest.Introspect(t, old), want); len(diff) > 0 {
			t.Errorf("the adopted schema differs from the models:\n%s", strings.Join(diff, "\n"))
		}
	})
}

// gadgets is a schema of a test module, in two releases: the second adds a
// nullable column (an expand step).
func gadgets(releases int) database.Schema {
	fsys := fstest.MapFS{}
	for _, dir := range []string{"sqlite", "postgres"} {
		fsys[dir+"/00001_gadgets.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE gadgets (id integer PRIMARY KEY, name text NOT NULL);\n")}
		if releases > 1 {
			fsys[dir+"/00002_gadget_colour.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nALTER TABLE gadgets ADD COLUMN colour text;\n")}
		}
	}
	return database.Schema{Name: "gadgets", FS: fsys}
}

// Rolling upgrade: the newer release migrated first; an instance of the
// older one, still running or starting now, checks that every migration it
// knows is applied, logs the newer version at INFO and goes on serving.
func TestOlderVersionStartsOnADatabaseANewerVersionMigrated(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		ctx := context.Background()
		db := empty()
		migrate(t, db, database.Migrations{Schemas: []database.Schema{gadgets(2)}})
		var logged bytes.Buffer
		older := database.Migrations{Schemas: []database.Schema{gadgets(1)}, Log: slog.New(slog.NewTextHandler(&logged, nil))}
		if err := database.Migrate(ctx, db, older); err != nil {
			t.Fatalf("the older version's Migrate: %v", err)
		}
		if err := database.CheckMigrated(ctx, db, older); err != nil {
			t.Fatalf("the older version's CheckMigrated: %v", err)
		}
		if !strings.Contains(logged.String(), "level=INFO") || !strings.Contains(logged.String(), "owner=gadgets versions=00002") {
			t.Errorf("the newer version is not logged at INFO:\n%s", logged.String())
		}
		statuses, err := database.MigrationStatus(ctx, db, older)
		if err != nil {
			t.Fatal(err)
		}
		if g := statuses[len(statuses)-1]; g.Owner != "gadgets" || len(g.Newer) != 1 || g.Newer[0] != 2 || len(g.Pending) != 0 {
			t.Errorf("status of gadgets for the older version: %+v", g)
		}
		// What the older version writes and reads still works.
		if err := db.Exec("INSERT INTO gadgets (id, name) VALUES (1, 'sprocket')").Error; err != nil {
			t.Errorf("the older version's insert: %v", err)
		}
	})
}

// MIGRATE_ON_START=off: a pending migration stops start-up, and nothing is
// applied.
func TestCheckMigratedRefusesAPendingMigrationAndAppliesNothing(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		ctx := context.Background()
		db := empty()
		migrate(t, db, database.Migrations{Schemas: []database.Schema{gadgets(1)}})
		err := database.CheckMigrated(ctx, db, database.Migrations{Schemas: []database.Schema{gadgets(2)}})
		var pending *database.PendingError
		if !errors.As(err, &pending) || !strings.Contains(err.Error(), "gadgets 00002") {
			t.Fatalf("CheckMigrated with a pending migration: %v", err)
		}
		if db.Migrator().HasColumn("gadgets", "colour") {
			t.Error("CheckMigrated applied the pending migration")
		}
		if err := database.CheckMigrated(ctx, empty(), database.Migrations{}); !errors.As(err, &pending) {
			t.Errorf("CheckMigrated on an empty database: %v", err)
		}
	})
}

// onceOnly fails when it runs twice: its table has no IF NOT EXISTS.
func onceOnly() database.Schema {
	fsys := fstest.MapFS{}
	for _, dir := range []string{"sqlite", "postgres"} {
		fsys[dir+"/00001_once.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE once_only (id integer PRIMARY KEY);\n")}
	}
	return database.Schema{Name: "once", FS: fsys}
}

// appliedOnce checks that each schema's version table records each of its
// versions exactly once.
func appliedOnce(t *testing.T, db *gorm.DB, schemas ...database.Schema) {
	t.Helper()
	for _, s := range append(database.CoreSchemas(), schemas...) {
		var rows []struct {
			VersionID int64
			N         int
		}
		if err := db.Raw("SELECT version_id, COUNT(*) AS n FROM " + s.VersionTable() + " WHERE version_id > 0 GROUP BY version_id").Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", s.VersionTable(), err)
		}
		if len(rows) == 0 {
			t.Errorf("%s records no migration", s.VersionTable())
		}
		for _, r := range rows {
			if r.N != 1 {
				t.Errorf("%s: version %d recorded %d times", s.VersionTable(), r.VersionID, r.N)
			}
		}
	}
}

// On SQLite goose writes beside the write gate; holding the gate meanwhile
// makes concurrent Migrate calls of one process take turns.
func TestSQLiteMigrateFromSeveralGoroutinesAtOnceRunsEachMigrationOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.EmptyOnlySQLite(t)
	m := database.Migrations{Schemas: []database.Schema{onceOnly()}}
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = database.Migrate(context.Background(), db, m) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	appliedOnce(t, db, onceOnly())
}

// The statement timeout of the app's connections does not apply to the
// migrations or the start-up steps, which may build an index on a large
// table or wait for another instance.
func TestPostgresMigrationsAndStepsRunWithoutTheStatementTimeout(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.PostgresURL(t)
	db, err := database.OpenPool(context.Background(), dbURL, "", database.Pool{StatementTimeout: 100 * time.Millisecond}, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if err := db.Exec("SELECT pg_sleep(0.3)").Error; err == nil {
		t.Fatal("the app's connection has no statement timeout; the test proves nothing")
	}
	slow := fstest.MapFS{"postgres/00001_slow.sql": &fstest.MapFile{Data: []byte("-- +goose Up\nSELECT pg_sleep(0.3);\n")}}
	err = database.Migrate(context.Background(), db, database.Migrations{
		Schemas: []database.Schema{{Name: "slow", FS: slow}},
		Steps:   []database.Step{{Name: "slow step", Run: func(db *gorm.DB) error { return db.Exec("SELECT pg_sleep(0.3)").Error }}},
	})
	if err != nil {
		t.Fatalf("Migrate with a slow migration and step: %v", err)
	}
}

func TestMigrationFilesOnlyAddUnlessNamedAsContractSteps(t *testing.T) {
	t.Parallel()
	for _, s := range database.CoreSchemas() {
		problems, err := dbtest.LintMigrations(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

func TestLintFlagsADroppedColumnOutsideAContractFile(t *testing.T) {
	t.Parallel()
	file := func(up string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n-- +goose Down\nDROP TABLE gadgets;\n")}
	}
	fsys := fstest.MapFS{
		"sqlite/00002_drop_colour.sql":            file("ALTER TABLE gadgets DROP COLUMN colour;"),
		"postgres/00002_colour_type.sql":          file("ALTER TABLE gadgets ALTER COLUMN colour TYPE varchar(20);"),
		"postgres/00003_rename.sql":               file("ALTER TABLE gadgets RENAME TO widgets;"),
		"postgres/00004_drop_colour_contract.sql": file("ALTER TABLE gadgets DROP COLUMN colour;"),
		"sqlite/00005_add.sql":                    file("ALTER TABLE gadgets ADD COLUMN size integer; -- not a DROP COLUMN"),
	}
	problems, err := dbtest.LintMigrations(database.Schema{Name: "gadgets", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{"00002_drop_colour.sql:2", "00002_colour_type.sql:2", "00003_rename.sql:2"} {
		if !strings.Contains(got, want) {
			t.Errorf("not flagged: %s\n%s", want, got)
		}
	}
	if len(problems) != 3 {
		t.Errorf("want 3 problems (not the contract file, the Down parts or comments), got:\n%s", got)
	}
}

// What start-up costs on a database that is up to date: the versioned
// migrations read the version tables; the auto-migrating versions
// introspected every table and index of every model (the "before").
func BenchmarkStartUpMigrationOfAnUpToDateDatabase(b *testing.B) {
	db := dbtest.OnlySQLite(b)
	ctx := context.Background()
	b.Run("versioned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := database.Migrate(ctx, db, database.Migrations{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("automigrate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := db.AutoMigrate(database.CoreModels()...); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMigrateRefusesTwoSchemasOfOneName(t *testing.T) {
	t.Parallel()
	err := database.Migrate(context.Background(), dbtest.EmptyOnlySQLite(t), database.Migrations{Schemas: []database.Schema{gadgets(1), gadgets(2)}})
	if err == nil || !strings.Contains(err.Error(), `two schemas are named "gadgets"`) {
		t.Errorf("Migrate with two schemas named gadgets: %v", err)
	}
}
