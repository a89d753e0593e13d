package sso

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/crewjam/saml"
	"github.com/labstack/echo/v4"
)

// PostRouter is where Start registers the SAML assertion consumer service,
// POST /auth/:provider/acs. It must NOT check the app's CSRF token: the
// identity provider's page posts there, cross-site, and cannot know it. The
// module protects the route itself instead (see acs). *echo.Echo satisfies
// it; app/web passes its root with the page middleware but the CSRF check.
type PostRouter interface {
	POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// maxSAMLResponseBytes bounds the base64 SAMLResponse: a signed response with
// a few hundred groups is some tens of kilobytes.
const maxSAMLResponseBytes = 512 << 10

// startSAML records a new SAML sign-in server-side (a SAMLRequest row) and
// returns the identity provider's URL with the AuthnRequest (HTTP-Redirect
// binding).
//
// RelayState is the row's random id, never a URL: the deep link stays in
// the row, which only this app reads, so nothing the identity provider or
// the network sees or changes can send the person elsewhere. The row keeps
// the AuthnRequest's ID, which the response must answer (InResponseTo), and
// the hash of this browser's binding cookie, so a response obtained in
// another browser is refused in this one.
func (s *Service) startSAML(c echo.Context, p *provider, f flow) (string, error) {
	sp := p.saml.current()
	if sp == nil {
		return "", fmt.Errorf("%w: %w", errUnreachable, p.saml.lastError())
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", fmt.Errorf("SAML authentication request: %w", err)
	}
	now := p.saml.now().UTC()
	row := SAMLRequest{ID: randomToken(), Provider: p.name, RequestID: req.ID, ReturnPath: f.Next, LinkUserID: f.LinkUserID,
		BrowserHash: hashBinding(s.samlBinding.ensure(c)), CreatedAt: now, ExpiresAt: now.Add(flowTTL)}
	if err := saveSAMLRequest(c.Request().Context(), s.db, row); err != nil {
		return "", err
	}
	u, err := req.Redirect(row.ID, sp)
	if err != nil {
		return "", fmt.Errorf("SAML redirect: %w", err)
	}
	return u.String(), nil
}

// problemSAML is a SAML response that did not pass our checks.
func problemSAML(display string, err error) *Problem {
	pr := problemToken(display, err)
	pr.Code = "saml_response"
	return pr
}

func (sp *samlProvider) lastError() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.lastErr == nil {
		return errMetadataUnreachable
	}
	return sp.lastErr
}

// samlParam is the SAML provider named by the route; 404 for any other.
func (s *Service) samlParam(c echo.Context) (*provider, error) {
	p, ok := s.providers[c.Param("provider")]
	if !ok || p.saml == nil {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return p, nil
}

// samlMetadata is GET /auth/:provider/metadata: this service provider's
// metadata, to register at the identity provider.
func (s *Service) samlMetadata(c echo.Context) error {
	p, err := s.samlParam(c)
	if err != nil {
		return err
	}
	b, err := p.saml.metadataXML()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/samlmetadata+xml", b)
}

// acs is POST /auth/:provider/acs, the assertion consumer service.
//
// It has no CSRF token, and cannot have one: the form that posts here is the
// identity provider's, on another site. What the token would prove — that
// this browser started this — is proved instead by the SAMLRequest row that
// RelayState names: it must exist, be unexpired and unspent, and carry the
// hash of this browser's binding cookie, and the response must answer the
// AuthnRequest ID recorded in it (InResponseTo, checked by crewjam against
// that one ID only). A response posted into someone else's browser (login
// CSRF) is refused, as is an unsolicited one unless IdP-initiated sign-in is
// configured. An unknown, expired, spent or foreign RelayState ends on the
// "sign-in expired" page, never in a redirect.
func (s *Service) acs(c echo.Context) error {
	p, err := s.samlParam(c)
	if err != nil {
		return err
	}
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		return s.fail(c, p, nil, problemSAML(p.display, fmt.Errorf("read the form: %w", err)))
	}
	if r.PostForm.Get("SAMLart") != "" || r.Form.Get("SAMLart") != "" {
		return s.fail(c, p, nil, problemSAML(p.display, errors.New("the artifact binding is not accepted (HTTP-POST only)")))
	}
	encoded := r.PostForm.Get("SAMLResponse")
	if encoded == "" || len(encoded) > maxSAMLResponseBytes {
		return s.fail(c, p, nil, problemSAML(p.display, fmt.Errorf("the form carries no SAMLResponse, or one of %d bytes", len(encoded))))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return s.fail(c, p, nil, problemSAML(p.display, fmt.Errorf("SAMLResponse is not base64: %w", err)))
	}
	if err := refuseDTD(raw); err != nil {
		return s.fail(c, p, nil, problemSAML(p.display, err))
	}

	var f flow
	var requestIDs []string
	if relay := r.PostForm.Get("RelayState"); relay != "" || !p.saml.spec.AllowIDPInitiated {
		row, err := takeSAMLRequest(r.Context(), s.db, p.saml.now().UTC(), p.name, relay, hashBinding(s.samlBinding.value(c)))
		if err != nil && !errors.Is(err, errRefusedRelay) {
			return s.fail(c, p, nil, problemInternal(err))
		}
		if err != nil {
			return s.fail(c, p, nil, problemState(err))
		}
		f = flow{Provider: row.Provider, Nonce: row.RequestID, Next: row.ReturnPath, LinkUserID: row.LinkUserID, Started: row.CreatedAt.Unix()}
		requestIDs = []string{row.RequestID}
	}
	ctx, cancel := context.WithTimeout(r.Context(), callbackTimeout)
	defer cancel()
	a, err := p.saml.parse(ctx, raw, requestIDs)
	if err != nil {
		return s.fail(c, p, &f, problemSAML(p.display, err))
	}
	prof, err := p.saml.profile(p, a)
	if err != nil {
		return s.fail(c, p, &f, problemSAML(p.display, err))
	}
	return s.complete(ctx, c, p, f, prof)
}

// parse verifies a SAML response for one of requestIDs (none: an
// IdP-initiated sign-in) and returns its assertion. crewjam checks the
// signature (of the response or of the assertion, with the certificates of
// the IdP's metadata, refusing what is signed outside the element it
// returns, which is how signature wrapping is defeated), the issuer, the
// destination and recipient (our ACS URL), the audience (our entity id),
// the validity window (with crewjam's clock-skew allowance,
// saml.MaxClockSkew), InResponseTo, and the replay table.
func (sp *samlProvider) parse(ctx context.Context, raw []byte, requestIDs []string) (*saml.Assertion, error) {
	cur := sp.current()
	if cur == nil {
		return nil, sp.lastError()
	}
	a, err := cur.ParseXMLResponse(raw, requestIDs, sp.acsURL)
	if err != nil && errors.Is(err, saml.ErrInvalidSignature) && sp.reloadAfterBadSignature(ctx, cur) {
		// The IdP rolled its key over since we last read its metadata.
		cur = sp.current()
		a, err = cur.ParseXMLResponse(raw, requestIDs, sp.acsURL)
	}
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			return nil, fmt.Errorf("SAML response refused: %w", ire.PrivateErr)
		}
		return nil, fmt.Errorf("SAML response refused: %w", err)
	}
	return a, nil
}

// profile reads the person from a verified assertion.
//
// The subject is the persistent NameID, or the IDAttribute's value: a
// transient NameID changes at every sign-in, and an e-mail NameID can pass
// to another person, so neither may be an identity. The addresses count as
// verified: the identity provider is one configured directory, whose
// administrators set every address (like a single-tenant Microsoft one).
func (sp *samlProvider) profile(p *provider, a *saml.Assertion) (Profile, error) {
	attrs := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			for _, v := range at.Values {
				if v.Value != "" {
					attrs[at.Name] = append(attrs[at.Name], v.Value)
				}
			}
			if at.FriendlyName != "" && attrs[at.FriendlyName] == nil {
				attrs[at.FriendlyName] = attrs[at.Name]
			}
		}
	}
	first := func(names []string) string {
		for _, n := range names {
			if v := attrs[n]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	var subject string
	switch {
	case sp.spec.IDAttribute != "":
		subject = first([]string{sp.spec.IDAttribute})
		if subject == "" {
			return Profile{}, fmt.Errorf("the assertion has no %q attribute (SSO_SAML_ID_ATTRIBUTE)", sp.spec.IDAttribute)
		}
	case a.Subject == nil || a.Subject.NameID == nil || a.Subject.NameID.Value == "":
		return Profile{}, errors.New("the assertion has no NameID")
	case a.Subject.NameID.Format != string(saml.PersistentNameIDFormat):
		return Profile{}, fmt.Errorf("the NameID's format is %q, not persistent: configure the identity provider to send a persistent NameID, or set SSO_SAML_ID_ATTRIBUTE to an immutable attribute", a.Subject.NameID.Format)
	default:
		subject = a.Subject.NameID.Value
	}
	if len(subject) > 255 {
		return Profile{}, errors.New("the subject is longer than 255 characters")
	}
	var groups []string
	for _, n := range sp.groupsAt {
		if v := attrs[n]; len(v) > 0 {
			groups = v
			break
		}
	}
	prof := Profile{
		Provider: p.name,
		Subject:  subject,
		Issuer:   a.Issuer.Value,
		Email:    cleanEmail(first(sp.emailAt)),
		Name:     cleanName(first(sp.nameAt), first(samlGivenNameAttributes), first(samlFamilyNameAttributes), ""),
		Groups:   groups,
	}
	prof.EmailVerified = prof.Email != ""
	// Entra ID sends a link to Graph instead of the groups of someone in
	// more than 150: their groups are unknown, not none.
	if len(groups) == 0 && len(attrs["http://schemas.microsoft.com/claims/groups.link"]) > 0 {
		prof.GroupsOverage = true
	}
	return prof, nil
}

// registerSAML gives the SAML providers their database and registers their
// metadata and assertion consumer service routes, when there are any.
func (s *Service) registerSAML(r Router, posts PostRouter) error {
	any := false
	for _, p := range s.order {
		if p.saml != nil {
			p.saml.db = s.db
			any = true
		}
	}
	if !any {
		return nil
	}
	if posts == nil {
		return errors.New("sso: a SAML provider needs Config.CrossSitePosts for its assertion consumer service")
	}
	r.GET(SAMLMetadataPattern, s.samlMetadata)
	posts.POST(SAMLACSPattern, s.acs)
	return nil
}
