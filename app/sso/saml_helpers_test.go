package sso_test

import (
	"bytes"
	"compress/flate"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

// samlIdP is a SAML identity provider for the tests: it publishes metadata
// with its signing certificate and builds the responses the tests post,
// signed with its key, or tampered with in the ways attackers do.
type samlIdP struct {
	t        *testing.T
	srv      *httptest.Server
	entityID string
	ssoURL   string

	mu     sync.Mutex
	key    tls.Certificate
	served atomic.Int32 // metadata fetches
	down   atomic.Bool  // the metadata URL answers 503
}

func newSAMLIdP(t *testing.T) *samlIdP {
	t.Helper()
	x := &samlIdP{t: t}
	x.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x.served.Add(1)
		if x.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write(x.metadata())
	}))
	t.Cleanup(x.srv.Close)
	x.entityID = x.srv.URL + "/idp/metadata"
	x.ssoURL = x.srv.URL + "/idp/sso"
	x.rollKey()
	return x
}

// rollKey gives the identity provider a new signing key, as at a key
// rollover: its metadata publishes the new certificate from now on.
func (x *samlIdP) rollKey() tls.Certificate {
	x.t.Helper()
	kp, err := sso.NewSAMLKeyPair("test idp")
	if err != nil {
		x.t.Fatal(err)
	}
	x.mu.Lock()
	old := x.key
	x.key = kp
	x.mu.Unlock()
	return old
}

func (x *samlIdP) keyPair() tls.Certificate {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.key
}

func (x *samlIdP) metadata() []byte {
	cert := base64.StdEncoding.EncodeToString(x.keyPair().Certificate[0])
	return []byte(`<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + x.entityID + `">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + cert + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + x.ssoURL + `"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`)
}

// spec is the SAML provider configuration for an app that uses this IdP.
func (x *samlIdP) spec(t *testing.T) sso.SAML {
	t.Helper()
	return sso.SAML{IDPMetadataURL: x.srv.URL + "/idp/metadata", KeyPair: spKeyPair(t), DisplayName: "Acme SAML"}
}

var (
	spKeyOnce sync.Once
	spKey     tls.Certificate
)

// spKeyPair is the service provider's key pair, made once for all tests.
func spKeyPair(t *testing.T) tls.Certificate {
	spKeyOnce.Do(func() {
		var err error
		if spKey, err = sso.NewSAMLKeyPair("test sp"); err != nil {
			panic(err)
		}
	})
	return spKey
}

// appWithSAML starts a fake app whose only provider is a SAML one at x.
func appWithSAML(t *testing.T, db *gorm.DB, x *samlIdP, edit func(*sso.SAML)) *fakeApp {
	t.Helper()
	spec := x.spec(t)
	if edit != nil {
		edit(&spec)
	}
	if db == nil {
		db = openSQLite(t)
	}
	return newFakeAppWithDB(t, db, fakeOptions{NoOIDC: true, NoSeed: true, Providers: []sso.ProviderSpec{spec}, Log: testLog(t)})
}

// authnRequest is what the browser carried to the identity provider.
type authnRequest struct {
	ID, ACS, Issuer string
	RelayState      string
}

// begin starts a SAML sign-in at start (GET /auth/saml?...) and reads the
// AuthnRequest from the redirect to the identity provider.
func (x *samlIdP) begin(t *testing.T, b *browser, start string) authnRequest {
	t.Helper()
	res := b.Get(start)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: status %d, want 302 to the IdP\n%s", start, res.StatusCode, res.Body)
	}
	u, err := url.Parse(res.Location())
	if err != nil || !strings.HasPrefix(res.Location(), x.ssoURL+"?") {
		t.Fatalf("redirect to %q, want the IdP's SSO URL %s", res.Location(), x.ssoURL)
	}
	raw, err := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	inflated, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var req saml.AuthnRequest
	if err := xml.Unmarshal(inflated, &req); err != nil {
		t.Fatal(err)
	}
	return authnRequest{ID: req.ID, ACS: req.AssertionConsumerServiceURL, Issuer: req.Issuer.Value, RelayState: u.Query().Get("RelayState")}
}

// person is who the IdP says signs in.
type person struct {
	NameID, Format string
	Email, Name    string
	Groups         []string
	Attrs          map[string][]string
}

var ann = person{NameID: "ann-7f3a", Email: "ann.lee@acme.test", Name: "Ann Lee", Groups: []string{"Finance", "Staff"}}

// answer is one response the IdP makes. The zero value of each field takes
// the correct value for req.
type answer struct {
	Who                              person
	InResponseTo                     string
	Destination, Recipient, Audience string
	Issuer                           string
	IssueInstant                     time.Time
	NotBefore, NotOnOrAfter          time.Time
	// SignResponse and SignAssertion choose the signatures; by default
	// the assertion is signed and the response is not (like most IdPs).
	SignResponse, NoAssertionSignature bool
	// Key signs instead of the IdP's current key.
	Key *tls.Certificate
	// AssertionID replaces the random assertion ID.
	AssertionID string
	// Unsolicited leaves InResponseTo out (IdP-initiated).
	Unsolicited bool
}

var idSeq atomic.Int64

func (x *samlIdP) assertion(req authnRequest, acs string, a answer) *saml.Assertion {
	now := a.IssueInstant
	if now.IsZero() {
		now = time.Now().UTC()
	}
	inResponseTo := or(a.InResponseTo, req.ID)
	if a.Unsolicited {
		inResponseTo = ""
	}
	nb, noa := a.NotBefore, a.NotOnOrAfter
	if nb.IsZero() {
		nb = now.Add(-30 * time.Second)
	}
	if noa.IsZero() {
		noa = now.Add(5 * time.Minute)
	}
	format := or(a.Who.Format, string(saml.PersistentNameIDFormat))
	var attrs []saml.Attribute
	add := func(name string, values ...string) {
		at := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range values {
			at.Values = append(at.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		attrs = append(attrs, at)
	}
	if a.Who.Email != "" {
		add("email", a.Who.Email)
	}
	if a.Who.Name != "" {
		add("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", a.Who.Name)
	}
	if len(a.Who.Groups) > 0 {
		add("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", a.Who.Groups...)
	}
	for k, v := range a.Who.Attrs {
		add(k, v...)
	}
	return &saml.Assertion{
		ID:           or(a.AssertionID, fmt.Sprintf("id-assertion-%d-%d", time.Now().UnixNano(), idSeq.Add(1))),
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: or(a.Issuer, x.entityID)},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: format, Value: a.Who.NameID},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: inResponseTo, NotOnOrAfter: noa, Recipient: or(a.Recipient, acs),
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore: nb, NotOnOrAfter: noa,
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: or(a.Audience, req.Issuer)}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: now, SessionIndex: "session-1",
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}},
		}},
		AttributeStatements: []saml.AttributeStatement{{Attributes: attrs}},
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sign adds an enveloped signature to el (which must have an ID), placed
// right after its Issuer as the schema wants.
func (x *samlIdP) sign(el *etree.Element, key tls.Certificate) *etree.Element {
	x.t.Helper()
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(key))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		x.t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		x.t.Fatal(err)
	}
	return signed.Child[len(signed.Child)-1].(*etree.Element)
}

// assertionEl is the assertion as XML, signed unless a says not.
func (x *samlIdP) assertionEl(as *saml.Assertion, a answer) *etree.Element {
	key := x.keyPair()
	if a.Key != nil {
		key = *a.Key
	}
	if !a.NoAssertionSignature {
		as.Signature = x.sign(as.Element(), key)
	}
	return as.Element()
}

// responseEl wraps assertion elements into a Response for req.
func (x *samlIdP) responseEl(req authnRequest, acs string, a answer, assertions ...*etree.Element) *etree.Element {
	inResponseTo := or(a.InResponseTo, req.ID)
	if a.Unsolicited {
		inResponseTo = ""
	}
	issued := a.IssueInstant
	if issued.IsZero() {
		issued = time.Now().UTC()
	}
	r := &saml.Response{
		Destination: or(a.Destination, acs), ID: fmt.Sprintf("id-response-%d", idSeq.Add(1)), InResponseTo: inResponseTo,
		IssueInstant: issued, Version: "2.0",
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: or(a.Issuer, x.entityID)},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
	el := r.Element()
	for _, as := range assertions {
		el.AddChild(as.Copy())
	}
	if a.SignResponse {
		key := x.keyPair()
		if a.Key != nil {
			key = *a.Key
		}
		r.Signature = x.sign(el, key)
		el = r.Element()
		for _, as := range assertions {
			el.AddChild(as.Copy())
		}
	}
	return el
}

// response is a complete, valid (unless a says otherwise) response for req.
func (x *samlIdP) response(req authnRequest, acs string, a answer) []byte {
	as := x.assertion(req, acs, a)
	return xmlBytes(x.t, x.responseEl(req, acs, a, x.assertionEl(as, a)))
}

func xmlBytes(t *testing.T, el *etree.Element) []byte {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post posts a response to the app's assertion consumer service, as the
// IdP's auto-submitting form does.
func post(b *browser, relayState string, responseXML []byte) *response {
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(responseXML)}}
	if relayState != "" {
		form.Set("RelayState", relayState)
	}
	return b.PostForm("/auth/saml/acs", form)
}

// signInSAML signs in as who through x and returns where the app sent the
// browser afterwards.
func (x *samlIdP) signInSAML(t *testing.T, app *fakeApp, b *browser, start string, who person) string {
	t.Helper()
	return x.signInSAMLWith(t, app, b, start, answer{Who: who})
}

// signInSAMLWith is signInSAML with the IdP answering a.
func (x *samlIdP) signInSAMLWith(t *testing.T, app *fakeApp, b *browser, start string, a answer) string {
	t.Helper()
	req := x.begin(t, b, start)
	res := post(b, req.RelayState, x.response(req, app.URL+"/auth/saml/acs", a))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ACS: status %d, want 303\n%s", res.StatusCode, res.Body)
	}
	return res.Location()
}

// testLog writes the app's log to the test's, shown when it fails.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
