package sso

import (
	"cmp"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
	"gorm.io/gorm"
)

// SAML route patterns, beside BeginPattern (GET /auth/saml starts a sign-in).
const (
	// SAMLACSPattern is the assertion consumer service: the identity
	// provider's page posts the SAMLResponse here (HTTP-POST binding).
	SAMLACSPattern = "/auth/:provider/acs"
	// SAMLMetadataPattern serves the service provider's metadata.
	SAMLMetadataPattern = "/auth/:provider/metadata"
)

// DefaultSAMLMetadataRefresh is how often the identity provider's metadata is
// read again, so that a new signing certificate is picked up without a
// restart.
const DefaultSAMLMetadataRefresh = time.Hour

// Attribute names tried, in order, when SAML leaves them empty. They cover
// Microsoft Entra ID and ADFS (claim URIs), Okta and Keycloak (plain names)
// and Shibboleth (the eduPerson / inetOrgPerson OIDs).
var (
	DefaultSAMLEmailAttributes = []string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		"email", "mail", "emailAddress",
		"urn:oid:0.9.2342.19200300.100.1.3",
	}
	DefaultSAMLNameAttributes = []string{
		"http://schemas.microsoft.com/identity/claims/displayname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
		"displayName", "name", "cn",
		"urn:oid:2.16.840.1.113730.3.1.241",
	}
	DefaultSAMLGroupsAttributes = []string{
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
		"http://schemas.xmlsoap.org/claims/Group",
		"groups", "memberOf", "isMemberOf",
		"urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
	}
	// Given and family name, for a name when no full name is released.
	samlGivenNameAttributes = []string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
		"firstName", "givenName", "urn:oid:2.5.4.42",
	}
	samlFamilyNameAttributes = []string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
		"lastName", "sn", "surname", "urn:oid:2.5.4.4",
	}
)

// SAML configures a SAML 2.0 identity provider (ADFS, Microsoft Entra ID,
// Okta, Keycloak, Shibboleth, PingFederate, SimpleSAMLphp), under the route
// name "saml": GET /auth/saml starts a sign-in (HTTP-Redirect binding), the
// identity provider posts its response to POST /auth/saml/acs (HTTP-POST
// binding), and GET /auth/saml/metadata serves this service provider's
// metadata to register there.
//
// Sign-ins follow the same account rules as OpenID Connect ones: the
// identity is (saml, the IdP's entity id, the NameID), so the NameID must be
// persistent, or IDAttribute must name an immutable attribute. An e-mail
// address is never an identity.
type SAML struct {
	// Name is the route name; empty means "saml".
	Name string
	// DisplayName is what the button says after "Sign in with"; empty means
	// "Company SSO".
	DisplayName string
	// IDPMetadataURL (SSO_SAML_IDP_METADATA_URL) or IDPMetadataFile
	// (SSO_SAML_IDP_METADATA_FILE) is where the identity provider's metadata
	// is read, at start-up and every MetadataRefresh.
	IDPMetadataURL  string
	IDPMetadataFile string
	// MetadataRefresh is how often the metadata is read again; zero means
	// DefaultSAMLMetadataRefresh. A response whose signature does not verify
	// also reads it again (at most once a minute), so a key rollover at the
	// identity provider costs nobody a failed sign-in.
	MetadataRefresh time.Duration
	// EntityID is this service provider's entity id; empty means the
	// metadata URL, BASE_URL/auth/saml/metadata (SSO_SAML_ENTITY_ID).
	EntityID string
	// KeyPair signs the authentication requests and decrypts encrypted
	// assertions (SSO_SAML_CERT_FILE, SSO_SAML_KEY_FILE; see
	// LoadSAMLKeyPair). Its certificate is published in the metadata.
	KeyPair tls.Certificate
	// EmailAttributes, NameAttributes and GroupsAttributes are the
	// attribute names tried in order; empty means the defaults above.
	EmailAttributes  []string
	NameAttributes   []string
	GroupsAttributes []string
	// IDAttribute names an attribute with an immutable id for the person
	// (Entra ID's http://schemas.microsoft.com/identity/claims/objectidentifier),
	// used as the subject instead of the NameID when the identity provider
	// cannot send a persistent NameID (SSO_SAML_ID_ATTRIBUTE).
	IDAttribute string
	// AllowIDPInitiated accepts sign-ins started at the identity provider's
	// portal, which answer no request of ours (SSO_SAML_IDP_INITIATED). It is
	// off by default: an unsolicited response can be pushed into a browser
	// by anyone who holds one (login CSRF), and it carries no deep link.
	AllowIDPInitiated bool
	// HTTPClient fetches the metadata; nil means a client with the
	// configured timeout. The development identity provider passes
	// InProcessClient.
	HTTPClient *http.Client
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
}

// samlProvider is a configured SAML identity provider: our service
// provider, rebuilt whenever the identity provider's metadata changes.
type samlProvider struct {
	spec     SAML
	entityID string
	acsURL   url.URL
	metaURL  url.URL
	key      crypto.Signer
	cert     *x509.Certificate
	client   *http.Client
	refresh  time.Duration
	now      func() time.Time
	clock    *dsig.Clock
	name     string
	// db holds the assertions already used (Consume); Start sets it.
	db       *gorm.DB
	emailAt  []string
	nameAt   []string
	groupsAt []string

	mu sync.Mutex
	sp *saml.ServiceProvider // nil until metadata was read once
	// triedAt is the last read of the metadata, next when the next is due.
	triedAt, next time.Time
	lastErr       error
}

func (o SAML) build(ctx context.Context, b builder) (*provider, error) {
	name := cmp.Or(o.Name, "saml")
	switch {
	case (o.IDPMetadataURL == "") == (o.IDPMetadataFile == ""):
		return nil, fmt.Errorf("sso: provider %q: set exactly one of the IdP metadata URL and file", name)
	case o.KeyPair.PrivateKey == nil || len(o.KeyPair.Certificate) == 0:
		return nil, fmt.Errorf("sso: provider %q: the service provider's certificate and key are required", name)
	}
	key, ok := o.KeyPair.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("sso: provider %q: the private key cannot sign", name)
	}
	cert := o.KeyPair.Leaf
	if cert == nil {
		var err error
		if cert, err = x509.ParseCertificate(o.KeyPair.Certificate[0]); err != nil {
			return nil, fmt.Errorf("sso: provider %q: certificate: %w", name, err)
		}
	}
	base, _ := url.Parse(b.baseURL + "/auth/" + name)
	sp := &samlProvider{
		spec:     o,
		name:     name,
		acsURL:   *base.JoinPath("acs"),
		metaURL:  *base.JoinPath("metadata"),
		key:      key,
		cert:     cert,
		client:   cmp.Or(o.HTTPClient, b.client()),
		refresh:  cmp.Or(o.MetadataRefresh, DefaultSAMLMetadataRefresh),
		now:      b.now,
		emailAt:  orDefault(o.EmailAttributes, DefaultSAMLEmailAttributes),
		nameAt:   orDefault(o.NameAttributes, DefaultSAMLNameAttributes),
		groupsAt: orDefault(o.GroupsAttributes, DefaultSAMLGroupsAttributes),
	}
	if o.Now != nil {
		sp.now = o.Now
	}
	sp.entityID = cmp.Or(o.EntityID, sp.metaURL.String())
	sp.clock = dsig.NewFakeClock(nowClock{Clock: clockwork.NewRealClock(), now: sp.now})
	// Like an unreachable OpenID Connect issuer, an unreachable metadata
	// URL does not stop start-up; metadata that is there but wrong does.
	if err := sp.load(ctx); err != nil && o.IDPMetadataFile != "" {
		return nil, fmt.Errorf("sso: provider %q: %w", name, err)
	} else if err != nil && !errors.Is(err, errMetadataUnreachable) {
		return nil, fmt.Errorf("sso: provider %q: %w", name, err)
	}
	p := &provider{name: name, display: cmp.Or(o.DisplayName, defaultDisplayName("openid-connect")), kind: kindSAML, saml: sp,
		trustEmail: true}
	if cur := sp.current(); cur != nil {
		p.origin = originOf(cur.GetSSOBindingLocation(saml.HTTPRedirectBinding))
	}
	return p, nil
}

// samlMetadataRetry is the wait before metadata that could not be read is
// tried again.
const samlMetadataRetry = 30 * time.Second

// kindSAML is the kind of SAML providers.
const kindSAML = "saml"

func orDefault(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// nowClock is a clockwork clock whose Now is ours, so that crewjam's checks
// of conditions and certificate validity see the same time as the tests.
type nowClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c nowClock) Now() time.Time                  { return c.now() }
func (c nowClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c nowClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

// errMetadataUnreachable means the metadata URL did not answer.
var errMetadataUnreachable = errors.New("the identity provider's metadata URL did not answer")

// maxMetadataBytes bounds the metadata read: federation aggregates are
// large, a single entity's metadata is a few kilobytes.
const maxMetadataBytes = 10 << 20

// readMetadata reads the metadata from the file or the URL.
func (sp *samlProvider) readMetadata(ctx context.Context) ([]byte, error) {
	if sp.spec.IDPMetadataFile != "" {
		b, err := os.ReadFile(sp.spec.IDPMetadataFile)
		if err != nil {
			return nil, fmt.Errorf("read the IdP metadata: %w", err)
		}
		return b, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sp.spec.IDPMetadataURL, nil)
	if err != nil {
		return nil, fmt.Errorf("IdP metadata URL: %w", err)
	}
	res, err := sp.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errMetadataUnreachable, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: %s", errMetadataUnreachable, sp.spec.IDPMetadataURL, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errMetadataUnreachable, err)
	}
	if len(b) > maxMetadataBytes {
		return nil, errors.New("the IdP metadata is larger than 10 MB")
	}
	return b, nil
}

// load reads the metadata and builds a new service provider from it. On
// failure the service provider in use (if any) stays.
func (sp *samlProvider) load(ctx context.Context) error {
	raw, err := sp.readMetadata(ctx)
	if err == nil {
		err = refuseDTD(raw)
	}
	var md *saml.EntityDescriptor
	if err == nil {
		md, err = samlsp.ParseMetadata(raw)
	}
	if err == nil && len(md.IDPSSODescriptors) == 0 {
		err = errors.New("the metadata describes no identity provider (no IDPSSODescriptor)")
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	now := sp.now()
	sp.triedAt = now
	if err != nil {
		// Soon again, not in an hour: the IdP may have been down for a
		// moment (at start-up, the app has no metadata at all until then).
		sp.next = now.Add(min(samlMetadataRetry, sp.refresh))
		sp.lastErr = fmt.Errorf("IdP metadata: %w", err)
		return sp.lastErr
	}
	sp.next = now.Add(sp.refresh)
	next := sp.newServiceProvider(md)
	if next.GetSSOBindingLocation(saml.HTTPRedirectBinding) == "" {
		sp.lastErr = errors.New("IdP metadata: the identity provider has no HTTP-Redirect SingleSignOnService")
		return sp.lastErr
	}
	sp.sp, sp.lastErr = next, nil
	return nil
}

// newServiceProvider is crewjam's service provider for the identity
// provider described by md, with every check this module relies on set
// explicitly rather than left to a default.
func (sp *samlProvider) newServiceProvider(md *saml.EntityDescriptor) *saml.ServiceProvider {
	format := saml.PersistentNameIDFormat
	if sp.spec.IDAttribute != "" {
		format = saml.UnspecifiedNameIDFormat
	}
	return &saml.ServiceProvider{
		EntityID:          sp.entityID,
		Key:               sp.key,
		Certificate:       sp.cert,
		MetadataURL:       sp.metaURL,
		AcsURL:            sp.acsURL,
		IDPMetadata:       md,
		AuthnNameIDFormat: format,
		// Only HTTP-POST: the artifact binding would have us call the IdP
		// back with whatever the browser posted.
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		AllowIDPInitiated:                sp.spec.AllowIDPInitiated,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		RejectSHA1Signatures:             true,
		ReplayCache:                      sp,
		Clock:                            sp.clock,
		MetadataValidDuration:            48 * time.Hour,
	}
}

// current returns the service provider, or nil while the metadata has never
// been read. When the metadata is due for a refresh it is read again in the
// background; the sign-in goes ahead with what we have.
func (sp *samlProvider) current() *saml.ServiceProvider {
	sp.mu.Lock()
	now := sp.now()
	cur, due := sp.sp, !now.Before(sp.next)
	if due {
		sp.next = now.Add(samlMetadataRetry) // one refresh at a time
	}
	sp.mu.Unlock()
	if due {
		if cur == nil {
			// Nothing to sign in with yet: wait for it, briefly.
			ctx, cancel := context.WithTimeout(context.Background(), sp.client.Timeout+time.Second)
			defer cancel()
			_ = sp.load(ctx)
			sp.mu.Lock()
			cur = sp.sp
			sp.mu.Unlock()
		} else {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(sp.client.Timeout, DefaultDiscoveryTimeout))
				defer cancel()
				_ = sp.load(ctx)
			}()
		}
	}
	return cur
}

// reloadAfterBadSignature reads the metadata again after a response whose
// signature did not verify, unless it was read less than a minute ago, and
// reports whether it now has another signing certificate. That is how a key
// rollover at the identity provider is picked up at the first sign-in that
// needs it.
func (sp *samlProvider) reloadAfterBadSignature(ctx context.Context, used *saml.ServiceProvider) bool {
	sp.mu.Lock()
	recent := sp.now().Sub(sp.triedAt) < time.Minute
	sp.mu.Unlock()
	if recent || sp.load(ctx) != nil {
		return false
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return !sameSigningKeys(used.IDPMetadata, sp.sp.IDPMetadata)
}

// sameSigningKeys reports whether two metadata documents publish the same
// signing certificates.
func sameSigningKeys(a, b *saml.EntityDescriptor) bool {
	certs := func(md *saml.EntityDescriptor) string {
		var sb strings.Builder
		for _, d := range md.IDPSSODescriptors {
			for _, k := range d.KeyDescriptors {
				if k.Use == "" || k.Use == "signing" {
					for _, c := range k.KeyInfo.X509Data.X509Certificates {
						sb.WriteString(strings.Join(strings.Fields(c.Data), ""))
						sb.WriteByte(',')
					}
				}
			}
		}
		return sb.String()
	}
	return certs(a) == certs(b)
}

// metadataXML is this service provider's metadata.
func (sp *samlProvider) metadataXML() ([]byte, error) {
	cur := sp.current()
	if cur == nil {
		// The metadata of the identity provider is not needed to describe
		// ourselves: publish it even while the IdP is unreachable, so that
		// it can be registered there first.
		cur = sp.newServiceProvider(&saml.EntityDescriptor{})
	}
	b, err := xml.MarshalIndent(cur.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
