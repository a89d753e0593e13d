package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
)

func writeDotEnv(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDotEnvFillsWhatTheRealEnvironmentLeavesUnset(t *testing.T) {
	t.Parallel()
	path := writeDotEnv(t, "# local settings\nexport PORT=9090\nAPP_NAME=\"Acme Travel\"\nLOGIN_MODE='local'\n\nSSO_OIDC_NAME=from file\n")
	real := map[string]string{"SSO_OIDC_NAME": "from environment"}
	getenv, loaded, err := config.WithDotEnv(path, func(k string) string { return real[k] })
	if err != nil || !loaded {
		t.Fatalf("WithDotEnv: loaded=%v err=%v", loaded, err)
	}
	for key, want := range map[string]string{
		"PORT": "9090", "APP_NAME": "Acme Travel", "LOGIN_MODE": "local",
		"SSO_OIDC_NAME": "from environment", // the real environment wins
		"DATABASE_URL":  "",
	} {
		if got := getenv(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func TestDotEnvIsIgnoredWhenTheEnvironmentIsProduction(t *testing.T) {
	t.Parallel()
	path := writeDotEnv(t, "SESSION_SECRET=from-a-stray-file\n")
	real := map[string]string{"APP_ENV": "production"}
	getenv, loaded, err := config.WithDotEnv(path, func(k string) string { return real[k] })
	if err != nil || loaded {
		t.Fatalf("WithDotEnv in production: loaded=%v err=%v, want the file ignored", loaded, err)
	}
	if got := getenv("SESSION_SECRET"); got != "" {
		t.Errorf("SESSION_SECRET = %q from .env in production", got)
	}
}

func TestDotEnvRefusesToSwitchToProductionAndMalformedLines(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"production": "APP_ENV=production\n",
		"no equals":  "PORT 8080\n",
		"space":      "MY KEY=1\n",
	} {
		_, _, err := config.WithDotEnv(writeDotEnv(t, body), func(string) string { return "" })
		if err == nil {
			t.Errorf("%s: %q accepted, want an error", name, body)
		}
	}
}

func TestDotEnvIsOptional(t *testing.T) {
	t.Parallel()
	getenv, loaded, err := config.WithDotEnv(filepath.Join(t.TempDir(), ".env"), func(string) string { return "x" })
	if err != nil || loaded || getenv("ANY") != "x" {
		t.Fatalf("missing .env: loaded=%v err=%v", loaded, err)
	}
}

// .env.example is how a forker learns every setting: it must list exactly
// the variables configuration reads.
func TestEnvExampleListsEveryVariableConfigurationReads(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	// Two passes, development and production, so that variables read only
	// in one environment are seen too.
	for _, env := range []string{"development", "production"} {
		_, _ = config.Load(func(k string) string {
			read[k] = true
			if k == "APP_ENV" {
				return env
			}
			return ""
		})
	}
	b, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#?\s*([A-Z][A-Z0-9_]*)=`).FindAllStringSubmatch(string(b), -1) {
		listed[m[1]] = true
	}
	var missing, extra []string
	for k := range read {
		if !listed[k] {
			missing = append(missing, k)
		}
	}
	for k := range listed {
		if !read[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf(".env.example lacks %s: add a line with its default", strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		t.Errorf(".env.example lists %s, which configuration does not read", strings.Join(extra, ", "))
	}
	if !read["SESSION_SECRET"] {
		t.Fatal("recording getenv saw no SESSION_SECRET: config.Load no longer reads through getenv")
	}
}
