package devidp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// SAMLConfig configures the development identity provider's SAML side.
type SAMLConfig struct {
	// KeyPair signs the assertions; the app makes one at start-up (a new
	// key each run is fine: the app reads this provider's metadata in
	// process at every start).
	KeyPair tls.Certificate
	// SPEntityID and ACSURL are the one service provider it answers: the
	// app's entity id and assertion consumer service.
	SPEntityID string
	ACSURL     string
	// SPCertificate checks the signature of the app's authentication
	// requests.
	SPCertificate *x509.Certificate
	// CancelURL is where "Cancel" on the picker goes (the app's sign-in
	// page).
	CancelURL string
	// Status, when set, tells the picker what signing in as each identity
	// through SAML will do in the app (see Config.Status); the SAML side
	// has a function of its own because the app links SAML identities
	// under another provider and issuer.
	Status StatusFunc
}

// SAMLProvider is the development identity provider speaking SAML 2.0: the
// same demo identities and picker as its OpenID Connect side, under
// BasePath()+"/saml": metadata at /saml/metadata, single sign-on (HTTP-Redirect
// binding) at /saml/sso, answering with signed assertions whose NameID is the
// identity's persistent subject, and mail, cn, displayName and (for people
// with groups) isMemberOf attributes.
// Built by Provider.SAML, it is off unless the app asks (DEV_IDP_SAML).
type SAMLProvider struct {
	p         *Provider
	idp       *saml.IdentityProvider
	sp        *saml.EntityDescriptor
	cancelURL string
	base      string
	status    StatusFunc
}

// SAMLMetadataURL is the SAML side's metadata URL for the provider with this
// issuer. It is also the SAML side's entity id, which the app stores as the
// issuer of the SAML identities it vouches for.
func SAMLMetadataURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/saml/metadata"
}

// SAML returns the provider's SAML side for one service provider.
func (p *Provider) SAML(cfg SAMLConfig) (*SAMLProvider, error) {
	if cfg.KeyPair.PrivateKey == nil || cfg.KeyPair.Leaf == nil {
		return nil, errors.New("devidp: the SAML side needs a key pair with its parsed certificate")
	}
	if cfg.SPEntityID == "" || cfg.ACSURL == "" || cfg.SPCertificate == nil {
		return nil, errors.New("devidp: the SAML side needs the service provider's entity id, ACS URL and certificate")
	}
	base := strings.TrimSuffix(p.issuer, "/") + "/saml"
	meta, err := url.Parse(SAMLMetadataURL(p.issuer))
	if err != nil {
		return nil, err
	}
	sso, _ := url.Parse(base + "/sso")
	s := &SAMLProvider{p: p, cancelURL: cfg.CancelURL, base: p.basePath + "/saml", status: cfg.Status,
		sp: &saml.EntityDescriptor{EntityID: cfg.SPEntityID, SPSSODescriptors: []saml.SPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors: []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
					X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(cfg.SPCertificate.Raw)}}}}}},
			}},
			AssertionConsumerServices: []saml.IndexedEndpoint{{Binding: saml.HTTPPostBinding, Location: cfg.ACSURL, Index: 1}},
		}}}}
	s.idp = &saml.IdentityProvider{
		Key:                     cfg.KeyPair.PrivateKey,
		Certificate:             cfg.KeyPair.Leaf,
		MetadataURL:             *meta,
		SSOURL:                  *sso,
		ServiceProviderProvider: s,
		SessionProvider:         s,
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		Clock:                   dsig.NewRealClock(),
	}
	s.idp.OnError = s.onError
	s.idp.ResponseFormTemplate = template.Must(template.New("saml-post").Parse(responseForm(p.stylesheet)))
	p.log.Warn("development identity provider speaks SAML too: it signs in anyone who asks; never enable it in production",
		"metadata", meta.String())
	return s, nil
}

// onError answers a request crewjam could not serve (an AuthnRequest from
// another service provider, a malformed one) with the provider's error page.
func (s *SAMLProvider) onError(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.p.log.Info("SAML request refused", "status", status, "error", err)
	s.p.renderError(w, r, status, &pageError{"SAML sign-in request refused",
		"The development identity provider could not answer this SAML request: " + err.Error()})
}

// MetadataURL is the absolute URL of the SAML metadata.
func (s *SAMLProvider) MetadataURL() string { return s.idp.MetadataURL.String() }

// BasePath is the path the SAML side serves under, "/dev-idp/saml".
func (s *SAMLProvider) BasePath() string { return s.base }

// Handler serves the SAML side. Mount it on BasePath()+"/" without
// stripping the prefix. The picker's POST is a browser form: the host's CSRF
// protection must check it (app/web MountDevIdP does).
func (s *SAMLProvider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+s.base+"/metadata", s.idp.ServeMetadata)
	mux.HandleFunc("GET "+s.base+"/sso", s.idp.ServeSSO)
	mux.Handle("POST "+s.base+"/sso", http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.servePick)))
	return mux
}

// GetServiceProvider implements saml.ServiceProviderProvider: the app is the
// only service provider.
func (s *SAMLProvider) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if id != s.sp.EntityID {
		return nil, os.ErrNotExist
	}
	return s.sp, nil
}

// pending is the authentication request carried through the picker: the
// request's XML (base64) and its RelayState. It need not be sealed: crewjam
// checks the request again when the picker posts it (issuer, ACS URL,
// freshness), and this provider signs anyone in anyway.
type pending struct {
	Request    string `json:"q"`
	RelayState string `json:"r"`
}

// ctxPick is the identity the picker chose, handed to GetSession.
type ctxPick struct{}

// GetSession implements saml.SessionProvider. For the GET of a new request
// it shows the picker and returns nil; for the picker's POST (servePick) it
// returns the chosen identity's session.
func (s *SAMLProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	if who, ok := r.Context().Value(ctxPick{}).(Identity); ok {
		now := s.p.now()
		attrs := []saml.Attribute{{FriendlyName: "displayName", Name: "urn:oid:2.16.840.1.113730.3.1.241",
			NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", Values: []saml.AttributeValue{{Type: "xs:string", Value: who.Name}}}}
		// The groups as a Shibboleth IdP releases them (isMemberOf), one of
		// the names the app reads by default, so that SSO_ROLE_MAP works
		// through this side as through the OpenID Connect one.
		if len(who.Groups) > 0 {
			groups := saml.Attribute{FriendlyName: "isMemberOf", Name: "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
				NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}
			for _, g := range who.Groups {
				groups.Values = append(groups.Values, saml.AttributeValue{Type: "xs:string", Value: g})
			}
			attrs = append(attrs, groups)
		}
		return &saml.Session{
			ID: "dev-" + who.Subject, CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "1",
			NameID: who.Subject, NameIDFormat: string(saml.PersistentNameIDFormat),
			UserEmail: who.Email, UserCommonName: who.Name, CustomAttributes: attrs,
		}
	}
	s.renderPicker(w, r, http.StatusOK, pending{Request: base64.StdEncoding.EncodeToString(req.RequestBuffer), RelayState: req.RelayState}, views.Picker{})
	return nil
}

// servePick receives the picker's POST and answers the carried request with
// the chosen (or newly typed) identity, as crewjam's HTTP-POST binding.
func (s *SAMLProvider) servePick(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.p.renderError(w, r, http.StatusBadRequest, &pageError{"Unreadable form", "The sign-in form could not be read."})
		return
	}
	var pend pending
	raw, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get(views.FieldRequest))
	if err != nil || json.Unmarshal(raw, &pend) != nil || pend.Request == "" {
		s.p.renderError(w, r, http.StatusBadRequest, &pageError{"Sign-in request invalid", "This sign-in page was altered. Start the sign-in again."})
		return
	}
	var who Identity
	if subject := r.PostForm.Get(views.FieldSubject); subject != "" {
		id, ok := s.p.people.lookup(subject)
		if !ok {
			s.p.renderError(w, r, http.StatusBadRequest, &pageError{"Unknown identity", "That demo identity does not exist (any more). Go back and pick another one."})
			return
		}
		who = id
	} else {
		name, email := r.PostForm.Get(views.FieldName), r.PostForm.Get(views.FieldEmail)
		groups := r.PostForm.Get(views.FieldGroups)
		id, errs := newIdentity(name, email, groups, false)
		if errs.any() {
			s.renderPicker(w, r, http.StatusUnprocessableEntity, pend, views.Picker{NewName: name, NewEmail: email, NewGroups: groups,
				NameError: errs.Name, EmailError: errs.Email, GroupsError: errs.Groups})
			return
		}
		s.p.people.remember(id)
		who = id
	}
	// crewjam's ServeSSO, on a POST carrying the request as the HTTP-POST
	// binding does, with the chosen identity for GetSession.
	form := url.Values{"SAMLRequest": {pend.Request}}
	if pend.RelayState != "" {
		form.Set("RelayState", pend.RelayState)
	}
	r2 := r.Clone(r.Context())
	r2.Form, r2.PostForm = form, form
	r2 = r2.WithContext(context.WithValue(r2.Context(), ctxPick{}, who))
	s.p.log.Info("signed in with SAML", "sp", s.sp.EntityID, "sub", who.Subject, "email", who.Email)
	s.idp.ServeSSO(w, r2)
}

// renderPicker shows the same picker as the OpenID Connect side.
func (s *SAMLProvider) renderPicker(w http.ResponseWriter, r *http.Request, status int, pend pending, form views.Picker) {
	b, _ := json.Marshal(pend)
	form.Identities = pickerIdentities(r.Context(), s.p.people.list(), s.status, false)
	form.Stylesheet = s.p.stylesheet
	form.ClientID = s.sp.EntityID + " (SAML)"
	form.RedirectURI = s.sp.SPSSODescriptors[0].AssertionConsumerServices[0].Location
	form.Action = s.base + "/sso"
	form.Request = base64.RawURLEncoding.EncodeToString(b)
	form.CancelURL = s.cancelURL
	if s.p.csrfToken != nil {
		form.CSRFToken = s.p.csrfToken(r)
	}
	s.p.render(w, r, status, views.PickerPage(form))
}

// responseForm is the page that carries the SAML response to the app
// (HTTP-POST binding). crewjam's own page submits itself with an inline
// script, which the app's Content-Security-Policy (script-src 'self')
// blocks; this one asks for one click instead, in the provider's look.
func responseForm(stylesheet string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">` +
		`<title>Continue · Development identity provider</title>` +
		`<link rel="stylesheet" href="` + template.HTMLEscapeString(stylesheet) + `"></head>` +
		`<body class="devidp"><main class="devidp-main">` +
		`<div class="alert alert-warning" role="alert"><strong>Development only</strong> — this sign-in page is served by the app itself and accepts anyone.</div>` +
		`<section class="card"><h1>Signed in at the development identity provider</h1>` +
		`<p>Your SAML response is ready for <code>{{.URL}}</code>.</p>` +
		`<form method="post" action="{{.URL}}" data-testid="devidp-saml-response">` +
		`<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">` +
		`{{if .RelayState}}<input type="hidden" name="RelayState" value="{{.RelayState}}">{{end}}` +
		`<button type="submit" class="btn btn-primary">Continue to the app</button>` +
		`</form></section></main></body></html>`
}
