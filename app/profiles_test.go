package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app"
)

// DEBUG_PPROF_ADDR serves Go's profiles on a listener of its own; the app's
// port never serves them.
func TestProfilesAreServedOnTheirOwnLoopbackListenerAndNotOnTheAppsPort(t *testing.T) {
	t.Parallel()
	port, profiles := strconv.Itoa(freePort(t)), "127.0.0.1:"+strconv.Itoa(freePort(t))
	cfg := devConfig(t, map[string]string{"SEED_DEMO_DATA": "off", "PORT": port, "DEBUG_PPROF_ADDR": profiles})
	cfg.SQLitePath = filepath.Join(t.TempDir(), "expenses.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	get := func(url string) (int, string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			res, err := http.Get(url)
			if err != nil {
				if time.Now().After(deadline) {
					t.Fatalf("GET %s: %v", url, err)
				}
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return res.StatusCode, string(body)
		}
	}
	if code, body := get("http://" + profiles + "/debug/pprof/heap?debug=1"); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("profile listener: GET /debug/pprof/heap: %d %.80q, want the heap profile", code, body)
	}
	if code, body := get("http://127.0.0.1:" + port + "/debug/pprof/heap?debug=1"); code != http.StatusNotFound {
		t.Errorf("app's port: GET /debug/pprof/heap: %d %.80q, want 404", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
