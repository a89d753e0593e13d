package config_test

import (
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
)

// DESIGN §4: the app listens on PORT on HOST, 127.0.0.1 in development (its
// identity provider signs anyone in, and the demo accounts share one
// published password), all interfaces in production.
func TestDevelopmentListensOnLoopbackOnlyUnlessHOSTSaysOtherwise(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	dev, err := config.Load(env(map[string]string{"APP_ENV": "development", "PORT": "8081"}))
	if err != nil {
		t.Fatal(err)
	}
	if dev.Addr != "127.0.0.1:8081" {
		t.Errorf("development listens on %q, want 127.0.0.1:8081", dev.Addr)
	}
	open, err := config.Load(env(map[string]string{"APP_ENV": "development", "PORT": "8081", "HOST": "0.0.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	if open.Addr != "0.0.0.0:8081" {
		t.Errorf("HOST=0.0.0.0 listens on %q, want 0.0.0.0:8081", open.Addr)
	}
}

// Profiles show the process's memory (session secrets, tokens), so the
// profile listener takes loopback addresses only, and is off by default.
func TestProfileListenerIsOffByDefaultAndTakesOnlyLoopbackAddresses(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := config.Load(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ProfileAddr != "" {
		t.Errorf("profile listener on %q by default, want off", c.ProfileAddr)
	}
	for _, ok := range []string{"127.0.0.1:6060", "[::1]:6060", "127.0.0.2:6060"} {
		c, err := config.Load(env(map[string]string{"DEBUG_PPROF_ADDR": ok}))
		if err != nil || c.ProfileAddr != ok {
			t.Errorf("DEBUG_PPROF_ADDR=%s: %q, %v; want it taken", ok, c.ProfileAddr, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:6060", ":6060", "10.0.0.5:6060", "example.com:6060", "localhost:6060", "127.0.0.1"} {
		_, err := config.Load(env(map[string]string{"DEBUG_PPROF_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "DEBUG_PPROF_ADDR") {
			t.Errorf("DEBUG_PPROF_ADDR=%s: error %v, want one naming DEBUG_PPROF_ADDR", bad, err)
		}
	}
}
