package apptest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
)

// NewConfigured is New with a last say over the configuration: configure
// gets the configuration config.Load made from opts and may change it in ways
// config.Load would refuse (an app-switcher link it would not accept, say),
// so that a test can check what the pages make of values that slipped past
// validation.
func NewConfigured(t testing.TB, opts Options, configure func(*config.Config)) *Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	db, err := database.Open("", filepath.Join(t.TempDir(), "test.db"), log)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	srv := httptest.NewUnstartedServer(nil)
	env := map[string]string{
		"APP_ENV":  "development",
		"BASE_URL": "http://" + srv.Listener.Addr().String(),
	}
	if opts.NoSeed {
		env["SEED_DEMO_DATA"] = "off"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	configure(&cfg)
	a, err := app.NewWithDB(context.Background(), cfg, db, log)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &Server{Server: srv, App: a, DB: db}
}
