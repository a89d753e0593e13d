package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/models"
)

// MIGRATE_ON_START=off: the app refuses to start on a database that lacks
// its migrations, naming the command that applies them; once that ran, it
// starts.
func TestStartWithMigrateOnStartOffRefusesUntilTheMigrateCommandRan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := devConfig(t, map[string]string{"MIGRATE_ON_START": "off"})
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	log := slog.New(slog.DiscardHandler)
	if _, err := app.New(ctx, cfg, log); err == nil || !strings.Contains(err.Error(), app.MigrateCommand) ||
		!strings.Contains(err.Error(), "template 00001") {
		t.Fatalf("start on an unmigrated database with MIGRATE_ON_START=off: %v", err)
	}
	dbc := config.Database{SQLitePath: cfg.SQLitePath}
	var out bytes.Buffer
	if err := app.Migrate(ctx, dbc, []string{"status"}, &out, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "template   applied: none  pending: 00001") {
		t.Errorf("migrate status before migrating:\n%s", out.String())
	}
	out.Reset()
	if err := app.Migrate(ctx, dbc, nil, &out, log); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, owner := range []string{"template", "sso"} {
		if !strings.Contains(out.String(), owner+strings.Repeat(" ", 10-len(owner))+" applied: 00001") {
			t.Errorf("migrate does not report %s applied:\n%s", owner, out.String())
		}
	}
	if strings.Count(out.String(), "pending: none") != strings.Count(out.String(), "\n") {
		t.Errorf("migrate leaves something pending:\n%s", out.String())
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start after migrating: %v", err)
	}
	closeApp(a)
	if err := app.Migrate(ctx, dbc, []string{"sideways"}, &out, log); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("migrate with an unknown argument: %v", err)
	}
}

// A database the auto-migrating versions made (tables by AutoMigrate, no
// version tables) is adopted at the first start: the app starts and seeds
// it. (The demo's own tables: app/expenses, migrations_test.go.)
func TestAppStartsOnADatabaseOfTheAutoMigratingVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := devConfig(t, nil)
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	log := slog.New(slog.DiscardHandler)
	old, err := database.Open("", cfg.SQLitePath, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.AutoMigrate(database.CoreModels()...); err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := old.DB(); err == nil {
		sqlDB.Close()
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start on a database of the auto-migrating version: %v", err)
	}
	defer closeApp(a)
	var people int64
	a.DB.Model(&models.Employee{}).Count(&people)
	if people == 0 {
		t.Error("nobody seeded")
	}
	statuses, err := database.MigrationStatus(ctx, a.DB, database.Migrations{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		if len(s.Pending) > 0 {
			t.Errorf("%s: %v pending after the start", s.Owner, s.Pending)
		}
	}
}
