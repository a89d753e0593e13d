package app_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/web"
)

func devConfig(t *testing.T, extra map[string]string) config.Config {
	t.Helper()
	env := map[string]string{"APP_ENV": "development", "PORT": "0"}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunServesUntilTheContextEndsThenShutsDownGracefully(t *testing.T) {
	t.Parallel()
	// A port that was free a moment ago: Run listens on an address of its
	// own, as in production.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cfg := devConfig(t, map[string]string{"SEED_DEMO_DATA": "off", "PORT": port})
	cfg.SQLitePath = filepath.Join(t.TempDir(), "data", "expenses.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.SQLitePath); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	served := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err == nil {
			res.Body.Close()
			served = res.StatusCode == http.StatusOK
			break
		}
	}
	if !served {
		t.Fatal("Run did not answer /healthz")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after shutdown, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
	if _, err := http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestRestartingNeverDuplicatesTheDemoData(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, nil)
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	count := func() int64 {
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if db, err := a.DB.DB(); err == nil {
				db.Close()
			}
		}()
		var n int64
		a.DB.Table("users").Count(&n)
		return n
	}
	first, second := count(), count()
	if first == 0 || first != second {
		t.Fatalf("users after first start %d, after restart %d", first, second)
	}
}

// productionConfig is the smallest production configuration a fresh
// database starts with: its first administrator comes from BOOTSTRAP_ADMINS.
func productionConfig(t *testing.T, extra map[string]string) config.Config {
	t.Helper()
	env := map[string]string{"APP_ENV": "production", "BASE_URL": "https://expenses.example.com",
		"SESSION_SECRET": strings.Repeat("s", 40), "BOOTSTRAP_ADMINS": "it@example.com",
		"BOOTSTRAP_ADMIN_PASSWORD": "a-long-enough-password"}
	for k, v := range extra {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	return cfg
}

func closeApp(a *app.App) {
	if db, err := a.DB.DB(); err == nil {
		db.Close()
	}
}

func TestProductionDoesNotSeedDemoData(t *testing.T) {
	t.Parallel()
	cfg := productionConfig(t, nil)
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeApp(a)
	var n int64
	a.DB.Table("users").Where("email <> ?", "it@example.com").Count(&n)
	if n != 0 {
		t.Fatalf("%d users seeded in production", n)
	}
}

// A database seeded in development and then served in production lets
// anyone in as administrator with the public demo password.
func TestProductionRefusesADatabaseHoldingTheDemoAccounts(t *testing.T) {
	t.Parallel()
	dev := devConfig(t, nil)
	dev.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	a, err := app.New(context.Background(), dev, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	closeApp(a)

	prod := productionConfig(t, nil)
	prod.SQLitePath = dev.SQLitePath
	_, err = app.New(context.Background(), prod, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("production started on a database holding the demo accounts")
	}
	if !strings.Contains(err.Error(), "demo accounts") || !strings.Contains(err.Error(), "admin@example.com") {
		t.Errorf("error %q does not say which demo accounts it found", err)
	}
}

func TestProductionRefusesToStartWhenNobodyCanSignInAsAdministrator(t *testing.T) {
	t.Parallel()
	cfg := productionConfig(t, map[string]string{"BOOTSTRAP_ADMINS": "", "BOOTSTRAP_ADMIN_PASSWORD": ""})
	_, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("production started with no SSO provider and no administrator")
	}
	for _, name := range []string{"BOOTSTRAP_ADMINS", "BOOTSTRAP_ADMIN_PASSWORD", "SSO_OIDC_ISSUER"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q is more than the one-line reason", err)
	}
}

// A deploy must not cut off a request that would have finished: the drain
// outlasts every limit a request runs under.
func TestShutdownDrainOutlastsEveryRequestTimeout(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, map[string]string{"SEED_DEMO_DATA": "off"})
	a, err := app.NewWithDB(context.Background(), cfg, dbtest.SQLite(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := app.Server(a)
	if srv.WriteTimeout <= web.RequestTimeout {
		t.Errorf("WriteTimeout %v cuts off requests before their context ends (%v)", srv.WriteTimeout, web.RequestTimeout)
	}
	if srv.ReadTimeout < srv.ReadHeaderTimeout+web.RequestTimeout {
		t.Errorf("ReadTimeout %v is shorter than the header timeout plus the request's %v", srv.ReadTimeout, web.RequestTimeout)
	}
	if app.ShutdownDrain <= srv.WriteTimeout || app.ShutdownDrain <= srv.ReadTimeout {
		t.Errorf("shutdown drain %v is shorter than a request may last (read %v, write %v)", app.ShutdownDrain, srv.ReadTimeout, srv.WriteTimeout)
	}
}

// TestTwoInstancesOnOnePostgresDatabaseShareSessions starts two instances at
// once on the same PostgreSQL database, as a scaled-out deployment would: both
// migrate concurrently, the demo data is seeded once, and a session started
// on one instance is valid on the other.
func TestTwoInstancesOnOnePostgresDatabaseShareSessions(t *testing.T) {
	t.Parallel()
	dsn := dbtest.PostgresURL(t)
	cfg := devConfig(t, map[string]string{"DATABASE_URL": dsn})
	var wg sync.WaitGroup
	apps := make([]*app.App, 2)
	errs := make([]error, 2)
	for i := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			apps[i], errs[i] = app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	t.Cleanup(func() {
		for _, a := range apps {
			if db, err := a.DB.DB(); err == nil {
				db.Close()
			}
		}
	})
	var n int64
	apps[0].DB.Table("users").Where("email = ?", "employee@example.com").Count(&n)
	if n != 1 {
		t.Fatalf("employee@example.com seeded %d times", n)
	}
	one := httptest.NewServer(apps[0].Handler())
	two := httptest.NewServer(apps[1].Handler())
	defer one.Close()
	defer two.Close()

	b := (&apptest.Server{Server: one}).Browser(t)
	b.Login("employee@example.com", apptest.DemoPassword)
	u1, _ := url.Parse(one.URL)
	var cookie *http.Cookie
	for _, c := range b.Jar.Cookies(u1) {
		if c.Name == "session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie from instance one")
	}
	req, _ := http.NewRequest(http.MethodGet, two.URL+"/profile", nil)
	req.AddCookie(cookie)
	res := b.Do(req)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Emily Carter") {
		t.Fatalf("instance two: status %d, want the profile of the person signed in on instance one", res.StatusCode)
	}
}

func TestProductionCreatesTheBootstrapAdministratorOnce(t *testing.T) {
	t.Parallel()
	env := map[string]string{"APP_ENV": "production", "BASE_URL": "https://expenses.example.com",
		"SESSION_SECRET": strings.Repeat("s", 40), "BOOTSTRAP_ADMINS": "it@example.com",
		"BOOTSTRAP_ADMIN_PASSWORD": "a-long-enough-password"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	for range 2 { // a restart must not create a second account
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		var admins int64
		a.DB.Raw(`SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id
			WHERE u.email = ? AND r.role = 'admin'`, "it@example.com").Scan(&admins)
		var users int64
		a.DB.Table("users").Count(&users)
		if admins != 1 || users != 1 {
			t.Fatalf("admins %d, users %d; want exactly the bootstrap administrator", admins, users)
		}
		if db, err := a.DB.DB(); err == nil {
			db.Close()
		}
	}
}

// After a first run on one port, starting on another keeps SSO working for
// the seeded linked people: the development provider's issuer moved with
// BASE_URL, and their identities follow it. An identity of a real issuer is
// left alone.
func TestChangingThePortInDevelopmentRelinksTheDevelopmentProvidersIdentities(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "expenses.db")
	start := func(port string) *app.App {
		cfg := devConfig(t, map[string]string{"BASE_URL": "http://127.0.0.1:" + port})
		cfg.SQLitePath = path
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := start("8080")
	if err := a.DB.Exec(`INSERT INTO identities (provider, subject, issuer, user_id, email, name, created_at, last_login_at)
		SELECT 'openid-connect', 'real-subject', 'https://login.example.com', id, email, 'Real', created_at, created_at FROM users LIMIT 1`).Error; err != nil {
		t.Fatal(err)
	}
	closeApp(a)

	a = start("8302")
	defer closeApp(a)
	var issuers []string
	if err := a.DB.Table("identities").Where("subject <> ?", "real-subject").Distinct().Pluck("issuer", &issuers).Error; err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:8302/dev-idp"; len(issuers) != 1 || issuers[0] != want {
		t.Errorf("the seeded identities name the issuers %v, want only %s", issuers, want)
	}
	var real string
	a.DB.Table("identities").Where("subject = ?", "real-subject").Pluck("issuer", &real)
	if real != "https://login.example.com" {
		t.Errorf("the real issuer's identity now names %q", real)
	}
}
