package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/config"
)

// load runs config.Load on exactly the variables given, as if the process
// environment held nothing else.
func load(t *testing.T, env map[string]string) (config.Config, error) {
	t.Helper()
	return config.Load(func(key string) string { return env[key] })
}

// productionEnv is the smallest environment production accepts. Tests of a
// refusal start from it and spoil one variable, so the error can only come
// from that variable.
func productionEnv() map[string]string {
	return map[string]string{
		"APP_ENV":        "production",
		"BASE_URL":       "https://expenses.example.com",
		"SESSION_SECRET": "k3J9x2QpL7vN4mR8tY1wZ6bC0dF5gH2j",
	}
}

func with(env map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(env)+1)
	for k, v := range env {
		out[k] = v
	}
	out[key] = value
	return out
}

func without(env map[string]string, key string) map[string]string {
	out := with(env, key, "")
	delete(out, key)
	return out
}

func TestLoadWithNothingSetRunsInDevelopmentWithWorkingDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("Load with an empty environment: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Env", c.Env, config.Development},
		{"IsProduction", c.IsProduction(), false},
		{"Addr", c.Addr, "127.0.0.1:8080"},
		{"BaseURL", c.BaseURL, "http://localhost:8080"},
		{"LoginMode", c.LoginMode, config.LoginBoth},
		{"DatabaseURL", c.DatabaseURL, ""},
		{"SQLitePath", c.SQLitePath, "data/expenses.db"},
		{"SessionSecret", c.SessionSecret, config.DevSessionSecret},
		{"SessionIdle", c.SessionIdle, 2 * time.Hour},
		{"SessionMax", c.SessionMax, 12 * time.Hour},
		{"TrustProxy", c.TrustProxy, false},
		{"SSO.MicrosoftTenant", c.SSO.MicrosoftTenant, "common"},
		{"SSO.AllowedDomains", len(c.SSO.AllowedDomains), 0},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadListensOnPORTWhenSet(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"PORT": "9090"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9090" {
		t.Errorf("Addr = %q, want %q", c.Addr, "127.0.0.1:9090")
	}
}

func TestLoadTrimsTrailingSlashFromBaseURL(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"BASE_URL": "https://expenses.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://expenses.example.com" {
		t.Errorf("BaseURL = %q, want no trailing slash", c.BaseURL)
	}
}

func TestLoadAcceptsEveryLoginModeInAnyCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]config.LoginMode{
		"local": config.LoginLocal,
		"SSO":   config.LoginSSO,
		"Both":  config.LoginBoth,
	} {
		c, err := load(t, map[string]string{"LOGIN_MODE": in})
		if err != nil {
			t.Errorf("LOGIN_MODE=%q: %v", in, err)
			continue
		}
		if c.LoginMode != want {
			t.Errorf("LOGIN_MODE=%q gives %q, want %q", in, c.LoginMode, want)
		}
	}
}

func TestLoadEnvironmentDefaultsForDevIdPSeedAndApps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		devIdP   bool
		seed     bool
		withApps bool
	}{
		{"development turns the dev IdP and demo data on", map[string]string{"APP_ENV": "development"}, true, true, true},
		{"production turns the dev IdP and demo data off", productionEnv(), false, false, false},
		{"development with DEV_IDP=off does not", map[string]string{"DEV_IDP": "off"}, false, true, true},
		{"development with SEED_DEMO_DATA=false does not seed", map[string]string{"SEED_DEMO_DATA": "false"}, true, false, true},
		{"APP_ENV is case-insensitive", with(productionEnv(), "APP_ENV", "Production"), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.SSO.DevIdP != tt.devIdP {
				t.Errorf("SSO.DevIdP = %v, want %v", c.SSO.DevIdP, tt.devIdP)
			}
			if c.Seed != tt.seed {
				t.Errorf("Seed = %v, want %v", c.Seed, tt.seed)
			}
			if got := len(c.Apps) > 0; got != tt.withApps {
				t.Errorf("default Apps = %v, want some: %v", c.Apps, tt.withApps)
			}
		})
	}
}

func TestLoadAcceptsMinimalProductionConfig(t *testing.T) {
	t.Parallel()
	c, err := load(t, productionEnv())
	if err != nil {
		t.Fatalf("Load(productionEnv()): %v", err)
	}
	if !c.IsProduction() {
		t.Errorf("IsProduction() = false for APP_ENV=production")
	}
	if c.BaseURL != "https://expenses.example.com" {
		t.Errorf("BaseURL = %q", c.BaseURL)
	}
}

// Every refusal must name the variable to fix: the message is all an
// operator sees when the app does not start.
func TestLoadRefusesBadSettingsAndNamesTheVariable(t *testing.T) {
	t.Parallel()
	dev := map[string]string{}
	tests := []struct {
		name    string
		env     map[string]string
		mention string
	}{
		{"production without BASE_URL", without(productionEnv(), "BASE_URL"), "BASE_URL"},
		{"production with the development session secret", with(productionEnv(), "SESSION_SECRET", config.DevSessionSecret), "SESSION_SECRET"},
		{"production without SESSION_SECRET", without(productionEnv(), "SESSION_SECRET"), "SESSION_SECRET"},
		{"production with a 31-character session secret", with(productionEnv(), "SESSION_SECRET", strings.Repeat("x", 31)), "SESSION_SECRET"},
		{"production with an OIDC issuer but no client secret",
			with(with(productionEnv(), "SSO_OIDC_ISSUER", "https://id.example.com"), "SSO_OIDC_CLIENT_ID", "expenses"),
			"SSO_OIDC_CLIENT_SECRET"},
		{"an OIDC issuer without a client id", with(dev, "SSO_OIDC_ISSUER", "https://id.example.com"), "SSO_OIDC_CLIENT_ID"},
		{"an unknown APP_ENV", with(dev, "APP_ENV", "staging"), "APP_ENV"},
		{"an unknown LOGIN_MODE", with(dev, "LOGIN_MODE", "password"), "LOGIN_MODE"},
		{"a BASE_URL without scheme", with(dev, "BASE_URL", "expenses.example.com"), "BASE_URL"},
		{"a BASE_URL with a javascript: scheme", with(dev, "BASE_URL", "javascript:alert(1)"), "BASE_URL"},
		{"an idle timeout that is not a duration", with(dev, "SESSION_IDLE_TIMEOUT", "2 hours"), "SESSION_IDLE_TIMEOUT"},
		{"an idle timeout without unit", with(dev, "SESSION_IDLE_TIMEOUT", "30"), "SESSION_IDLE_TIMEOUT"},
		{"a zero idle timeout", with(dev, "SESSION_IDLE_TIMEOUT", "0s"), "SESSION_IDLE_TIMEOUT"},
		{"a negative session max age", with(dev, "SESSION_MAX_AGE", "-1h"), "SESSION_MAX_AGE"},
		{"a session max age that is not a duration", with(dev, "SESSION_MAX_AGE", "forever"), "SESSION_MAX_AGE"},
		{"a SEED_DEMO_DATA that is not a boolean", with(dev, "SEED_DEMO_DATA", "maybe"), "SEED_DEMO_DATA"},
		{"production with demo data, whose password is public", with(productionEnv(), "SEED_DEMO_DATA", "yes"), "SEED_DEMO_DATA"},
		{"production with the development identity provider", with(productionEnv(), "DEV_IDP", "on"), "DEV_IDP"},
		{"off-site APPS link with a backslash", with(dev, "APPS", `Evil=/\evil.example.com`), "APPS"},
		{"BOOTSTRAP_ADMINS that are not e-mail addresses", with(dev, "BOOTSTRAP_ADMINS", "root"), "BOOTSTRAP_ADMINS"},
		{"a short BOOTSTRAP_ADMIN_PASSWORD", with(with(dev, "BOOTSTRAP_ADMINS", "it@example.com"), "BOOTSTRAP_ADMIN_PASSWORD", "short"), "BOOTSTRAP_ADMIN_PASSWORD"},
		{"BOOTSTRAP_ADMIN_PASSWORD without BOOTSTRAP_ADMINS", with(dev, "BOOTSTRAP_ADMIN_PASSWORD", "a-long-enough-password"), "BOOTSTRAP_ADMINS"},
		{"a TRUST_PROXY that is not a boolean", with(dev, "TRUST_PROXY", "2"), "TRUST_PROXY"},
		{"a DEV_IDP that is not a boolean", with(dev, "DEV_IDP", "enabled"), "DEV_IDP"},
		{"a SCIM_TOKEN shorter than 32 characters", with(dev, "SCIM_TOKEN", strings.Repeat("t", 31)), "SCIM_TOKEN"},
		{"a SCIM_HARD_DELETE that is not a boolean", with(dev, "SCIM_HARD_DELETE", "sometimes"), "SCIM_HARD_DELETE"},
		{"malformed APPS", with(dev, "APPS", "Travel"), "APPS"},
		{"a DB_MAX_OPEN_CONNS of zero", with(dev, "DB_MAX_OPEN_CONNS", "0"), "DB_MAX_OPEN_CONNS"},
		{"a DB_MAX_IDLE_CONNS that is not a number", with(dev, "DB_MAX_IDLE_CONNS", "ten"), "DB_MAX_IDLE_CONNS"},
		{"a DB_CONN_MAX_LIFETIME without unit", with(dev, "DB_CONN_MAX_LIFETIME", "30"), "DB_CONN_MAX_LIFETIME"},
		{"a DB_STATEMENT_TIMEOUT that is not a duration", with(dev, "DB_STATEMENT_TIMEOUT", "long"), "DB_STATEMENT_TIMEOUT"},
		{"a negative DB_CONNECT_TIMEOUT", with(dev, "DB_CONNECT_TIMEOUT", "-5s"), "DB_CONNECT_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatalf("Load accepted %v", tt.env)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not name %s", err, tt.mention)
			}
		})
	}
}

func TestLoadAcceptsEveryBooleanSpelling(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"1": true, "true": true, "ON": true, "yes": true,
		"0": false, "False": false, "off": false, "NO": false,
	} {
		c, err := load(t, map[string]string{"TRUST_PROXY": in})
		if err != nil {
			t.Errorf("TRUST_PROXY=%q: %v", in, err)
			continue
		}
		if c.TrustProxy != want {
			t.Errorf("TRUST_PROXY=%q gives %v, want %v", in, c.TrustProxy, want)
		}
	}
}

func TestLoadReadsSessionDurations(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"SESSION_IDLE_TIMEOUT": "30m", "SESSION_MAX_AGE": "1h30m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionIdle != 30*time.Minute || c.SessionMax != 90*time.Minute {
		t.Errorf("SessionIdle, SessionMax = %v, %v, want 30m, 1h30m", c.SessionIdle, c.SessionMax)
	}
}

func TestLoadNormalisesAllowedSSODomains(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"SSO_ALLOWED_DOMAINS": " @Example.COM , corp.example.org,, @ ,@Sub.Example.NET"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.com", "corp.example.org", "sub.example.net"}
	if !reflect.DeepEqual(c.SSO.AllowedDomains, want) {
		t.Errorf("AllowedDomains = %q, want %q", c.SSO.AllowedDomains, want)
	}
}

func TestLoadReadsAppsFromTheEnvironment(t *testing.T) {
	t.Parallel()
	c, err := load(t, with(productionEnv(), "APPS", "HR=/hr"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []config.AppLink{{Name: "HR", URL: "/hr"}}; !reflect.DeepEqual(c.Apps, want) {
		t.Errorf("Apps = %+v, want %+v", c.Apps, want)
	}
}

func TestParseAppsReadsNameURLPairs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []config.AppLink
	}{
		{"", nil},
		{" , ", nil},
		{"Travel=https://travel.example.com", []config.AppLink{{"Travel", "https://travel.example.com"}}},
		{" Time sheets = http://time.example.com , HR=/hr ", []config.AppLink{
			{"Time sheets", "http://time.example.com"}, {"HR", "/hr"},
		}},
		{"Search=https://search.example.com/?q=a&lang=en", []config.AppLink{{"Search", "https://search.example.com/?q=a&lang=en"}}},
	}
	for _, tt := range tests {
		got, err := config.ParseApps(tt.in)
		if err != nil {
			t.Errorf("ParseApps(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseApps(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseAppsRefusesUnsafeOrMalformedEntries(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"Evil=javascript:alert(1)",
		"Evil=JavaScript:alert(1)",
		"Evil=data:text/html;base64,PHNjcmlwdD4=",
		"Mail=mailto:help@example.com",
		"Relative=hr/index.html",
		"Travel",
		"=https://travel.example.com",
		"Travel=",
		"Travel=https://travel.example.com,Broken",
		"Offsite=//evil.example.com",
	} {
		if got, err := config.ParseApps(in); err == nil {
			t.Errorf("ParseApps(%q) = %+v, want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "APPS") {
			t.Errorf("ParseApps(%q) error %q does not name APPS", in, err)
		}
	}
}

func TestLoadDefaultBaseURLFollowsPORT(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"PORT": "8091"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://localhost:8091" {
		t.Errorf("BaseURL = %q, want http://localhost:8091", c.BaseURL)
	}
}

// The development identity provider signs in anyone as anyone: an anonymous
// visitor who types a BOOTSTRAP_ADMINS address becomes administrator. So
// production refuses it outright, as it refuses the demo data.
func TestLoadRefusesTheDevelopmentIdentityProviderInProduction(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"on", "true", "1"} {
		_, err := load(t, with(productionEnv(), "DEV_IDP", v))
		if err == nil {
			t.Fatalf("production with DEV_IDP=%s started", v)
		}
		if !strings.Contains(err.Error(), "DEV_IDP") {
			t.Errorf("error %q does not name DEV_IDP", err)
		}
	}
	if _, err := load(t, with(productionEnv(), "DEV_IDP", "off")); err != nil {
		t.Errorf("production with DEV_IDP=off: %v", err)
	}
}

func TestLoadListensOnLoopbackInDevelopmentAndEveryInterfaceInProduction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		addr string
	}{
		{"development", map[string]string{}, "127.0.0.1:8080"},
		{"production", productionEnv(), ":8080"},
		{"development with HOST", map[string]string{"HOST": "0.0.0.0", "PORT": "9000"}, "0.0.0.0:9000"},
		{"production with HOST", with(productionEnv(), "HOST", "10.0.0.5"), "10.0.0.5:8080"},
		{"an IPv6 HOST", map[string]string{"HOST": "::1"}, "[::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.addr {
				t.Errorf("Addr = %q, want %q", c.Addr, tt.addr)
			}
		})
	}
}

// An operator fixes every problem in one go: Load reports them all, one per
// line, instead of the first one per restart.
func TestLoadReportsEveryProblemAtOnceOnePerLine(t *testing.T) {
	t.Parallel()
	env := with(with(with(with(without(productionEnv(), "BASE_URL"),
		"SESSION_SECRET", "short"),
		"LOGIN_MODE", "password"),
		"SESSION_IDLE_TIMEOUT", "forever"),
		"APPS", "Broken")
	_, err := load(t, env)
	if err == nil {
		t.Fatal("Load accepted five bad settings")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, name := range []string{"BASE_URL", "SESSION_SECRET", "LOGIN_MODE", "SESSION_IDLE_TIMEOUT", "APPS"} {
		found := 0
		for _, l := range lines {
			if strings.Contains(l, name) {
				found++
			}
		}
		if found == 0 {
			t.Errorf("no line names %s in %q", name, err)
		}
	}
	if len(lines) != 5 {
		t.Errorf("%d lines, want one per problem (5): %q", len(lines), err)
	}
}

// Browsers treat a backslash as a slash, so "/\host" is an off-site link, as
// is an http(s) "URL" without a host.
func TestParseAppsRefusesLinksBrowsersReadAsOffSite(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`Evil=/\evil.example.com`,
		`Evil=/\/evil.example.com`,
		`Evil=\\evil.example.com`,
		`Evil=https:/\evil.example.com`,
		`Evil=https:evil.example.com`,
		`Evil=http:///evil`,
		`HR=/hr\..\admin`,
	} {
		if got, err := config.ParseApps(in); err == nil {
			t.Errorf("ParseApps(%q) = %+v, want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "APPS") {
			t.Errorf("ParseApps(%q) error %q does not name APPS", in, err)
		}
	}
}

func TestLoadReadsTheSCIMSettingsWithHardDeleteOffByDefault(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"SCIM_TOKEN": strings.Repeat("t", 32)})
	if err != nil {
		t.Fatal(err)
	}
	if c.SCIM.Token != strings.Repeat("t", 32) || c.SCIM.HardDelete {
		t.Errorf("SCIM settings %+v, want the token and hard delete off", c.SCIM)
	}
	if c, _ := load(t, map[string]string{"SCIM_HARD_DELETE": "on"}); !c.SCIM.HardDelete {
		t.Error("SCIM_HARD_DELETE=on not read")
	}
}

// The pool settings are read as given; unset ones stay zero, which
// app/database turns into its documented defaults.
func TestLoadReadsTheDatabasePoolSettingsAndLeavesUnsetOnesToTheDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, map[string]string{"DB_MAX_OPEN_CONNS": "8", "DB_MAX_IDLE_CONNS": "4", "DB_CONN_MAX_LIFETIME": "5m",
		"DB_STATEMENT_TIMEOUT": "2s", "DB_CONNECT_TIMEOUT": "3s"})
	if err != nil {
		t.Fatal(err)
	}
	want := config.DBPool{MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: 5 * time.Minute, StatementTimeout: 2 * time.Second, ConnectTimeout: 3 * time.Second}
	if c.DBPool != want {
		t.Errorf("DBPool = %+v, want %+v", c.DBPool, want)
	}
	if c, _ := load(t, map[string]string{}); c.DBPool != (config.DBPool{}) {
		t.Errorf("DBPool with nothing set = %+v, want zero (the defaults)", c.DBPool)
	}
}
