// Package devidp is a small but real OpenID Connect provider that the app
// serves itself in development, so that "Sign in with Company SSO" works after
// `go run .` with no account anywhere.
//
// It speaks the authorization code flow with mandatory PKCE (S256), signs ID
// tokens with an RS256 key made at start, and publishes discovery and JWKS
// documents, so the app's SSO package talks to it exactly as to a real issuer
// (go-oidc discovery and verification, golang.org/x/oauth2 exchange). Instead
// of a password prompt it shows a picker: one button per demo identity, and a
// form to become "someone new".
//
// It is a development tool. Everything lives in the memory of one process:
// keys, codes and tokens vanish at restart and are not shared between
// instances. It signs in anyone who asks, which is the point, and which is why
// the app must never enable it in production.
package devidp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// Lifetimes of what the provider hands out. Codes are short-lived because a
// browser redirect and a back-channel exchange take well under a second.
const (
	codeTTL        = 60 * time.Second
	accessTokenTTL = time.Hour
	idTokenTTL     = time.Hour
	// pickerTTL bounds how long a picker page may sit open before its signed
	// request is refused.
	pickerTTL = 15 * time.Minute
	// maxFormBytes caps every request body the provider reads.
	maxFormBytes = 64 << 10
)

// Identity is a person the picker offers. Subject is the stable "sub" claim;
// when empty, New derives it from the e-mail with SubjectForEmail, the same
// way as for someone typed into the picker.
type Identity struct {
	Subject   string
	Name      string
	Email     string
	AvatarURL string
	// Verification is what the provider says about Email: verified (the
	// default), or, so that the app's refusal can be seen and tested,
	// unverified or nothing at all.
	Verification Verification

	// Groups, Department, JobTitle and ManagerEmail are the directory's
	// view of the person, released with the "profile" scope as the claims
	// groups (left out when empty, as Entra ID, Okta and Keycloak do),
	// department, job_title and manager_email.
	Groups       []string
	Department   string
	JobTitle     string
	ManagerEmail string
	// GroupsOverage sends Entra ID's group overage instead of the groups:
	// no groups claim in the ID token, but a _claim_names pointer to a
	// _claim_sources endpoint, as Entra ID does for someone in more than
	// 200 groups.
	GroupsOverage bool
}

// Verification is how the provider vouches for an identity's address.
type Verification int

const (
	// EmailVerified sends email_verified: true.
	EmailVerified Verification = iota
	// EmailUnverified sends email_verified: false, as a provider does for
	// an address nobody has confirmed.
	EmailUnverified
	// EmailUnasserted sends no email_verified claim, as providers built on
	// common OpenID Connect libraries do when the address is not verified.
	EmailUnasserted
)

// Client is an application registered with the provider. It authenticates at
// the token endpoint with its secret (client_secret_basic or
// client_secret_post) and may only be sent back to one of its RedirectURIs,
// compared exactly.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string
	// PostLogoutRedirectURIs are where the end_session_endpoint may send
	// the browser afterwards (post_logout_redirect_uri), compared exactly.
	PostLogoutRedirectURIs []string
	// BackChannelLogoutURI receives a logout token, server to server, when
	// a session of this client ends at the provider (OpenID Connect
	// Back-Channel Logout 1.0); empty sends none.
	BackChannelLogoutURI string
}

// Config configures a Provider.
type Config struct {
	// Issuer is the provider's public URL, for example
	// "http://localhost:8080/dev-idp". It is the "iss" of every ID token, and
	// every endpoint lives under its path.
	Issuer string
	// Clients are the applications allowed to sign in through the provider.
	Clients []Client
	// Identities are the demo people shown on the picker.
	Identities []Identity
	// Logger receives what happens; nil discards it.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests set it to
	// expire codes without sleeping.
	Now func() time.Time
	// CSRFToken, when set, returns the host app's CSRF token for a request;
	// the picker's forms then carry it in a "_csrf" field.
	CSRFToken func(*http.Request) string
	// Stylesheet is the URL of the app's stylesheet; empty means
	// "/static/css/app.css". Pass a fingerprinted URL to bust caches.
	Stylesheet string
	// BackChannelClient posts logout tokens to the clients'
	// BackChannelLogoutURI; nil means a plain client with a 5 s timeout.
	BackChannelClient *http.Client
	// Status, when set, tells the picker what signing in as each identity
	// will do in the app: linked (as whom), new, clashing with a local
	// account, deactivated, or linked with another issuer. The provider
	// only shows the answer; the app implements it from its own tables,
	// which this package never reads.
	Status StatusFunc
}

// Provider is a running development identity provider. It is safe for
// concurrent use.
type Provider struct {
	issuer      string
	basePath    string
	endpoints   Endpoints
	clients     map[string]Client
	people      *directory
	key         *signingKey
	requests    *requestSealer
	store       *store
	log         *slog.Logger
	now         func() time.Time
	csrfToken   func(*http.Request) string
	stylesheet  string
	backChannel *http.Client
	status      StatusFunc
}

// Endpoints are the provider's absolute URLs, as published in its discovery
// document. They let the app configure its SSO client without an HTTP round
// trip to itself at startup, when its own listener is not up yet (for example
// with go-oidc's ProviderConfig, or goth's openidConnect.NewCustomisedURL).
type Endpoints struct {
	Issuer        string
	Discovery     string
	Authorization string
	Token         string
	Userinfo      string
	JWKS          string
	EndSession    string
}

// New checks cfg, generates the signing and request-sealing keys, and returns
// a provider ready to serve.
func New(cfg Config) (*Provider, error) {
	issuer, basePath, err := parseIssuer(cfg.Issuer)
	if err != nil {
		return nil, err
	}
	clients, err := checkClients(cfg.Clients)
	if err != nil {
		return nil, err
	}
	people, err := newDirectory(cfg.Identities)
	if err != nil {
		return nil, err
	}
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	macKey := make([]byte, 32)
	if _, err := rand.Read(macKey); err != nil {
		return nil, fmt.Errorf("devidp: generate request-sealing key: %w", err)
	}

	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	stylesheet := cfg.Stylesheet
	if stylesheet == "" {
		stylesheet = views.DefaultStylesheet
	}
	base := strings.TrimSuffix(issuer, "/")
	p := &Provider{
		issuer:   issuer,
		basePath: basePath,
		endpoints: Endpoints{
			Issuer:        issuer,
			Discovery:     base + "/.well-known/openid-configuration",
			Authorization: base + "/authorize",
			Token:         base + "/token",
			Userinfo:      base + "/userinfo",
			JWKS:          base + "/jwks",
			EndSession:    base + "/end-session",
		},
		clients:     clients,
		people:      people,
		key:         key,
		requests:    &requestSealer{key: macKey, now: now},
		store:       newStore(now),
		log:         log.With("component", "devidp"),
		now:         now,
		csrfToken:   cfg.CSRFToken,
		stylesheet:  stylesheet,
		backChannel: cfg.BackChannelClient,
		status:      cfg.Status,
	}
	if p.backChannel == nil {
		p.backChannel = &http.Client{Timeout: 5 * time.Second}
	}
	p.log.Warn("development identity provider is ON: it signs in anyone who asks; never enable it in production",
		"issuer", issuer, "discovery", p.endpoints.Discovery, "clients", len(clients), "identities", len(cfg.Identities))
	return p, nil
}

// BasePath is the path under which the provider serves, for example
// "/dev-idp"; it is empty when the issuer is a bare origin.
func (p *Provider) BasePath() string { return p.basePath }

// Issuer is the issuer URL exactly as configured, for the SSO client's
// discovery.
func (p *Provider) Issuer() string { return p.issuer }

// Endpoints returns the provider's absolute URLs.
func (p *Provider) Endpoints() Endpoints { return p.endpoints }

// Handler serves every endpoint of the provider. It matches full request
// paths (BasePath included), so mount it on BasePath+"/" without stripping the
// prefix. Other paths answer 404.
//
// The token and userinfo endpoints are called server to server without any
// cookie or CSRF token, so the host's CSRF protection must skip them. The
// picker's POST is a browser form: the host's CSRF middleware should check it,
// and the handler also refuses cross-origin browser posts itself.
func (p *Provider) Handler() http.Handler {
	b := p.basePath
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+b+"/.well-known/openid-configuration", p.serveDiscovery)
	mux.HandleFunc("GET "+b+"/jwks", p.serveJWKS)
	mux.HandleFunc("GET "+b+"/authorize", p.serveAuthorize)
	mux.Handle("POST "+b+"/authorize", http.NewCrossOriginProtection().Handler(http.HandlerFunc(p.servePick)))
	mux.HandleFunc("POST "+b+"/token", p.serveToken)
	mux.HandleFunc("GET "+b+"/userinfo", p.serveUserinfo)
	mux.HandleFunc("POST "+b+"/userinfo", p.serveUserinfo)
	mux.HandleFunc("GET "+b+"/end-session", p.serveEndSession) // logout.go
	return mux
}

// parseIssuer checks the issuer URL and returns it unchanged (go-oidc
// compares it byte for byte with the discovery document) with its path.
func parseIssuer(issuer string) (string, string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", "", fmt.Errorf("devidp: issuer %q: %w", issuer, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", fmt.Errorf("devidp: issuer %q: scheme must be http or https", issuer)
	case u.Host == "":
		return "", "", fmt.Errorf("devidp: issuer %q: host is missing", issuer)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", "", fmt.Errorf("devidp: issuer %q: must not have user info, a query or a fragment", issuer)
	}
	basePath := strings.TrimSuffix(u.Path, "/")
	// The base path becomes part of http.ServeMux patterns, so keep it to
	// characters that have no meaning there.
	for _, r := range basePath {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-._~", r)) {
			return "", "", fmt.Errorf("devidp: issuer %q: path may only hold letters, digits and / - . _ ~", issuer)
		}
	}
	return issuer, basePath, nil
}

// checkClients validates the registered clients and indexes them by id.
func checkClients(list []Client) (map[string]Client, error) {
	if len(list) == 0 {
		return nil, errors.New("devidp: no clients configured")
	}
	clients := make(map[string]Client, len(list))
	for _, c := range list {
		if c.ID == "" {
			return nil, errors.New("devidp: a client has an empty ID")
		}
		if _, dup := clients[c.ID]; dup {
			return nil, fmt.Errorf("devidp: client %q is configured twice", c.ID)
		}
		if c.Secret == "" {
			return nil, fmt.Errorf("devidp: client %q: empty secret (public clients are not supported)", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("devidp: client %q: no redirect URIs", c.ID)
		}
		for _, ru := range c.RedirectURIs {
			u, err := url.Parse(ru)
			if err != nil {
				return nil, fmt.Errorf("devidp: client %q: redirect URI %q: %w", c.ID, ru, err)
			}
			if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				return nil, fmt.Errorf("devidp: client %q: redirect URI %q must be an absolute http(s) URL without a fragment", c.ID, ru)
			}
		}
		for _, ru := range append(c.PostLogoutRedirectURIs, c.BackChannelLogoutURI) {
			if ru == "" {
				continue
			}
			if u, err := url.Parse(ru); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				return nil, fmt.Errorf("devidp: client %q: logout URI %q must be an absolute http(s) URL without a fragment", c.ID, ru)
			}
		}
		c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
		c.PostLogoutRedirectURIs = append([]string(nil), c.PostLogoutRedirectURIs...)
		clients[c.ID] = c
	}
	return clients, nil
}
