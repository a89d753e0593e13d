package sso

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/google"
)

// ProviderSpec configures one identity provider for Start. The
// implementations are OIDC (any standard OpenID Connect issuer), GitHub,
// Google, Microsoft, and Goth (any other goth provider).
type ProviderSpec interface {
	build(ctx context.Context, b builder) (*provider, error)
}

// builder carries what every provider needs to be built.
type builder struct {
	baseURL string
	timeout time.Duration
	retry   time.Duration
	now     func() time.Time
}

func (b builder) callbackURL(name string) string { return CallbackURL(b.baseURL, name) }

func (b builder) client() *http.Client { return &http.Client{Timeout: b.timeout} }

// CallbackURL is the redirect URI to register at the identity provider for
// the provider with this route name.
func CallbackURL(baseURL, name string) string {
	return strings.TrimRight(baseURL, "/") + "/auth/" + name + "/callback"
}

// Kinds of provider, for the per-provider rules on e-mail addresses.
const (
	kindOIDC      = "oidc"
	kindGitHub    = "github"
	kindGoogle    = "google"
	kindMicrosoft = "microsoft"
	kindGoth      = "goth"
)

// provider is a configured identity provider: goth's provider, or for
// OpenID Connect our discovery of it (with the ID-token verifier goth lacks).
type provider struct {
	name    string
	display string
	kind    string
	// goth is set for every provider but OpenID Connect ones, whose goth
	// provider exists only once discovery succeeded (see disc).
	goth goth.Provider
	// disc is set for OpenID Connect providers. Their logins use PKCE and a
	// nonce, and their ID tokens are verified.
	disc *discovery
	// client makes the calls to the provider that goth does not make.
	client *http.Client
	// trustEmail says the provider releases verified addresses only, so an
	// address counts as verified without a claim saying so.
	trustEmail bool
	// githubEmails is GitHub's /user/emails endpoint, where the primary
	// address's verification is read.
	githubEmails string
	// noAvatar drops the avatar URL the provider gives, for providers whose
	// picture URL needs an access token (Microsoft Graph).
	noAvatar bool
	// avatarHosts are the hosts avatar URLs may come from; any other
	// avatar is dropped (the initials are shown), so that a provider's
	// profile cannot put a tracking pixel on every page.
	avatarHosts []string
	// origin is the scheme and host of the authorization endpoint.
	origin string
	// endSession is OIDC.EndSession: RP-initiated logout is wanted.
	endSession bool
	// claims name the claims groups and attributes are read from
	// (Config.Claims).
	claims ClaimNames
	// saml is set for SAML providers (saml.go), which have no goth
	// provider.
	saml *samlProvider
}

// authOrigin is the origin of the authorization endpoint, the issuer's until
// discovery has told us better.
func (p *provider) authOrigin() string {
	if p.disc != nil {
		if ep := p.disc.current(); ep != nil {
			return ep.origin
		}
	}
	return p.origin
}

// available reports whether the provider can start a sign-in now. Only an
// OpenID Connect provider whose discovery has not succeeded yet cannot.
func (p *provider) available() bool {
	if p.saml != nil {
		return p.saml.current() != nil
	}
	return p.disc == nil || p.disc.current() != nil
}

// gothProvider is the goth provider to drive, discovering an OpenID Connect
// provider first if needed (within ctx).
func (p *provider) gothProvider(ctx context.Context) (goth.Provider, *endpoints, error) {
	if p.disc == nil {
		return p.goth, nil, nil
	}
	ep, err := p.disc.ensure(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ep.goth, ep, nil
}

// probeOrigin finds the authorization endpoint's origin from an
// authorization URL, for every kind of goth provider alike.
func probeOrigin(name string, gp goth.Provider) (string, error) {
	sess, err := gp.BeginAuth("probe")
	if err != nil {
		return "", fmt.Errorf("sso: provider %q: %w", name, err)
	}
	raw, err := sess.GetAuthURL()
	if err != nil {
		return "", fmt.Errorf("sso: provider %q: %w", name, err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("sso: provider %q: authorization URL %q is not absolute", name, raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// OIDC configures a standard OpenID Connect provider found by discovery:
// Okta, Microsoft Entra ID, Keycloak, Auth0, Dex, Google Workspace, or the
// development identity provider.
//
// Register CallbackURL(BASE_URL, Name) as the redirect URI at the provider,
// for a confidential web client using the authorization code flow. The
// provider must release the "email" claim (scope "email"), in the ID token
// or at the userinfo endpoint, and say it is verified (email_verified: true)
// unless TrustEmail is set.
type OIDC struct {
	// Name is the route name; empty means "openid-connect".
	Name string
	// DisplayName is what the button says after "Sign in with"; empty means
	// "Company SSO".
	DisplayName string
	// Issuer is the issuer URL, exactly as the discovery document states it
	// (some issuers end in a slash, Auth0 for example).
	Issuer       string
	ClientID     string
	ClientSecret string
	// Scopes default to openid, email and profile.
	Scopes []string
	// TrustEmail declares that this provider releases verified addresses
	// only (a company directory whose administrators set every address),
	// so an address without email_verified counts as verified.
	// SSO_OIDC_TRUST_EMAIL=on. Leave it off for any provider where people
	// type their own address.
	TrustEmail bool
	// AvatarHosts are further hosts avatar pictures may come from, besides
	// the issuer's own.
	AvatarHosts []string
	// HTTPClient makes every call to the provider: discovery, JWKS, token
	// and userinfo. Nil means a client with the configured timeout. The
	// development identity provider passes InProcessClient.
	HTTPClient *http.Client
	// EndSession turns on RP-initiated logout (SSO_OIDC_END_SESSION=on):
	// signing out of a session that began here also ends the provider's
	// session, when its discovery document has an end_session_endpoint
	// (see Service.EndSessionURL). The module then keeps the sign-in's ID
	// token in Profile.IDToken, for the app to store server-side as the
	// id_token_hint.
	EndSession bool
}

func (o OIDC) build(ctx context.Context, b builder) (*provider, error) {
	name := cmp.Or(o.Name, "openid-connect")
	if o.Issuer == "" || o.ClientID == "" {
		return nil, fmt.Errorf("sso: provider %q: the issuer and the client id are required", name)
	}
	iu, err := url.Parse(o.Issuer)
	if err != nil || (iu.Scheme != "https" && iu.Scheme != "http") || iu.Host == "" {
		return nil, fmt.Errorf("sso: provider %q: the issuer %q is not an absolute http(s) URL", name, o.Issuer)
	}
	client := o.HTTPClient
	if client == nil {
		client = b.client()
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	d := &discovery{
		name: name, issuer: o.Issuer, clientID: o.ClientID, secret: o.ClientSecret,
		callback: b.callbackURL(name), scopes: scopes, client: client,
		timeout: b.timeout, retry: b.retry, now: b.now,
	}
	// An issuer that does not answer now must not keep the app from
	// starting (password sign-in still works, and a restart during an
	// outage would take everyone out): try once, then again later.
	if _, err := d.attempt(ctx); err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			// The issuer answered and disagrees: a configuration error that
			// no retry will mend.
			return nil, err
		}
	}
	return &provider{
		name:        name,
		display:     cmp.Or(o.DisplayName, defaultDisplayName("openid-connect")),
		kind:        kindOIDC,
		disc:        d,
		client:      client,
		trustEmail:  o.TrustEmail,
		avatarHosts: append([]string{iu.Hostname()}, o.AvatarHosts...),
		origin:      iu.Scheme + "://" + iu.Host,
		endSession:  o.EndSession,
	}, nil
}

// GitHub configures goth's GitHub provider. Register CallbackURL(BASE_URL,
// "github") as the OAuth app's callback URL.
type GitHub struct {
	Key, Secret string
	DisplayName string
	// APIURL is GitHub's API, https://api.github.com when empty; and
	// WebURL its web site, https://github.com when empty. Set both for
	// GitHub Enterprise Server (https://github.acme.com/api/v3 and
	// https://github.acme.com).
	APIURL, WebURL string
}

func (g GitHub) build(_ context.Context, b builder) (*provider, error) {
	api := strings.TrimRight(cmp.Or(g.APIURL, "https://api.github.com"), "/")
	web := strings.TrimRight(cmp.Or(g.WebURL, "https://github.com"), "/")
	// user:email lets us read whether the address is verified, and the
	// primary address of people who keep theirs private.
	gp := github.NewCustomisedURL(g.Key, g.Secret, b.callbackURL("github"),
		web+"/login/oauth/authorize", web+"/login/oauth/access_token", api+"/user", api+"/user/emails",
		"read:user", "user:email")
	gp.HTTPClient = b.client()
	return &provider{name: "github", display: cmp.Or(g.DisplayName, "GitHub"), kind: kindGitHub, goth: gp,
		client: gp.HTTPClient, githubEmails: api + "/user/emails",
		avatarHosts: []string{"avatars.githubusercontent.com"}}, nil
}

// Google configures goth's Google provider. Register CallbackURL(BASE_URL,
// "google") as an authorised redirect URI of the OAuth client. (Google
// Workspace can also be configured as an OIDC issuer,
// https://accounts.google.com, which adds ID-token verification.)
type Google struct {
	Key, Secret string
	DisplayName string
}

func (g Google) build(_ context.Context, b builder) (*provider, error) {
	gp := google.New(g.Key, g.Secret, b.callbackURL("google"), "openid", "email", "profile")
	// goth asks for offline access (a refresh token); signing in needs none.
	gp.SetAccessType("online")
	gp.HTTPClient = b.client()
	return &provider{name: "google", display: cmp.Or(g.DisplayName, "Google"), kind: kindGoogle, goth: gp,
		client: gp.HTTPClient, avatarHosts: []string{"*.googleusercontent.com"}}, nil
}

// Microsoft configures goth's Microsoft identity platform provider
// (azureadv2), under the route name "microsoft". Register
// CallbackURL(BASE_URL, "microsoft") as a Web redirect URI of the app
// registration.
//
// goth takes the address from Microsoft Graph's "mail", which the
// administrator of the person's tenant sets to anything they like. With
// one tenant (the company's) that is the company's own directory, and its
// addresses count as verified. "common", "organizations" and "consumers"
// let any tenant in, whose administrator could claim any address: they are
// refused unless AnyTenant is set, and then no address from Microsoft
// counts as verified, so nobody gets a new account or a domain's access
// through it.
type Microsoft struct {
	Key, Secret string
	// Tenant is the company's tenant id or primary domain.
	Tenant string
	// AnyTenant allows the multi-tenant values of Tenant (SSO_MICROSOFT_ANY_TENANT=on).
	AnyTenant   bool
	DisplayName string
}

// multiTenant reports whether a Microsoft tenant value lets any tenant in.
func multiTenant(tenant string) bool {
	switch strings.ToLower(tenant) {
	case "", "common", "organizations", "consumers":
		return true
	}
	return false
}

func (m Microsoft) build(_ context.Context, b builder) (*provider, error) {
	tenant := cmp.Or(m.Tenant, "common")
	multi := multiTenant(tenant)
	if multi && !m.AnyTenant {
		return nil, fmt.Errorf("sso: provider \"microsoft\": tenant %q lets people from any Microsoft tenant sign in, whose administrators can set any e-mail address; set SSO_MICROSOFT_TENANT to your tenant id, or SSO_MICROSOFT_ANY_TENANT=on to allow it (their addresses then count as unverified)", tenant)
	}
	gp := azureadv2.New(m.Key, m.Secret, b.callbackURL("microsoft"), azureadv2.ProviderOptions{
		Tenant: azureadv2.TenantType(tenant),
	})
	gp.SetName("microsoft")
	gp.HTTPClient = b.client()
	return &provider{name: "microsoft", display: cmp.Or(m.DisplayName, "Microsoft"), kind: kindMicrosoft, goth: gp,
		client: gp.HTTPClient, noAvatar: true, trustEmail: !multi}, nil
}

// Goth adds any other goth provider as it is. Its sign-ins get state, the
// account rules and the first-login hook, but no PKCE, nonce or ID-token
// verification, which goth's providers do not do. Build it with
// CallbackURL(BASE_URL, its name) as the callback, and give it an HTTP client
// with a timeout. Its addresses count as verified only when the provider's
// raw data says email_verified: true, or TrustEmail is set.
type Goth struct {
	Provider    goth.Provider
	DisplayName string
	TrustEmail  bool
	// AvatarHosts are the hosts its avatar pictures may come from.
	AvatarHosts []string
}

func (g Goth) build(context.Context, builder) (*provider, error) {
	if g.Provider == nil {
		return nil, errors.New("sso: Goth.Provider is nil")
	}
	name := g.Provider.Name()
	return &provider{name: name, display: cmp.Or(g.DisplayName, defaultDisplayName(name)), kind: kindGoth,
		goth: g.Provider, client: &http.Client{Timeout: DefaultDiscoveryTimeout}, trustEmail: g.TrustEmail,
		avatarHosts: g.AvatarHosts}, nil
}

// avatarHostAllowed reports whether host is one of hosts; "*.example.com"
// allows the sub-domains of example.com.
func avatarHostAllowed(host string, hosts []string) bool {
	host = strings.ToLower(host)
	return slices.ContainsFunc(hosts, func(h string) bool {
		h = strings.ToLower(h)
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			return strings.HasSuffix(host, "."+suffix)
		}
		return host == h
	})
}
