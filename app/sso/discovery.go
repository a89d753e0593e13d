package sso

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// Retry waits of discovery: the first retry after DefaultDiscoveryRetry,
// each next one twice as late, at most maxDiscoveryRetry.
const (
	DefaultDiscoveryRetry = 2 * time.Second
	maxDiscoveryRetry     = time.Minute
)

// errUnreachable means an OpenID Connect provider has not answered
// discovery yet.
var errUnreachable = errors.New("the identity provider has not answered discovery yet")

// endpoints is what discovery found out about an OpenID Connect provider.
type endpoints struct {
	op       *oidc.Provider
	goth     *openidConnect.Provider
	verifier *oidc.IDTokenVerifier
	// oauth exchanges the code, with the client authentication method the
	// provider supports set explicitly: left to auto-detection,
	// golang.org/x/oauth2 tries a second method after any failure, with its
	// own timeout, which doubles the wait for a wrong secret.
	oauth  oauth2.Config
	origin string
	// endSession is the discovery document's end_session_endpoint (OpenID
	// Connect RP-Initiated Logout 1.0), empty when the provider has none.
	endSession string
	// logoutVerifier checks back-channel logout tokens: the same keys,
	// issuer and audience as ID tokens, but without the expiry check,
	// because exp is optional in logout tokens (verifyLogoutToken checks
	// iat and, when present, exp itself).
	logoutVerifier *oidc.IDTokenVerifier
}

// discovery finds an OpenID Connect provider's endpoints, once it answers.
// Start tries once; afterwards each sign-in page and sign-in that finds the
// provider undiscovered tries again, no sooner than the retry wait (which
// doubles with each failure), each try bounded by the timeout. So the app
// starts during an identity provider's outage and recovers by itself.
type discovery struct {
	name, issuer, clientID, secret, callback string
	scopes                                   []string
	client                                   *http.Client
	timeout, retry                           time.Duration
	now                                      func() time.Time

	mu       sync.Mutex
	ep       *endpoints
	failures int
	next     time.Time // no try before
	trying   bool
	lastErr  error
}

// current returns the endpoints, or nil while the provider is undiscovered.
// It never waits; an undiscovered provider that is due for a retry gets one
// in the background.
func (d *discovery) current() *endpoints {
	d.mu.Lock()
	ep, due := d.ep, d.dueLocked()
	if due {
		d.trying = true
	}
	d.mu.Unlock()
	if due {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
			defer cancel()
			_, _ = d.run(ctx)
		}()
	}
	return ep
}

// ensure returns the endpoints, trying discovery now (within ctx and the
// timeout) if the provider is undiscovered and due for a retry.
func (d *discovery) ensure(ctx context.Context) (*endpoints, error) {
	d.mu.Lock()
	if d.ep != nil {
		defer d.mu.Unlock()
		return d.ep, nil
	}
	if !d.dueLocked() {
		defer d.mu.Unlock()
		if d.lastErr == nil {
			return nil, errUnreachable
		}
		return nil, fmt.Errorf("%w: %w", errUnreachable, d.lastErr)
	}
	d.trying = true
	d.mu.Unlock()
	return d.run(ctx)
}

// attempt is one discovery at start-up.
func (d *discovery) attempt(ctx context.Context) (*endpoints, error) {
	d.mu.Lock()
	d.trying = true
	d.mu.Unlock()
	return d.run(ctx)
}

// lastError is the failure of the latest attempt, nil after a success.
func (d *discovery) lastError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

func (d *discovery) dueLocked() bool {
	return d.ep == nil && !d.trying && !d.now().Before(d.next)
}

// run discovers and records the outcome. The caller has set trying.
func (d *discovery) run(ctx context.Context) (*endpoints, error) {
	ep, err := d.discover(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.trying = false
	if err != nil {
		wait := d.retry << min(d.failures, 10)
		d.failures++
		d.next = d.now().Add(min(wait, maxDiscoveryRetry))
		d.lastErr = err
		return nil, err
	}
	d.ep, d.failures, d.lastErr = ep, 0, nil
	return ep, nil
}

// discover runs OpenID Connect discovery. goth's openidConnect.New would
// fetch it with no timeout inside its constructor: discover here, bounded,
// and hand goth the endpoints.
func (d *discovery) discover(ctx context.Context) (*endpoints, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, d.client), d.issuer)
	if err != nil {
		hint := "check SSO_OIDC_ISSUER and that the issuer is reachable from this server"
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			hint = fmt.Sprintf("the discovery document says the issuer is %q; set SSO_OIDC_ISSUER to exactly that", mismatch.Discovered)
		}
		return nil, fmt.Errorf("sso: OpenID Connect discovery for provider %q at issuer %s failed (%s): %w", d.name, d.issuer, hint, err)
	}
	ep := op.Endpoint()
	if ep.AuthURL == "" || ep.TokenURL == "" {
		return nil, fmt.Errorf("sso: issuer %s: the discovery document lacks the authorization or token endpoint", d.issuer)
	}
	var meta struct {
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
		EndSession  string   `json:"end_session_endpoint"`
	}
	_ = op.Claims(&meta) // absent means the default, client_secret_basic
	ep.AuthStyle = authStyle(meta.AuthMethods, d.secret)

	gp, err := openidConnect.NewCustomisedURL(d.clientID, d.secret, d.callback,
		ep.AuthURL, ep.TokenURL, d.issuer, op.UserInfoEndpoint(), "", d.scopes...)
	if err != nil {
		return nil, fmt.Errorf("sso: provider %q: %w", d.name, err)
	}
	gp.SetName(d.name)
	gp.HTTPClient = d.client
	origin, err := probeOrigin(d.name, gp)
	if err != nil {
		return nil, err
	}
	return &endpoints{
		op:   op,
		goth: gp,
		// The verifier checks the signature against the issuer's JWKS
		// (fetched with client, refetched when the key id is new), the
		// issuer, the audience and the expiry. The algorithms are those the
		// discovery document lists, RS256 when it lists none.
		verifier: op.Verifier(&oidc.Config{ClientID: d.clientID}),
		oauth: oauth2.Config{
			ClientID: d.clientID, ClientSecret: d.secret, Endpoint: ep,
			RedirectURL: d.callback, Scopes: d.scopes,
		},
		origin:         origin,
		endSession:     meta.EndSession,
		logoutVerifier: op.Verifier(&oidc.Config{ClientID: d.clientID, SkipExpiryCheck: true}),
	}, nil
}

// authStyle picks the client authentication the token endpoint supports:
// client_secret_basic, the spec's default, unless only client_secret_post is
// listed. A client without a secret sends its id in the form.
func authStyle(methods []string, secret string) oauth2.AuthStyle {
	switch {
	case secret == "":
		return oauth2.AuthStyleInParams
	case len(methods) == 0 || slices.Contains(methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader
	case slices.Contains(methods, "client_secret_post"):
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}
