package config_test

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
)

func TestMigrateOnStartIsOnByDefaultAndTakesOff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  bool
	}{{"", true}, {"on", true}, {"off", false}} {
		cfg, err := config.Load(func(k string) string {
			if k == "MIGRATE_ON_START" {
				return tt.value
			}
			return ""
		})
		if err != nil || cfg.MigrateOnStart != tt.want {
			t.Errorf("MIGRATE_ON_START=%q: %v, %v", tt.value, cfg.MigrateOnStart, err)
		}
	}
	_, err := config.Load(func(k string) string {
		if k == "MIGRATE_ON_START" {
			return "later"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "MIGRATE_ON_START must be on or off") {
		t.Errorf("MIGRATE_ON_START=later: %v", err)
	}
}

// The migrate command runs as a deploy step with the database settings
// alone: a production environment without SESSION_SECRET, BASE_URL or SSO
// settings is enough, and a bad DB_ setting is still reported.
func TestLoadDatabaseNeedsOnlyTheDatabaseSettings(t *testing.T) {
	t.Parallel()
	env := map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://app@db:5432/expenses", "DB_STATEMENT_TIMEOUT": "5s"}
	if _, err := config.Load(func(k string) string { return env[k] }); err == nil {
		t.Fatal("the full configuration accepts production without SESSION_SECRET; the test proves nothing")
	}
	d, err := config.LoadDatabase(func(k string) string { return env[k] })
	if err != nil || d.URL != env["DATABASE_URL"] || d.Pool.StatementTimeout.String() != "5s" {
		t.Errorf("LoadDatabase: %+v, %v", d, err)
	}
	env["DB_MAX_OPEN_CONNS"] = "many"
	if _, err := config.LoadDatabase(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "DB_MAX_OPEN_CONNS") {
		t.Errorf("LoadDatabase with a bad DB_MAX_OPEN_CONNS: %v", err)
	}
}
