package sso

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/azureadv2"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"
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
}

func (b builder) callbackURL(name string) string { return CallbackURL(b.baseURL, name) }

func (b builder) client() *http.Client { return &http.Client{Timeout: b.timeout} }

// CallbackURL is the redirect URI to register at the identity provider for
// the provider with this route name.
func CallbackURL(baseURL, name string) string {
	return strings.TrimRight(baseURL, "/") + "/auth/" + name + "/callback"
}

// provider is a configured identity provider: goth's provider plus, for
// OpenID Connect, the ID-token verifier goth lacks.
type provider struct {
	name    string
	display string
	goth    goth.Provider
	// oidc is set for OpenID Connect providers. Their logins use PKCE and
	// a nonce, and their ID tokens are verified.
	oidc *oidc.IDTokenVerifier
	// noAvatar drops the avatar URL the provider gives, for providers whose
	// picture URL needs an access token (Microsoft Graph).
	noAvatar bool
	// origin is the scheme and host of the authorization endpoint.
	origin string
}

// probeOrigin finds the authorization endpoint's origin from an
// authorization URL, for every kind of goth provider alike.
func (p *provider) probeOrigin() error {
	sess, err := p.goth.BeginAuth("probe")
	if err != nil {
		return fmt.Errorf("sso: provider %q: %w", p.name, err)
	}
	raw, err := sess.GetAuthURL()
	if err != nil {
		return fmt.Errorf("sso: provider %q: %w", p.name, err)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("sso: provider %q: authorization URL %q is not absolute", p.name, raw)
	}
	p.origin = u.Scheme + "://" + u.Host
	return nil
}

// OIDC configures a standard OpenID Connect provider found by discovery:
// Okta, Microsoft Entra ID, Keycloak, Auth0, Dex, Google Workspace, or the
// development identity provider.
//
// Register CallbackURL(BASE_URL, Name) as the redirect URI at the provider,
// for a confidential web client using the authorization code flow. The
// provider must release the "email" claim (scope "email"), in the ID token
// or at the userinfo endpoint.
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
	// HTTPClient makes every call to the provider: discovery, JWKS, token
	// and userinfo. Nil means a client with the configured timeout. The
	// development identity provider passes InProcessClient.
	HTTPClient *http.Client
}

func (o OIDC) build(ctx context.Context, b builder) (*provider, error) {
	name := cmp.Or(o.Name, "openid-connect")
	if o.Issuer == "" || o.ClientID == "" {
		return nil, fmt.Errorf("sso: provider %q: the issuer and the client id are required", name)
	}
	client := o.HTTPClient
	if client == nil {
		client = b.client()
	}
	// goth's openidConnect.New would fetch discovery with no timeout inside
	// its constructor. Discover here, bounded, and hand goth the endpoints.
	dctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	op, err := oidc.NewProvider(oidc.ClientContext(dctx, client), o.Issuer)
	if err != nil {
		hint := "check SSO_OIDC_ISSUER and that the issuer is reachable from this server"
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			hint = fmt.Sprintf("the discovery document says the issuer is %q; set SSO_OIDC_ISSUER to exactly that", mismatch.Discovered)
		}
		return nil, fmt.Errorf("sso: OpenID Connect discovery for provider %q at issuer %s failed (%s): %w", name, o.Issuer, hint, err)
	}
	ep := op.Endpoint()
	if ep.AuthURL == "" || ep.TokenURL == "" {
		return nil, fmt.Errorf("sso: issuer %s: the discovery document lacks the authorization or token endpoint", o.Issuer)
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	gp, err := openidConnect.NewCustomisedURL(o.ClientID, o.ClientSecret, b.callbackURL(name),
		ep.AuthURL, ep.TokenURL, o.Issuer, op.UserInfoEndpoint(), "", scopes...)
	if err != nil {
		return nil, fmt.Errorf("sso: provider %q: %w", name, err)
	}
	gp.SetName(name)
	gp.HTTPClient = client
	return &provider{
		name:    name,
		display: cmp.Or(o.DisplayName, defaultDisplayName("openid-connect")),
		goth:    gp,
		// The verifier checks the signature against the issuer's JWKS
		// (fetched with client, refetched when the key id is new), the
		// issuer, the audience and the expiry. The algorithms are those the
		// discovery document lists, RS256 when it lists none.
		oidc: op.Verifier(&oidc.Config{ClientID: o.ClientID}),
	}, nil
}

// GitHub configures goth's GitHub provider. Register CallbackURL(BASE_URL,
// "github") as the OAuth app's callback URL.
type GitHub struct {
	Key, Secret string
	DisplayName string
}

func (g GitHub) build(_ context.Context, b builder) (*provider, error) {
	// user:email lets goth read the primary, verified address of people
	// who keep theirs private.
	gp := github.New(g.Key, g.Secret, b.callbackURL("github"), "read:user", "user:email")
	gp.HTTPClient = b.client()
	return &provider{name: "github", display: cmp.Or(g.DisplayName, "GitHub"), goth: gp}, nil
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
	return &provider{name: "google", display: cmp.Or(g.DisplayName, "Google"), goth: gp}, nil
}

// Microsoft configures goth's Microsoft identity platform provider
// (azureadv2), under the route name "microsoft". Register
// CallbackURL(BASE_URL, "microsoft") as a Web redirect URI of the app
// registration.
type Microsoft struct {
	Key, Secret string
	// Tenant is "common", "organizations", "consumers" or a tenant id or
	// domain; empty means "common".
	Tenant      string
	DisplayName string
}

func (m Microsoft) build(_ context.Context, b builder) (*provider, error) {
	gp := azureadv2.New(m.Key, m.Secret, b.callbackURL("microsoft"), azureadv2.ProviderOptions{
		Tenant: azureadv2.TenantType(cmp.Or(m.Tenant, "common")),
	})
	gp.SetName("microsoft")
	gp.HTTPClient = b.client()
	return &provider{name: "microsoft", display: cmp.Or(m.DisplayName, "Microsoft"), goth: gp, noAvatar: true}, nil
}

// Goth adds any other goth provider as it is. Its sign-ins get state, the
// account rules and the first-login hook, but no PKCE, nonce or ID-token
// verification, which goth's providers do not do. Build it with
// CallbackURL(BASE_URL, its name) as the callback, and give it an HTTP client
// with a timeout.
type Goth struct {
	Provider    goth.Provider
	DisplayName string
}

func (g Goth) build(context.Context, builder) (*provider, error) {
	if g.Provider == nil {
		return nil, errors.New("sso: Goth.Provider is nil")
	}
	name := g.Provider.Name()
	return &provider{name: name, display: cmp.Or(g.DisplayName, defaultDisplayName(name)), goth: g.Provider}, nil
}
