// Package config reads the application's settings from the environment.
//
// Every setting a forker may change is a field of Config, read in Load, and
// listed in README's configuration table. Development defaults let `go run .`
// work with nothing set; production refuses to start with them.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/company-expenses/company-expenses/app/mail/smtpurl"
	"github.com/company-expenses/company-expenses/app/rolemap"
)

// Environment names where the app runs.
type Environment string

// The two environments. Development enables demo data, the demo accounts on
// the sign-in page and the built-in development identity provider.
const (
	Development Environment = "development"
	Production  Environment = "production"
)

// LoginMode says which ways to sign in the sign-in page offers.
type LoginMode string

// Login modes.
const (
	LoginLocal LoginMode = "local" // e-mail and password only
	LoginSSO   LoginMode = "sso"   // single sign-on only: visitors go straight to the provider
	LoginBoth  LoginMode = "both"  // SSO buttons, then "or", then e-mail and password
)

// DevSessionSecret is the development default of SESSION_SECRET. Production
// refuses to start with it.
const DevSessionSecret = "dev-only-session-secret-change-me-0123456789"

// AppLink is one entry of the navigation widget's app switcher.
type AppLink struct {
	Name string
	URL  string
}

// Config holds every setting of the application.
type Config struct {
	Env     Environment
	AppName string
	// Host is the interface the app listens on: HOST, by default 127.0.0.1
	// in development (its identity provider signs anyone in, and the
	// sign-in page prints the demo password) and every interface in
	// production.
	Host string
	// Addr is the listen address, Host and PORT joined ("127.0.0.1:8080").
	Addr string
	// ProfileAddr is DEBUG_PPROF_ADDR: where a second listener serves Go's
	// profiles (net/http/pprof), empty (the default) for none. A loopback
	// address only: profiles show memory, which may hold secrets.
	ProfileAddr string
	// BaseURL is the public URL of the app, without a trailing slash. SSO
	// callback URLs are built from it.
	BaseURL string
	// DatabaseURL is empty for the embedded SQLite database at SQLitePath,
	// or a postgres:// URL.
	DatabaseURL string
	SQLitePath  string
	// DBPool holds DB_MAX_OPEN_CONNS, DB_MAX_IDLE_CONNS,
	// DB_CONN_MAX_LIFETIME, DB_STATEMENT_TIMEOUT and DB_CONNECT_TIMEOUT;
	// a zero field is unset, and app/database's default applies (its Pool
	// says which, and why).
	DBPool DBPool
	// SessionSecret keys the short-lived cookie that carries SSO state
	// through the identity provider's round trip.
	SessionSecret string
	// SessionIdle and SessionMax bound a signed-in session.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// AuditRetention is how long the audit log keeps an event (app/audit);
	// zero keeps events forever.
	AuditRetention time.Duration
	// Seed fills an empty database with the demo company (development only).
	Seed bool
	// MigrateOnStart applies pending schema migrations at start-up
	// (MIGRATE_ON_START, on by default). Off, start-up refuses to go on
	// while a migration is pending: for teams that migrate as a deploy step
	// (go run . migrate).
	MigrateOnStart bool
	// Apps are the company's other applications, for the app switcher.
	Apps []AppLink
	// LoginMode is local, sso or both.
	LoginMode LoginMode
	// BootstrapAdmins are e-mail addresses that are made administrators: at
	// start-up when the account exists, and at their first SSO sign-in when
	// it does not yet. This is how a fresh production deployment gets its
	// first administrator.
	BootstrapAdmins []string
	// BootstrapAdminPassword, when set, creates a local administrator account
	// for the first of BootstrapAdmins at start-up if it does not exist, for
	// deployments without SSO.
	BootstrapAdminPassword string
	// TwoFactorForAdmins makes administrators who sign in with a password
	// set up two-factor sign-in before anything else (TWO_FACTOR_ADMINS:
	// "required", the default in production, or "optional").
	TwoFactorForAdmins bool
	// TrustProxy makes the app take the client IP from X-Forwarded-For, set by
	// a reverse proxy you trust. Leave it off when clients connect directly,
	// or they can forge their address and dodge login throttling.
	TrustProxy bool
	// SMTPURL is the SMTP server mail goes out through (smtp:// with
	// STARTTLS, smtps://); empty in development keeps mail at /dev/mail.
	SMTPURL string
	// MailFrom is the sender of every mail, "Name <address>" or an address.
	MailFrom string

	SSO SSO

	// SCIM holds the SCIM provisioning settings (app/scim).
	SCIM SCIM
}

// SCIM holds the settings of SCIM provisioning at /scim/v2.
type SCIM struct {
	// Token is SCIM_TOKEN: a bearer token for infrastructure as code, at
	// least 32 characters, besides the tokens administrators make on the
	// settings page. Empty for none.
	Token string
	// HardDelete makes a SCIM DELETE delete the person instead of
	// deactivating them (SCIM_HARD_DELETE, off by default).
	HardDelete bool
}

// DBPool is the database connection pool and its timeouts.
type DBPool struct {
	MaxOpenConns, MaxIdleConns                        int
	ConnMaxLifetime, StatementTimeout, ConnectTimeout time.Duration
}

// SSO holds the single sign-on settings. Only providers with a client id are
// enabled.
type SSO struct {
	// AllowedDomains limits new SSO accounts to these e-mail domains; empty
	// allows every domain.
	AllowedDomains []string

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCName         string
	// OIDCTrustEmail declares that the OIDC provider releases verified
	// addresses only, so one without email_verified counts as verified
	// (SSO_OIDC_TRUST_EMAIL).
	OIDCTrustEmail bool
	// OIDCEndSession turns on RP-initiated logout for the OpenID Connect
	// provider (SSO_OIDC_END_SESSION): signing out of an SSO session also
	// ends the provider's session. DevIdPEndSession is the same for the
	// development identity provider: on unless SSO_OIDC_END_SESSION says
	// otherwise, so that the demo shows single sign-out, while a real
	// issuer gets it only when asked for (it sends people to the provider's
	// own signed-out page, which a team should choose to show).
	OIDCEndSession   bool
	DevIdPEndSession bool

	GitHubKey, GitHubSecret       string
	GoogleKey, GoogleSecret       string
	MicrosoftKey, MicrosoftSecret string
	// MicrosoftTenant is the company's tenant id; "common",
	// "organizations" and "consumers" need MicrosoftAnyTenant.
	MicrosoftTenant string
	// MicrosoftAnyTenant lets people of any Microsoft tenant sign in; their
	// addresses then count as unverified (SSO_MICROSOFT_ANY_TENANT).
	MicrosoftAnyTenant bool

	// DevIdP serves the built-in development identity provider. It is on by
	// default in development, off in production unless DEV_IDP=on.
	DevIdP bool

	// RolesClaim names the claim that carries a person's groups or app
	// roles (SSO_ROLES_CLAIM): "groups" by default, "roles" for Entra ID's
	// app roles.
	RolesClaim string
	// RoleMap maps provider groups onto the app's roles (SSO_ROLE_MAP);
	// the roles it names are managed by the provider (app/rolemap).
	RoleMap rolemap.Map
	// DepartmentClaim, JobTitleClaim and ManagerClaim name the claims the
	// directory attributes come from (SSO_DEPARTMENT_CLAIM, default
	// "department"; SSO_JOB_TITLE_CLAIM, "job_title"; SSO_MANAGER_CLAIM,
	// "manager_email", a manager's e-mail or subject).
	DepartmentClaim string
	JobTitleClaim   string
	ManagerClaim    string

	// SAML 2.0 (provider "saml"): on when the identity provider's metadata
	// is set, by URL or file (SSO_SAML_IDP_METADATA_URL / _FILE).
	SAMLMetadataURL, SAMLMetadataFile string
	// SAMLEntityID is this app's entity id (SSO_SAML_ENTITY_ID); empty
	// means BASE_URL/auth/saml/metadata.
	SAMLEntityID string
	// SAMLCertFile and SAMLKeyFile are the service provider's key pair
	// (SSO_SAML_CERT_FILE, SSO_SAML_KEY_FILE). Development makes one
	// under data/ when they are missing; production needs both set.
	SAMLCertFile, SAMLKeyFile string
	// SAMLName is the button's provider name (SSO_SAML_NAME).
	SAMLName string
	// SAMLEmailAttributes, SAMLNameAttributes and SAMLGroupsAttributes
	// are the attribute names to read (SSO_SAML_EMAIL_ATTRIBUTE,
	// SSO_SAML_NAME_ATTRIBUTE, SSO_SAML_GROUPS_ATTRIBUTE, comma-separated);
	// empty means the module's defaults for Entra ID, ADFS, Okta and
	// Shibboleth.
	SAMLEmailAttributes, SAMLNameAttributes, SAMLGroupsAttributes []string
	// SAMLIDAttribute names an immutable attribute to identify people by
	// when the NameID is not persistent (SSO_SAML_ID_ATTRIBUTE).
	SAMLIDAttribute string
	// SAMLIdPInitiated accepts sign-ins started at the identity provider
	// (SSO_SAML_IDP_INITIATED, off by default).
	SAMLIdPInitiated bool
	// DevIdPSAML adds the development identity provider's SAML side as a
	// second development button, "SAML (development)" (DEV_IDP_SAML, off
	// by default: one development button is clearer for the demo).
	DevIdPSAML bool
}

// SAMLConfigured reports whether a SAML identity provider is configured.
func (s SSO) SAMLConfigured() bool { return s.SAMLMetadataURL != "" || s.SAMLMetadataFile != "" }

// IsProduction reports whether the app runs in production.
func (c Config) IsProduction() bool { return c.Env == Production }

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests) and checks it. It reports every problem it finds at once, joined
// with errors.Join (one per line), so that an operator fixes them all in one
// go instead of one per restart.
func Load(getenv func(string) string) (Config, error) {
	var problems []error
	env := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Env:     Environment(strings.ToLower(env("APP_ENV", string(Development)))),
		AppName: env("APP_NAME", "Company Expenses"),
		// The default follows PORT, so that changing only the port keeps the
		// SSO callback and the development provider's issuer right.
		BaseURL:       strings.TrimRight(env("BASE_URL", "http://localhost:"+env("PORT", "8080")), "/"),
		SessionSecret: env("SESSION_SECRET", DevSessionSecret),
		LoginMode:     LoginMode(strings.ToLower(env("LOGIN_MODE", string(LoginBoth)))),
		SSO: SSO{
			OIDCIssuer:       env("SSO_OIDC_ISSUER", ""),
			OIDCClientID:     env("SSO_OIDC_CLIENT_ID", ""),
			OIDCClientSecret: env("SSO_OIDC_CLIENT_SECRET", ""),
			OIDCName:         env("SSO_OIDC_NAME", "Company SSO"),
			GitHubKey:        env("SSO_GITHUB_KEY", ""),
			GitHubSecret:     env("SSO_GITHUB_SECRET", ""),
			GoogleKey:        env("SSO_GOOGLE_KEY", ""),
			GoogleSecret:     env("SSO_GOOGLE_SECRET", ""),
			MicrosoftKey:     env("SSO_MICROSOFT_KEY", ""),
			MicrosoftSecret:  env("SSO_MICROSOFT_SECRET", ""),
			MicrosoftTenant:  env("SSO_MICROSOFT_TENANT", "common"),
		},
	}
	if c.Env != Development && c.Env != Production {
		problems = append(problems, fmt.Errorf("APP_ENV must be development or production, not %q", c.Env))
	}
	// Development listens on the loopback interface only: its identity
	// provider signs anyone in as anyone, and the sign-in page prints the
	// demo password. Production listens on every interface (IPv4 and IPv6);
	// HOST=0.0.0.0 limits it to IPv4.
	defaultHost := "127.0.0.1"
	if c.Env == Production {
		defaultHost = ""
	}
	c.Host = env("HOST", defaultHost)
	c.Addr = net.JoinHostPort(c.Host, env("PORT", "8080"))
	c.ProfileAddr = env("DEBUG_PPROF_ADDR", "")
	if c.ProfileAddr != "" {
		if err := loopbackAddr(c.ProfileAddr); err != nil {
			problems = append(problems, fmt.Errorf("DEBUG_PPROF_ADDR %w", err))
		}
	}
	switch c.LoginMode {
	case LoginLocal, LoginSSO, LoginBoth:
	default:
		problems = append(problems, fmt.Errorf("LOGIN_MODE must be local, sso or both, not %q", c.LoginMode))
	}
	var err error
	if c.SessionIdle, err = duration(env("SESSION_IDLE_TIMEOUT", "2h"), "SESSION_IDLE_TIMEOUT"); err != nil {
		problems = append(problems, err)
	}
	if c.SessionMax, err = duration(env("SESSION_MAX_AGE", "12h"), "SESSION_MAX_AGE"); err != nil {
		problems = append(problems, err)
	}
	if c.AuditRetention, err = retention(env("AUDIT_RETENTION", "8760h"), "AUDIT_RETENTION"); err != nil {
		problems = append(problems, err)
	}
	db, dbProblems := loadDatabase(env)
	c.DatabaseURL, c.SQLitePath, c.DBPool = db.URL, db.SQLitePath, db.Pool
	problems = append(problems, dbProblems...)
	if c.MigrateOnStart, err = flag(env("MIGRATE_ON_START", "on"), "MIGRATE_ON_START"); err != nil {
		problems = append(problems, err)
	}
	if c.Seed, err = flag(env("SEED_DEMO_DATA", strconv.FormatBool(c.Env == Development)), "SEED_DEMO_DATA"); err != nil {
		problems = append(problems, err)
	}
	if c.TrustProxy, err = flag(env("TRUST_PROXY", "false"), "TRUST_PROXY"); err != nil {
		problems = append(problems, err)
	}
	if c.SSO.DevIdP, err = flag(env("DEV_IDP", strconv.FormatBool(c.Env == Development)), "DEV_IDP"); err != nil {
		problems = append(problems, err)
	}
	if c.SSO.OIDCTrustEmail, err = flag(env("SSO_OIDC_TRUST_EMAIL", "off"), "SSO_OIDC_TRUST_EMAIL"); err != nil {
		return c, err
	}
	if c.SSO.OIDCEndSession, err = flag(env("SSO_OIDC_END_SESSION", "off"), "SSO_OIDC_END_SESSION"); err != nil {
		problems = append(problems, err)
	}
	c.SSO.DevIdPEndSession = c.SSO.OIDCEndSession || strings.TrimSpace(getenv("SSO_OIDC_END_SESSION")) == ""
	if c.SSO.MicrosoftAnyTenant, err = flag(env("SSO_MICROSOFT_ANY_TENANT", "off"), "SSO_MICROSOFT_ANY_TENANT"); err != nil {
		return c, err
	}
	c.SSO.SAMLMetadataURL = env("SSO_SAML_IDP_METADATA_URL", "")
	c.SSO.SAMLMetadataFile = env("SSO_SAML_IDP_METADATA_FILE", "")
	c.SSO.SAMLEntityID = env("SSO_SAML_ENTITY_ID", "")
	certFile, keyFile := "", ""
	if c.Env == Development {
		// Made on first use (sso.LoadSAMLKeyPair) and kept, so that the
		// metadata registered at an identity provider stays valid.
		certFile, keyFile = "data/saml-sp.crt", "data/saml-sp.key"
	}
	c.SSO.SAMLCertFile = env("SSO_SAML_CERT_FILE", certFile)
	c.SSO.SAMLKeyFile = env("SSO_SAML_KEY_FILE", keyFile)
	c.SSO.SAMLName = env("SSO_SAML_NAME", "Company SSO")
	c.SSO.SAMLEmailAttributes = list(getenv("SSO_SAML_EMAIL_ATTRIBUTE"))
	c.SSO.SAMLNameAttributes = list(getenv("SSO_SAML_NAME_ATTRIBUTE"))
	c.SSO.SAMLGroupsAttributes = list(getenv("SSO_SAML_GROUPS_ATTRIBUTE"))
	c.SSO.SAMLIDAttribute = env("SSO_SAML_ID_ATTRIBUTE", "")
	if c.SSO.SAMLIdPInitiated, err = flag(env("SSO_SAML_IDP_INITIATED", "off"), "SSO_SAML_IDP_INITIATED"); err != nil {
		problems = append(problems, err)
	}
	if c.SSO.DevIdPSAML, err = flag(env("DEV_IDP_SAML", "off"), "DEV_IDP_SAML"); err != nil {
		problems = append(problems, err)
	}
	if c.SSO.SAMLMetadataURL != "" && c.SSO.SAMLMetadataFile != "" {
		problems = append(problems, errors.New("set one of SSO_SAML_IDP_METADATA_URL and SSO_SAML_IDP_METADATA_FILE, not both"))
	}
	c.SSO.RolesClaim = env("SSO_ROLES_CLAIM", "groups")
	c.SSO.DepartmentClaim = env("SSO_DEPARTMENT_CLAIM", "department")
	c.SSO.JobTitleClaim = env("SSO_JOB_TITLE_CLAIM", "job_title")
	c.SSO.ManagerClaim = env("SSO_MANAGER_CLAIM", "manager_email")
	if c.SSO.RoleMap, err = rolemap.Parse(getenv("SSO_ROLE_MAP")); err != nil {
		problems = append(problems, fmt.Errorf("SSO_ROLE_MAP: %w", err))
	}
	defaultApps := ""
	if c.Env == Development {
		defaultApps = "Travel=https://travel.example.com,Time sheets=https://time.example.com,Service desk=https://help.example.com"
	}
	if c.Apps, err = ParseApps(env("APPS", defaultApps)); err != nil {
		problems = append(problems, err)
	}
	for _, a := range strings.Split(getenv("BOOTSTRAP_ADMINS"), ",") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			if !strings.Contains(a, "@") {
				problems = append(problems, fmt.Errorf("BOOTSTRAP_ADMINS must list e-mail addresses, not %q", a))
				continue
			}
			c.BootstrapAdmins = append(c.BootstrapAdmins, a)
		}
	}
	c.BootstrapAdminPassword = getenv("BOOTSTRAP_ADMIN_PASSWORD")
	defaultTwoFactor := "optional"
	if c.Env == Production {
		defaultTwoFactor = "required"
	}
	switch v := env("TWO_FACTOR_ADMINS", defaultTwoFactor); v {
	case "required", "optional":
		c.TwoFactorForAdmins = v == "required"
	default:
		problems = append(problems, fmt.Errorf("TWO_FACTOR_ADMINS must be required or optional, not %q", v))
	}
	if c.BootstrapAdminPassword != "" {
		if len(c.BootstrapAdmins) == 0 {
			problems = append(problems, errors.New("BOOTSTRAP_ADMIN_PASSWORD needs BOOTSTRAP_ADMINS (the e-mail of the account to create)"))
		}
		if len([]rune(c.BootstrapAdminPassword)) < 12 {
			problems = append(problems, errors.New("BOOTSTRAP_ADMIN_PASSWORD must have at least 12 characters"))
		}
	}
	for _, d := range strings.Split(getenv("SSO_ALLOWED_DOMAINS"), ",") {
		if d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@"))); d != "" {
			c.SSO.AllowedDomains = append(c.SSO.AllowedDomains, d)
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Errorf("BASE_URL must be an absolute http(s) URL, not %q", c.BaseURL))
	}
	c.SMTPURL, c.MailFrom = env("SMTP_URL", ""), env("MAIL_FROM", c.AppName+" <noreply@localhost>")
	if _, err := smtpurl.Parse(c.SMTPURL); c.SMTPURL != "" && err != nil {
		problems = append(problems, err)
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Address == "" {
		problems = append(problems, fmt.Errorf("MAIL_FROM must be an address such as \"Company Expenses <expenses@example.com>\", not %q", c.MailFrom))
	}
	c.SCIM.Token = env("SCIM_TOKEN", "")
	if c.SCIM.Token != "" && len(c.SCIM.Token) < 32 {
		problems = append(problems, errors.New("SCIM_TOKEN must be at least 32 characters (for example: openssl rand -base64 32)"))
	}
	if c.SCIM.HardDelete, err = flag(env("SCIM_HARD_DELETE", "off"), "SCIM_HARD_DELETE"); err != nil {
		problems = append(problems, err)
	}
	if c.SSO.OIDCIssuer != "" && c.SSO.OIDCClientID == "" {
		problems = append(problems, errors.New("SSO_OIDC_CLIENT_ID is required when SSO_OIDC_ISSUER is set"))
	}

	if c.IsProduction() {
		if strings.TrimSpace(getenv("BASE_URL")) == "" {
			problems = append(problems, errors.New("BASE_URL must be set in production (SSO callback URLs are built from it)"))
		}
		if c.SessionSecret == DevSessionSecret || len(c.SessionSecret) < 32 {
			problems = append(problems, errors.New("SESSION_SECRET must be set in production to a random value of at least 32 characters (not the development default)"))
		}
		if c.SSO.OIDCIssuer != "" && c.SSO.OIDCClientSecret == "" {
			problems = append(problems, errors.New("SSO_OIDC_CLIENT_SECRET must be set in production when SSO_OIDC_ISSUER is set"))
		}
		if c.SMTPURL != "" && strings.TrimSpace(getenv("MAIL_FROM")) == "" {
			problems = append(problems, errors.New("MAIL_FROM must be set in production when SMTP_URL is set (the sender your mail server accepts)"))
		}
		if c.Seed {
			problems = append(problems, errors.New("SEED_DEMO_DATA must be off in production: the demo accounts share a public password (use BOOTSTRAP_ADMINS for the first administrator)"))
		}
		if c.SSO.SAMLConfigured() && (c.SSO.SAMLCertFile == "" || c.SSO.SAMLKeyFile == "") {
			problems = append(problems, errors.New("SSO_SAML_CERT_FILE and SSO_SAML_KEY_FILE must be set in production when SAML is configured (the service provider's certificate and key, PEM)"))
		}
		if c.SSO.DevIdP {
			problems = append(problems, errors.New("DEV_IDP must be off in production: the development identity provider signs in anyone as anyone, administrators included (configure a real SSO provider or BOOTSTRAP_ADMINS)"))
		}
	}
	return c, errors.Join(problems...)
}

// ParseApps reads the app switcher's entries: comma-separated "Name=URL"
// pairs, for example "Travel=https://travel.example.com,HR=/hr".
func ParseApps(s string) ([]AppLink, error) {
	var apps []AppLink
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, link, ok := strings.Cut(part, "=")
		name, link = strings.TrimSpace(name), strings.TrimSpace(link)
		if !ok || name == "" || link == "" {
			return nil, fmt.Errorf("APPS: %q is not of the form Name=URL", part)
		}
		if !safeAppLink(link) {
			return nil, fmt.Errorf("APPS: %q must be an absolute http(s) URL or a local path starting with a single /", link)
		}
		apps = append(apps, AppLink{Name: name, URL: link})
	}
	return apps, nil
}

// safeAppLink reports whether link is an absolute http(s) URL with a host,
// or a local path that starts with exactly one slash. Browsers read "//host"
// and "/\host" (a backslash counts as a slash) as links to another site, so
// backslashes are refused anywhere.
func safeAppLink(link string) bool {
	if strings.Contains(link, "\\") {
		return false
	}
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Host != ""
	}
	return u.Scheme == "" && strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//")
}

func duration(v, name string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as 30m or 12h, not %q", name, v)
	}
	return d, nil
}

// retention is duration that also accepts 0, for "keep forever".
func retention(v, name string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || (d > 0 && d < time.Hour) {
		return 0, fmt.Errorf("%s must be a duration of at least 1h such as 8760h (a year), or 0 to keep everything, not %q", name, v)
	}
	return d, nil
}

// Database is the part of the configuration that opens the database: all
// that the migrate command (main.go) needs.
type Database struct {
	URL, SQLitePath string
	Pool            DBPool
}

// LoadDatabase reads only the database settings (DATABASE_URL, SQLITE_PATH
// and the DB_ settings), so that running the migrations as a deploy step
// needs no session secret, SSO or mail settings.
func LoadDatabase(getenv func(string) string) (Database, error) {
	d, problems := loadDatabase(func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	})
	return d, errors.Join(problems...)
}

func loadDatabase(env func(key, def string) string) (Database, []error) {
	var problems []error
	d := Database{URL: env("DATABASE_URL", ""), SQLitePath: env("SQLITE_PATH", "data/expenses.db")}
	for _, it := range []struct {
		name string
		dst  *int
	}{{"DB_MAX_OPEN_CONNS", &d.Pool.MaxOpenConns}, {"DB_MAX_IDLE_CONNS", &d.Pool.MaxIdleConns}} {
		name, dst := it.name, it.dst
		if v := env(name, ""); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n <= 0 {
				problems = append(problems, fmt.Errorf("%s must be a positive whole number, not %q", name, v))
			} else {
				*dst = n
			}
		}
	}
	for _, it := range []struct {
		name string
		dst  *time.Duration
	}{{"DB_CONN_MAX_LIFETIME", &d.Pool.ConnMaxLifetime}, {"DB_STATEMENT_TIMEOUT", &d.Pool.StatementTimeout},
		{"DB_CONNECT_TIMEOUT", &d.Pool.ConnectTimeout}} {
		name, dst := it.name, it.dst
		if v := env(name, ""); v != "" {
			var err error
			if *dst, err = duration(v, name); err != nil {
				problems = append(problems, err)
			}
		}
	}
	return d, problems
}

func flag(v, name string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s must be on or off, not %q", name, v)
}

// list splits a comma-separated setting, dropping empty entries.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// loopbackAddr checks that addr is host:port with a loopback IP address
// (127.0.0.1, [::1]) and a port.
func loopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("must be host:port, such as 127.0.0.1:6060, not %q", addr)
	}
	// An address, not a name: "localhost" is looked up when the listener
	// opens, and what it resolves to is the machine's business.
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("must be a loopback address (127.0.0.1 or [::1]), not %q: profiles show the process's memory", host)
	}
	return nil
}
