// Package app wires Company Expenses together: it opens the database, runs
// migrations and the demo seed, builds the web application, starts the SSO
// routes, and serves HTTP until the context ends.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/provisioning"
	"github.com/company-expenses/company-expenses/app/rolemap"
	"github.com/company-expenses/company-expenses/app/scim"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/app/web"
	"github.com/company-expenses/company-expenses/models"
	"github.com/company-expenses/company-expenses/static"
	authviews "github.com/company-expenses/company-expenses/views/auth"
)

// App is the running application.
type App struct {
	Config config.Config
	DB     *gorm.DB
	Web    *web.Application
	log    *slog.Logger
	sess   *auth.Sessions
	thr    *auth.Throttle
	links  *accountlink.Links
	// Hasher bounds concurrent password hashing for the whole process
	// (exported so that tests can fill its slots).
	Hasher *auth.Hasher
	// Mailer delivers the mail outbox; nil in production without SMTP_URL.
	Mailer *mail.Worker
}

// New opens the database named by cfg, migrates it, seeds the demo company
// when asked to and the database is empty, and builds the web application.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := openDB(ctx, config.Database{URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath, Pool: cfg.DBPool}, log)
	if err != nil {
		return nil, err
	}
	return NewWithDB(ctx, cfg, db, log)
}

// NewWithDB is New on a database the caller opened (tests use it).
func NewWithDB(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger) (*App, error) {
	return NewWithModules(ctx, cfg, db, log, modules(db, log))
}

// NewWithModules is NewWithDB with the modules given instead of the ones
// modules() wires, so that the template's tests can run the template alone
// (or with a small test module) and a module's tests can run just theirs.
func NewWithModules(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger, mods []module.Module) (*App, error) {
	if err := migrateOnStart(ctx, cfg, db, log, mods); err != nil {
		return nil, err
	}
	// In development the app serves its own identity provider and makes it
	// the "openid-connect" provider, unless a real issuer is configured.
	useDevIdP := cfg.SSO.DevIdP && cfg.SSO.OIDCIssuer == "" && cfg.LoginMode != config.LoginLocal
	if cfg.Seed {
		if err := seedDemo(ctx, db, log, mods, useDevIdP, devIdPIssuer(cfg)); err != nil {
			return nil, fmt.Errorf("seed demo data: %w", err)
		}
	}
	if useDevIdP && !cfg.IsProduction() {
		moved, err := seed.FollowDevIssuer(ctx, db, "openid-connect", devIdPIssuer(cfg))
		if err != nil {
			return nil, fmt.Errorf("follow the development identity provider's issuer: %w", err)
		}
		if moved > 0 {
			log.Info("development identity provider moved: its identities now name the new issuer", "issuer", devIdPIssuer(cfg), "identities", moved)
		}
	}
	roles := module.RolesOf(mods)
	if err := checkRoleMap(cfg.SSO.RoleMap, roles); err != nil {
		return nil, err
	}
	ps := people.NewService(db, roles)
	ps.SetRoleMap(cfg.SSO.RoleMap)
	if err := bootstrapAdmin(ctx, cfg, ps, log); err != nil {
		return nil, fmt.Errorf("bootstrap administrator: %w", err)
	}
	if cfg.IsProduction() {
		if err := checkProductionAccess(ctx, db, cfg, mods); err != nil {
			return nil, err
		}
	}
	mailer, err := newMailer(cfg, db, log)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	a := &App{
		Mailer: mailer,
		Config: cfg,
		DB:     db,
		log:    log,
		sess:   auth.NewSessions(db, cfg.SessionIdle, cfg.SessionMax),
		thr:    auth.NewThrottle(db, 15*time.Minute, auth.Limits{PerAccountAndIP: 5, PerAccount: 50, PerIP: 200, PerDevice: 5}),
		Hasher: auth.NewHasher(auth.DefaultHashSlots(), auth.DefaultHashWait),
	}
	// Password reset and invitations; reset requests have a throttle of
	// their own on the sign-in throttle's table (app/accountlink).
	accounts := accountlink.NewService(accountlink.Options{
		DB: db, Throttle: auth.NewThrottle(db, accountlink.ResetWindow, accountlink.ResetLimits),
		BaseURL: cfg.BaseURL, AppName: cfg.AppName,
	})
	a.links = accounts.Links()
	// SCIM provisioning at /scim/v2 (app/scim); what its clients change
	// goes into the audit log (scim_audit.go).
	provisioner := scim.New(scim.Config{
		DB: db, People: ps, Log: log, BaseURL: cfg.BaseURL, RoleMap: cfg.SSO.RoleMap,
		HardDelete: cfg.SCIM.HardDelete, StaticToken: cfg.SCIM.Token,
		Record: recordSCIM(db, log),
	})
	a.Web = web.New(web.Deps{
		SCIM:         provisioner,
		Config:       cfg,
		DB:           db,
		Log:          log,
		Sessions:     a.sess,
		Throttle:     a.thr,
		Hasher:       a.Hasher,
		People:       ps,
		Accounts:     accounts,
		Modules:      mods,
		DemoPassword: seed.DemoPassword,
		DemoAccounts: signInList(module.RosterOf(mods)),
	})

	var providers []sso.ProviderSpec
	if useDevIdP {
		idp, spec, err := startDevIdP(cfg, log, a.Handler(), devIdPStatus(db, log, "openid-connect", devIdPIssuer(cfg)))
		if err != nil {
			return nil, err
		}
		a.Web.MountDevIdP(idp.BasePath(), idp.Handler())
		providers = append(providers, spec)
		if cfg.SSO.DevIdPSAML && !cfg.SSO.SAMLConfigured() {
			side, spec, err := startDevSAML(cfg, idp, devIdPStatus(db, log, devSAMLName, devidp.SAMLMetadataURL(idp.Issuer())))
			if err != nil {
				return nil, err
			}
			if err := linkDevSAMLIdentities(ctx, db, cfg, side.MetadataURL()); err != nil {
				return nil, fmt.Errorf("link the demo people's SAML identities: %w", err)
			}
			a.Web.MountDevIdP(side.BasePath(), side.Handler())
			providers = append(providers, spec)
		}
	}
	providers = append(providers, configuredSSOProviders(cfg)...)
	if cfg.SSO.SAMLConfigured() && cfg.LoginMode != config.LoginLocal {
		spec, err := samlProviderSpec(cfg)
		if err != nil {
			return nil, err
		}
		providers = append(providers, spec)
	}

	// The app's side of the SSO hooks: provisioning, and roles and
	// directory attributes that follow the identity provider.
	hooks := &provisioning.Hooks{RoleMap: cfg.SSO.RoleMap, Roles: roles, Log: log}

	// Mendix tutorial, steps 10–11: StartAppCloudServices is the app's "after startup"
	// routine. This one call registers GET /auth/{provider} and
	// GET /auth/{provider}/callback with the configured providers. Without
	// it those URLs answer 404 Not Found, as the Mendix tutorial warns.
	ssoService, err := sso.Start(ctx, a.Web.PageRoutes(), sso.Config{
		BaseURL:        cfg.BaseURL,
		Secret:         cfg.SessionSecret,
		SecureCookies:  cfg.IsProduction(),
		AllowedDomains: cfg.SSO.AllowedDomains,
		Providers:      providers,
		DB:             db,
		Logger:         log,
		App:            a.Web,
		// SAML's assertion consumer service: a cross-site POST, outside
		// the CSRF check (app/web/saml.go).
		CrossSitePosts: a.Web.CrossSitePosts(),
		// The module's pages inside the app's layouts, its links to the
		// app's pages.
		Pages: a.Web.SSOPages(),
		URLs:  sso.URLs{SignIn: paths.Login, Profile: paths.Profile, Home: paths.Home},
		// Mendix tutorial, step 6 (InvokeOnFirstLoginAppCloudUser): the expenses side's
		// first-login hook. Change this line to provision people your way.
		OnFirstLogin:     hooks.OnFirstLogin,
		OnReturningLogin: hooks.OnReturningLogin,
		// The claims the provider's groups (SSO_ROLE_MAP's input) and
		// directory attributes come from.
		Claims: sso.ClaimNames{Groups: cfg.SSO.RolesClaim, Department: cfg.SSO.DepartmentClaim,
			JobTitle: cfg.SSO.JobTitleClaim, Manager: cfg.SSO.ManagerClaim},
		// Back-channel logout (POST /auth/{provider}/backchannel-logout) is
		// server to server: on the router itself, outside the
		// CSRF-protected pages.
		ServerRoutes:     a.Web.Echo(),
		OnProviderLogout: a.Web.EndProviderSessions,
		// Connecting and disconnecting providers, and sign-ins the
		// account rules refuse, go into the audit log.
		OnIdentityChange: web.RecordIdentityChange,
		OnSignInRefused:  a.Web.RecordSSORefusal,
		// People provisioned by SCIM: their first SSO sign-in links to the
		// account SCIM made, by the provider's immutable id.
		OnProvisionedLogin: provisioner.ProvisionedLogin,
	})
	if err != nil {
		return nil, err
	}
	a.Web.UseSSO(ssoService)
	return a, nil
}

// checkRoleMap refuses an SSO_ROLE_MAP that names a role the app does not
// have (a typo would otherwise grant nothing, silently), or the employee
// role, which everyone holds and which no group may take away.
func checkRoleMap(m rolemap.Map, roles models.Roles) error {
	var problems []error
	for _, r := range m.ManagedRoles() {
		switch {
		case models.Role(r) == models.RoleEmployee:
			problems = append(problems, fmt.Errorf("SSO_ROLE_MAP: the %q role is everyone's and cannot follow a group; remove %q from the map", r, r))
		case !roles.Valid(models.Role(r)):
			known := make([]string, 0, len(roles.All()))
			for _, k := range roles.All() {
				if k != models.RoleEmployee {
					known = append(known, string(k))
				}
			}
			problems = append(problems, fmt.Errorf("SSO_ROLE_MAP: the app has no role %q; the roles it can map are %s", r, strings.Join(known, ", ")))
		}
	}
	return errors.Join(problems...)
}

// signInList is the development sign-in page's list of demo accounts: the
// seeded roster's.
func signInList(r seed.Roster) []authviews.DemoAccount {
	out := make([]authviews.DemoAccount, len(r.SignIn))
	for i, a := range r.SignIn {
		out[i] = authviews.DemoAccount{Email: a.Email, Role: a.Role}
	}
	return out
}

// modules are the domains plugged into the template through the seam in
// app/module. This is the one place that wires them: delete a module's line
// (and its folders) and the template runs without it. The expenses demo is
// the one line below; go run ./app/cmd/newproject -without-demo removes it.
func modules(db *gorm.DB, log *slog.Logger) []module.Module {
	return []module.Module{
		expensesmodule.New(db, log),
	}
}

// configuredSSOProviders are the identity providers set in the environment
// (SSO_OIDC_*, SSO_GITHUB_*, SSO_GOOGLE_*, SSO_MICROSOFT_*). Only those with
// a client id get a button. The local-only login mode has none.
func configuredSSOProviders(cfg config.Config) []sso.ProviderSpec {
	if cfg.LoginMode == config.LoginLocal {
		return nil
	}
	c := cfg.SSO
	var ps []sso.ProviderSpec
	if c.OIDCIssuer != "" {
		ps = append(ps, sso.OIDC{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, DisplayName: c.OIDCName,
			TrustEmail: c.OIDCTrustEmail, EndSession: c.OIDCEndSession})
	}
	if c.GitHubKey != "" {
		ps = append(ps, sso.GitHub{Key: c.GitHubKey, Secret: c.GitHubSecret})
	}
	if c.GoogleKey != "" {
		ps = append(ps, sso.Google{Key: c.GoogleKey, Secret: c.GoogleSecret})
	}
	if c.MicrosoftKey != "" {
		ps = append(ps, sso.Microsoft{Key: c.MicrosoftKey, Secret: c.MicrosoftSecret, Tenant: c.MicrosoftTenant,
			AnyTenant: c.MicrosoftAnyTenant})
	}
	return ps
}

// devIdPClientID is the app's client id at the development identity
// provider.
const devIdPClientID = "company-expenses-dev"

// startDevIdP builds the development identity provider at BASE_URL/dev-idp,
// registers the app as its client with a secret made at start, and returns
// the spec that makes it the app's "openid-connect" provider. The SSO
// package talks to it in-process (discovery, JWKS, token, userinfo), because
// the server is not listening yet at start-up, but through the same goth
// and ID-token verification code as a real issuer. Its back-channel logout
// tokens reach the app the same way, through app (the app's handler), so
// that single sign-out works however BASE_URL is reached from outside.
// status tells its picker what signing in as each identity will do here.
func startDevIdP(cfg config.Config, log *slog.Logger, app http.Handler, status devidp.StatusFunc) (*devidp.Provider, sso.OIDC, error) {
	secret := rand.Text()
	idp, err := devidp.New(devidp.Config{
		Issuer: devIdPIssuer(cfg),
		Clients: []devidp.Client{{
			ID: devIdPClientID, Secret: secret,
			RedirectURIs:           []string{sso.CallbackURL(cfg.BaseURL, "openid-connect")},
			PostLogoutRedirectURIs: []string{cfg.BaseURL + paths.SignedOut},
			BackChannelLogoutURI:   sso.BackChannelLogoutURL(cfg.BaseURL, "openid-connect"),
		}},
		BackChannelClient: sso.InProcessClient(cfg.BaseURL+"/auth", app),
		Identities:        seed.DevIdPIdentities(),
		Logger:            log,
		CSRFToken:         web.RequestCSRFToken,
		Stylesheet:        static.URL("css/app.css"),
		// The picker says what each identity will do here (devidp_status.go).
		Status: status,
	})
	if err != nil {
		return nil, sso.OIDC{}, fmt.Errorf("development identity provider: %w", err)
	}
	return idp, sso.OIDC{
		DisplayName:  "Company SSO (development)",
		Issuer:       idp.Issuer(),
		ClientID:     devIdPClientID,
		ClientSecret: secret,
		HTTPClient:   sso.InProcessClient(idp.Issuer(), idp.Handler()),
		// On unless SSO_OIDC_END_SESSION=off, so that the demo shows
		// single sign-out (config.SSO.DevIdPEndSession).
		EndSession: cfg.SSO.DevIdPEndSession,
	}, nil
}

// devIdPIssuer is the development identity provider's issuer. The seeded
// demo identities record it, as SSO sign-ins record theirs.
func devIdPIssuer(cfg config.Config) string { return cfg.BaseURL + "/dev-idp" }

// seedDemo seeds the demo company into an empty database: the template's
// people or a module's roster (module.RosterOf), then every module's data.
func seedDemo(ctx context.Context, db *gorm.DB, log *slog.Logger, mods []module.Module, linkDevIdentities bool, devIssuer string) error {
	// One transaction for the whole demo company: a crash half-way leaves an
	// empty database, which the next start seeds again, never a half-seeded
	// one that would be left alone.
	var people int
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		emps, err := seed.Company(ctx, tx, module.RosterOf(mods))
		if err != nil || emps == nil {
			return err
		}
		for _, m := range mods {
			if m.Seed != nil && m.Seed.Data != nil {
				if err := m.Seed.Data(ctx, tx, emps); err != nil {
					return fmt.Errorf("seed %s: %w", m.Name, err)
				}
			}
		}
		if linkDevIdentities {
			if err := seed.LinkDevIdentities(ctx, tx, "openid-connect", devIssuer); err != nil {
				return err
			}
		}
		people = len(emps)
		return nil
	})
	if err != nil {
		return err
	}
	if people > 0 {
		log.Info("seeded the demo company", "people", people)
	}
	return nil
}

// bootstrapAdmin creates the first administrator's local account when
// BOOTSTRAP_ADMIN_PASSWORD asks for one. (Listed people who sign in with SSO
// are made administrators at sign-in, by the web layer.)
func bootstrapAdmin(ctx context.Context, cfg config.Config, ps *people.Service, log *slog.Logger) error {
	if cfg.BootstrapAdminPassword == "" {
		return nil
	}
	email := cfg.BootstrapAdmins[0]
	created, err := ps.EnsureBootstrapAdmin(ctx, email, "Administrator", cfg.BootstrapAdminPassword)
	if err != nil {
		return err
	}
	if created {
		log.Warn("created the bootstrap administrator; sign in, change its password and unset BOOTSTRAP_ADMIN_PASSWORD", "email", email)
	}
	return nil
}

// checkProductionAccess refuses a production database that the public demo
// password opens, and a production instance nobody can ever sign in to as
// administrator. It reports both problems at once.
func checkProductionAccess(ctx context.Context, db *gorm.DB, cfg config.Config, mods []module.Module) error {
	var problems []error
	// The demo accounts are recognised by e-mail, not by trying the demo
	// password on their hashes: their addresses are at example.com, which is
	// reserved (RFC 2606) and so never a real person's, every one of them
	// was seeded with the public password, and checking is one indexed
	// query instead of an Argon2 hash per account at every start. An
	// operator who really wants such an account deactivates it or removes
	// its password.
	var emails []string
	// The template's people and the modules' roster: either may have
	// seeded this database.
	for _, p := range append(seed.Template().People, module.RosterOf(mods).People...) {
		emails = append(emails, p.Email)
	}
	var demo []string
	err := db.WithContext(ctx).Model(&models.User{}).
		Where("email IN ? AND active = ? AND password_hash <> ''", emails, true).
		Order("email").Limit(3).Pluck("email", &demo).Error
	if err != nil {
		return fmt.Errorf("look for demo accounts: %w", err)
	}
	if len(demo) > 0 {
		problems = append(problems, fmt.Errorf("the database holds active demo accounts (%s, …) whose password is public; "+
			"production refuses to serve it: use a database without the demo data, or deactivate those accounts", strings.Join(demo, ", ")))
	}

	if len(configuredSSOProviders(cfg)) == 0 && !cfg.SSO.SAMLConfigured() {
		var admins int64
		err := db.WithContext(ctx).Model(&models.User{}).
			Joins("JOIN user_roles ON user_roles.user_id = users.id").
			Where("user_roles.role = ? AND users.active = ? AND users.password_hash <> ''", models.RoleAdmin, true).
			Count(&admins).Error
		if err != nil {
			return fmt.Errorf("look for administrators: %w", err)
		}
		if admins == 0 || cfg.LoginMode == config.LoginSSO {
			problems = append(problems, errors.New("nobody can sign in as administrator: no SSO provider is configured (SSO_OIDC_ISSUER, SSO_GITHUB_KEY, SSO_GOOGLE_KEY, SSO_MICROSOFT_KEY or SSO_SAML_IDP_METADATA_URL, with LOGIN_MODE sso or both) "+
				"and no active administrator has a password (LOGIN_MODE local or both); set BOOTSTRAP_ADMINS and BOOTSTRAP_ADMIN_PASSWORD to create one"))
		}
	}
	return errors.Join(problems...)
}

// Handler returns the HTTP handler of the application.
func (a *App) Handler() http.Handler { return a.Web.Echo() }

// Time limits of a request, from the inside out. The handler's context ends
// after web.RequestTimeout (30 s); the body is read within that budget, so
// reading the whole request may take the header timeout plus it; writing may
// take it plus a little, for the timeout page. The shutdown drain is longer
// than any request can last (writeTimeout bounds it once its header is
// read), so a deploy never cuts off a request that would have finished.
// Orchestrators must wait longer still before they kill the process (in
// Kubernetes, terminationGracePeriodSeconds of 60).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = readHeaderTimeout + web.RequestTimeout
	writeTimeout      = web.RequestTimeout + 15*time.Second
	shutdownDrain     = writeTimeout + 5*time.Second
)

// server is the HTTP server Run starts.
func (a *App) server() *http.Server {
	return &http.Server{
		Addr:              a.Config.Addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}

// Run serves HTTP on cfg.Addr until ctx ends (SIGINT or SIGTERM in main),
// then lets requests in flight finish (see shutdownDrain).
func (a *App) Run(ctx context.Context) error {
	srv := a.server()
	go a.housekeeping(ctx)
	if a.Config.ProfileAddr != "" {
		go serveProfiles(ctx, a.Config.ProfileAddr, a.log)
	}
	if a.Mailer != nil {
		go a.Mailer.Run(ctx) // every instance sends the outbox (app/mail)
	}
	errc := make(chan error, 1)
	go func() {
		a.log.Info("listening", "addr", a.Config.Addr, "url", a.Config.BaseURL, "env", a.Config.Env)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownDrain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if sqlDB, err := a.DB.DB(); err == nil {
		_ = sqlDB.Close()
	}
	return nil
}

// housekeeping deletes expired sessions, old login attempts (reset
// requests' too), expired reset links and audit events older than
// AUDIT_RETENTION every ten minutes, and empties SQLite's write-ahead log.
// Any instance may do it; the deletes are idempotent.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.sess.DeleteExpired(ctx); err != nil {
				a.log.Warn("delete expired sessions", "err", err)
			} else if n > 0 {
				a.log.Info("deleted expired sessions", "count", n)
			}
			if err := a.thr.Prune(ctx); err != nil {
				a.log.Warn("prune login attempts", "err", err)
			}
			if _, err := a.links.DeleteExpired(ctx); err != nil {
				a.log.Warn("delete expired reset links", "err", err)
			}
			a.pruneAudit(ctx)
			// After a burst of writes the log is bounded by
			// database.WALSizeLimit; this gives the space back entirely.
			if err := database.Checkpoint(ctx, a.DB); err != nil {
				a.log.Warn("checkpoint", "err", err)
			}
		}
	}
}

// pruneAudit deletes the audit events older than AUDIT_RETENTION (none
// when it is 0), in batches (app/audit.Prune). Every instance runs it; two
// at once only share the work.
func (a *App) pruneAudit(ctx context.Context) {
	if a.Config.AuditRetention <= 0 {
		return
	}
	n, err := audit.Prune(ctx, a.DB, time.Now().Add(-a.Config.AuditRetention), audit.PruneBatch)
	if err != nil {
		a.log.Warn("prune the audit log", "err", err)
	} else if n > 0 {
		a.log.Info("pruned the audit log", "deleted", n, "retention", a.Config.AuditRetention.String())
	}
}
