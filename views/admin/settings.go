package admin

// SettingsPage shows administrators how people sign in. It is read-only:
// the settings come from environment variables, read once at start-up, so
// each one names the variable that changes it.
type SettingsPage struct {
	// LoginMode is "local", "sso" or "both"; LoginModeLabel and
	// LoginModeHelp say what it means for the sign-in page.
	LoginMode      string
	LoginModeLabel string
	LoginModeHelp  string
	// BaseURL is the public URL the callback URLs are built from.
	BaseURL string
	// Providers are the identity providers that are configured and
	// started, in the order of their sign-in buttons.
	Providers []ProviderRow
	// NoProviders explains an empty provider list (SSO is off, or on
	// without a provider).
	NoProviders string
	// NoProvidersIsProblem marks NoProviders as a warning: the login mode
	// offers single sign-on but nobody can use it.
	NoProvidersIsProblem bool
	DevIdP               DevIdPSetting
	// AllowedDomains limit new SSO accounts; empty allows any domain.
	AllowedDomains []string
	// SessionIdle and SessionMax are written for people: "2 hours".
	SessionIdle string
	SessionMax  string
	// SCIM is the provisioning section; nil when SCIM is not served.
	SCIM *SCIMSection
}

// ProviderRow is one started identity provider.
type ProviderRow struct {
	DisplayName string
	// Name is the route name, as in /auth/<name>.
	Name string
	// Kind is the protocol or vendor: "OpenID Connect", "GitHub", ….
	Kind string
	// CallbackURL is the redirect URI to register at the provider.
	CallbackURL string
	// BackChannelLogoutURL is the back-channel logout URI to register
	// (OpenID Connect providers); PostLogoutRedirectURL the
	// post_logout_redirect_uri, when single sign-out is on for it.
	BackChannelLogoutURL  string
	PostLogoutRedirectURL string
	// Issuer is set for OpenID Connect providers.
	Issuer string
	// DevIdP marks the app's built-in development identity provider.
	DevIdP bool
	// EnvVars are the variables that configure the provider.
	EnvVars []string
}

// DevIdPSetting says whether the development identity provider is on.
type DevIdPSetting struct {
	On bool
	// Production marks it on in production, where it lets anyone sign in
	// as anyone.
	Production bool
	// Help says what it does, or why it is off.
	Help string
}
