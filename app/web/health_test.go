package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// makeReadOnly leaves the test application one database connection, which
// answers but refuses every write: what a full disk, a file system
// remounted read-only or a failover to a standby look like to the app.
func makeReadOnly(t *testing.T, srv *apptest.Server) {
	t.Helper()
	sqlDB, err := srv.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	// One connection, made read-only: every statement from now on uses it.
	sqlDB.SetMaxOpenConns(1)
	readOnly := "PRAGMA query_only = ON"
	if srv.DB.Dialector.Name() == "postgres" { // TEST_DB=postgres
		readOnly = "SET default_transaction_read_only = on"
	}
	if err := srv.DB.Exec(readOnly).Error; err != nil {
		t.Fatal(err)
	}
}

// Liveness must not follow the database: an orchestrator restarts instances
// that fail it, which cures no database outage.
func TestHealthzAnswersOKWithoutTheDatabase(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	sqlDB, err := srv.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	if res := srv.Browser(t).Get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with the database closed: status %d, want 200", res.StatusCode)
	}
}

func TestReadyzAnswersOKWhenTheDatabaseTakesWrites(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	res := srv.Browser(t).Get("/readyz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: status %d, body %q", res.StatusCode, res.Body)
	}
}

func TestReadyzAnswers503WithAPlainReasonWhenTheDatabaseCannotWrite(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	makeReadOnly(t, srv)
	b := srv.Browser(t)
	if res := b.Get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz: status %d, want 200 (liveness ignores the database)", res.StatusCode)
	}
	res := b.Get("/readyz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz on a database that cannot write: status %d, want 503", res.StatusCode)
	}
	if strings.TrimSpace(res.Body) != "not ready: the database cannot write" {
		t.Errorf("/readyz body %q, want the plain reason", res.Body)
	}
}

// A request that fails because the database cannot write gets the 503 page
// with Retry-After, not the 500 page that says "something went wrong".
func TestDatabaseOutageShowsTemporarilyUnavailableWithRetryAfter(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	page := b.Get("/login")
	makeReadOnly(t, srv)
	res := b.SubmitOn(page, `form[action="/login"]`, url.Values{
		"email": {"employee@example.com"}, "password": {apptest.DemoPassword},
	})
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("sign-in with a read-only database: status %d, want 503", res.StatusCode)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the 503 page")
	}
	if !strings.Contains(res.Body, "The service is temporarily unavailable") {
		t.Errorf("503 page does not say the service is temporarily unavailable:\n%s", res.Body)
	}
}

func TestStaticFoldersAnswer404InsteadOfAListing(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true})
	b := srv.Browser(t)
	for _, path := range []string{"/static/", "/static/css/", "/static/css", "/static/js/", "/static/missing.css"} {
		res := b.Get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		// http.FileServer lists a folder as relative links in a <pre>.
		if strings.Contains(res.Body, `href="app.css"`) || strings.Contains(res.Body, `href="css/"`) {
			t.Errorf("GET %s lists the folder", path)
		}
	}
	if res := b.Get("/static/css/app.css"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /static/css/app.css: status %d, want 200", res.StatusCode)
	}
}
