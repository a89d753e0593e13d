package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/sso"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
)

// adminSettings shows administrators how people sign in. The page is
// read-only on purpose: the settings are environment variables, read once
// at start-up, so a form here could not change them.
func (a *Application) adminSettings(c echo.Context) error {
	return a.renderSettings(c, http.StatusOK, adminviews.SCIMSection{}) // app/web/admin_scim.go
}

// devIdPPath is where app/app.go serves the development identity provider,
// under BASE_URL; its issuer is BASE_URL + devIdPPath.
const devIdPPath = "/dev-idp"

// signInSettings builds the sign-in settings page from the configuration
// and the providers the SSO package actually started.
func (a *Application) signInSettings() adminviews.SettingsPage {
	cfg := a.cfg
	p := adminviews.SettingsPage{
		LoginMode:      string(cfg.LoginMode),
		BaseURL:        cfg.BaseURL,
		AllowedDomains: cfg.SSO.AllowedDomains,
		SessionIdle:    humanDuration(cfg.SessionIdle),
		SessionMax:     humanDuration(cfg.SessionMax),
		DevIdP:         a.devIdPSetting(),
	}
	p.LoginModeLabel, p.LoginModeHelp = loginModeText(cfg.LoginMode)
	if a.sso != nil {
		for _, info := range a.sso.Providers() {
			p.Providers = append(p.Providers, a.providerRow(info))
		}
	}
	switch {
	case len(p.Providers) > 0:
	case cfg.LoginMode == config.LoginLocal:
		p.NoProviders = "None: the login mode is local, so no identity provider is started."
	default:
		p.NoProviders = "No identity provider is configured, so nobody can sign in with single sign-on. " +
			"Configure one with SSO_OIDC_ISSUER (or SSO_GITHUB_KEY, SSO_GOOGLE_KEY, SSO_MICROSOFT_KEY), " +
			"or turn on the development identity provider with DEV_IDP=on."
		p.NoProvidersIsProblem = true
	}
	return p
}

// loginModeText says in words what a login mode does to the sign-in page.
func loginModeText(m config.LoginMode) (label, help string) {
	switch m {
	case config.LoginLocal:
		return "Local accounts only",
			"People sign in with their e-mail and password. The sign-in page shows no single sign-on buttons."
	case config.LoginSSO:
		return "Single sign-on only",
			"People sign in with an identity provider; there is no password form. " +
				"With one provider, the sign-in page sends visitors straight to it."
	}
	return "Single sign-on and local accounts",
		"The sign-in page shows a button for each identity provider, then the e-mail and password form."
}

// devIdPStarted reports whether the "openid-connect" provider is the
// development identity provider. app/app.go starts it only when no real
// issuer is set (SSO_OIDC_ISSUER), and only a real issuer makes an
// "openid-connect" provider otherwise.
func (a *Application) devIdPStarted() bool {
	return a.sso != nil && a.sso.Has("openid-connect") && a.cfg.SSO.OIDCIssuer == "" && a.cfg.SSO.DevIdP
}

func (a *Application) devIdPSetting() adminviews.DevIdPSetting {
	cfg := a.cfg
	switch {
	case a.devIdPStarted() && cfg.IsProduction():
		return adminviews.DevIdPSetting{On: true, Production: true,
			Help: "It is on in production: anyone who can reach this app can sign in as anyone. Turn it off with DEV_IDP=off unless this is a throw-away demo."}
	case a.devIdPStarted():
		return adminviews.DevIdPSetting{On: true,
			Help: "The built-in identity provider at " + cfg.BaseURL + devIdPPath + " signs in any of its demo identities, or a new one, without a password. For development and demos only."}
	case cfg.SSO.DevIdP && cfg.SSO.OIDCIssuer != "":
		return adminviews.DevIdPSetting{Help: "Off: a real OpenID Connect issuer is configured (SSO_OIDC_ISSUER) and takes its place."}
	case cfg.SSO.DevIdP && cfg.LoginMode == config.LoginLocal:
		return adminviews.DevIdPSetting{Help: "Off: the login mode is local."}
	}
	return adminviews.DevIdPSetting{Help: "Off. DEV_IDP=on serves a built-in identity provider for development and demos; it is on by default in development."}
}

// providerRow describes a started provider, with what an administrator
// registers at the provider and the variables that configure it.
func (a *Application) providerRow(info sso.ProviderInfo) adminviews.ProviderRow {
	cfg := a.cfg
	r := adminviews.ProviderRow{
		DisplayName: info.DisplayName,
		Name:        info.Name,
		CallbackURL: sso.CallbackURL(cfg.BaseURL, info.Name),
	}
	if info.BackChannelLogout {
		r.BackChannelLogoutURL = sso.BackChannelLogoutURL(cfg.BaseURL, info.Name)
	}
	if info.EndSession {
		r.PostLogoutRedirectURL = cfg.BaseURL + paths.SignedOut
	}
	switch info.Name {
	case "openid-connect":
		r.Kind = "OpenID Connect"
		if a.devIdPStarted() {
			r.Kind, r.DevIdP = "OpenID Connect, development identity provider", true
			r.Issuer = cfg.BaseURL + devIdPPath
			r.EnvVars = []string{"DEV_IDP"}
		} else {
			r.Issuer = cfg.SSO.OIDCIssuer
			r.EnvVars = []string{"SSO_OIDC_ISSUER", "SSO_OIDC_CLIENT_ID", "SSO_OIDC_CLIENT_SECRET", "SSO_OIDC_NAME", "SSO_OIDC_END_SESSION"}
		}
	case "github":
		r.Kind = "GitHub (OAuth)"
		r.EnvVars = []string{"SSO_GITHUB_KEY", "SSO_GITHUB_SECRET"}
	case "google":
		r.Kind = "Google"
		r.EnvVars = []string{"SSO_GOOGLE_KEY", "SSO_GOOGLE_SECRET"}
	case "microsoft":
		r.Kind = fmt.Sprintf("Microsoft (tenant %s)", cfg.SSO.MicrosoftTenant)
		r.EnvVars = []string{"SSO_MICROSOFT_KEY", "SSO_MICROSOFT_SECRET", "SSO_MICROSOFT_TENANT"}
	default:
		// A provider a forker added in code (sso.Goth in app/app.go).
		r.Kind = "Added in app/app.go"
	}
	return r
}

// humanDuration writes a duration for people: "2 hours", "30 minutes",
// "1 hour 30 minutes", "7 days".
func humanDuration(d time.Duration) string {
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if n := d / u.size; n > 0 {
			parts = append(parts, plural(int(n), u.name))
			d -= n * u.size
		}
	}
	if len(parts) == 0 {
		return d.String()
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
