package config_test

import (
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
