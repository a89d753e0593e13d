package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/module"
)

// MigrateCommand is the command that runs the migrations explicitly, as a
// deploy step (MIGRATE_ON_START=off), and exits:
//
//	go run . migrate          applies every pending migration, then the start-up steps
//	go run . migrate status   prints each owner's applied and pending versions
//
// It needs only the database settings (config.LoadDatabase).
const MigrateCommand = "go run . migrate"

// Migrate runs the migrate command with args (what follows "migrate" on
// the command line), writing what it did to out.
func Migrate(ctx context.Context, dbc config.Database, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) > 1 || (len(args) == 1 && args[0] != "status") {
		return fmt.Errorf("usage: %s [status]", MigrateCommand)
	}
	db, err := openDB(ctx, dbc, log)
	if err != nil {
		return err
	}
	defer func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	migrations := module.MigrationsOf(modules(db, log))
	migrations.Log = log
	if len(args) == 0 {
		if err := database.Migrate(ctx, db, migrations); err != nil {
			return err
		}
	}
	return printStatus(ctx, db, migrations, out)
}

func printStatus(ctx context.Context, db *gorm.DB, m database.Migrations, out io.Writer) error {
	statuses, err := database.MigrationStatus(ctx, db, m)
	if err != nil {
		return err
	}
	for _, s := range statuses {
		fmt.Fprintf(out, "%-10s applied: %s  pending: %s", s.Owner, orNone(s.Applied), orNone(s.Pending))
		if len(s.Newer) > 0 {
			fmt.Fprintf(out, "  applied by a newer version: %s", orNone(s.Newer))
		}
		fmt.Fprintln(out)
	}
	return nil
}

func orNone(vs []int64) string {
	if len(vs) == 0 {
		return "none"
	}
	return database.VersionList(vs)
}

// openDB opens the database d names with its pool settings: the server's
// and the migrate command's one way in.
func openDB(ctx context.Context, d config.Database, log *slog.Logger) (*gorm.DB, error) {
	return database.OpenPool(ctx, d.URL, d.SQLitePath, database.Pool{
		MaxOpen: d.Pool.MaxOpenConns, MaxIdle: d.Pool.MaxIdleConns, MaxLifetime: d.Pool.ConnMaxLifetime,
		StatementTimeout: d.Pool.StatementTimeout, ConnectTimeout: d.Pool.ConnectTimeout,
	}, log)
}

// migrateOnStart applies the pending migrations (MIGRATE_ON_START=on), or
// refuses to start while one is pending (off), then runs the start-up
// steps.
func migrateOnStart(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger, mods []module.Module) error {
	migrations := module.MigrationsOf(mods)
	migrations.Log = log
	if cfg.MigrateOnStart {
		return database.Migrate(ctx, db, migrations)
	}
	err := database.CheckMigrated(ctx, db, migrations)
	if pending := (*database.PendingError)(nil); errors.As(err, &pending) {
		return fmt.Errorf("%w: run %q first (MIGRATE_ON_START is off), or set MIGRATE_ON_START=on", err, MigrateCommand)
	}
	return err
}
