package sso_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

func acsOf(app *fakeApp) string { return app.URL + "/auth/saml/acs" }

func TestSAMLFirstSignInCreatesTheAccountAndTheSecondMatchesTheSamePerson(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		app := appWithSAML(t, db, x, nil)

		b := app.Browser(t)
		if got := x.signInSAML(t, app, b, "/auth/saml?next=/expenses/42", ann); got != "/expenses/42" {
			t.Errorf("landed on %q, want the deep link /expenses/42", got)
		}
		if got := signedInAs(t, b); got != ann.Email {
			t.Fatalf("signed in as %q, want %s", got, ann.Email)
		}
		var id sso.Identity
		if err := db.Where("provider = ?", "saml").Take(&id).Error; err != nil {
			t.Fatal(err)
		}
		if id.Subject != ann.NameID || id.Issuer != x.entityID {
			t.Errorf("identity (%q, %q), want (NameID %q, IdP entity id %q)", id.Subject, id.Issuer, ann.NameID, x.entityID)
		}

		// A second sign-in, in another browser, with a changed address:
		// the same person (matched on the NameID), no second account.
		moved := ann
		moved.Email = "ann.lee-smith@acme.test"
		b2 := app.Browser(t)
		x.signInSAML(t, app, b2, "/auth/saml", moved)
		if got := signedInAs(t, b2); got != moved.Email {
			t.Errorf("second sign-in as %q, want the refreshed %s", got, moved.Email)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM users"); n != 1 {
			t.Errorf("%d accounts, want 1", n)
		}
	})
}

func TestSAMLProfileReadsEmailNameAndGroupsFromEntraOktaAndShibbolethAttributeNames(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	// Entra ID / ADFS claim URIs and Okta's email (the helper's default).
	x.signInSAML(t, app, app.Browser(t), "/auth/saml", ann)
	got := app.lastProfile(t)
	if got.Email != ann.Email || got.Name != ann.Name || !got.EmailVerified || strings.Join(got.Groups, ",") != "Finance,Staff" {
		t.Errorf("profile %+v, want Ann's e-mail (verified), name and groups Finance,Staff", got)
	}
	// Shibboleth sends OIDs; Okta plain names.
	shib := person{NameID: "shib-1", Attrs: map[string][]string{
		"urn:oid:0.9.2342.19200300.100.1.3": {"Sam.Roe@Uni.test"},
		"urn:oid:2.16.840.1.113730.3.1.241": {"Sam Roe"},
		"urn:oid:1.3.6.1.4.1.5923.1.5.1.1":  {"staff", "library"},
	}}
	b := app.Browser(t)
	x.signInSAML(t, app, b, "/auth/saml", shib)
	if email := signedInAs(t, b); email != "sam.roe@uni.test" {
		t.Errorf("signed in as %q, want the Shibboleth mail attribute, lower-cased", email)
	}
	var u struct{ Name string }
	app.DB.Raw("SELECT name FROM users WHERE email = ?", "sam.roe@uni.test").Scan(&u)
	if u.Name != "Sam Roe" {
		t.Errorf("name %q, want the displayName OID's Sam Roe", u.Name)
	}
	got = app.lastProfile(t)
	if strings.Join(got.Groups, ",") != "staff,library" {
		t.Errorf("groups %q, want isMemberOf's staff,library", got.Groups)
	}
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func xmlUnmarshal(s string, v any) error { return xml.Unmarshal([]byte(s), v) }

func TestSAMLTransientOrEmailNameIDIsRefusedUnlessAnIDAttributeIsConfigured(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	for _, format := range []saml.NameIDFormat{saml.TransientNameIDFormat, saml.EmailAddressNameIDFormat, saml.UnspecifiedNameIDFormat} {
		who := ann
		who.Format, who.NameID = string(format), ann.Email
		b := app.Browser(t)
		req := x.begin(t, b, "/auth/saml")
		res := post(b, req.RelayState, x.response(req, acsOf(app), answer{Who: who}))
		wantProblem(t, res, http.StatusUnauthorized, "saml_response")
	}
	if n := count(t, app.DB, "SELECT COUNT(*) FROM identities"); n != 0 {
		t.Errorf("%d identities stored from non-persistent NameIDs", n)
	}

	// With an immutable attribute configured, it is the subject.
	oid := "http://schemas.microsoft.com/identity/claims/objectidentifier"
	app2 := appWithSAML(t, nil, x, func(s *sso.SAML) { s.IDAttribute = oid })
	who := ann
	who.Format, who.NameID = string(saml.EmailAddressNameIDFormat), ann.Email
	who.Attrs = map[string][]string{oid: {"0b7e-immutable"}}
	x.signInSAML(t, app2, app2.Browser(t), "/auth/saml", who)
	var subject string
	app2.DB.Raw("SELECT subject FROM identities WHERE provider = 'saml'").Scan(&subject)
	if subject != "0b7e-immutable" {
		t.Errorf("subject %q, want the object id attribute", subject)
	}
}

func TestSAMLUnsignedResponseAndAssertionAreRefused(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	other, err := sso.NewSAMLKeyPair("attacker")
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]answer{
		"nothing signed":                      {NoAssertionSignature: true},
		"signed by another key":               {Key: &other},
		"response signed by another key only": {NoAssertionSignature: true, SignResponse: true, Key: &other},
	} {
		t.Run(name, func(t *testing.T) {
			b := app.Browser(t)
			req := x.begin(t, b, "/auth/saml")
			a.Who = ann
			wantProblem(t, post(b, req.RelayState, x.response(req, acsOf(app), a)), http.StatusUnauthorized, "saml_response")
			if signedInAs(t, b) != "" {
				t.Error("signed in")
			}
		})
	}
	// The same response, properly signed, works: the refusals above are
	// the signatures', nothing else's.
	b := app.Browser(t)
	req := x.begin(t, b, "/auth/saml")
	if res := post(b, req.RelayState, x.response(req, acsOf(app), answer{Who: ann, SignResponse: true, NoAssertionSignature: true})); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a signed response was refused: %d\n%s", res.StatusCode, res.Body)
	}
}

func TestSAMLSignatureWrappingIsRefused(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	mallory := person{NameID: "mallory", Email: "mallory@acme.test", Name: "Mallory"}

	cases := map[string]func(req authnRequest) []byte{
		// The classic: the IdP's signed assertion for Ann hidden inside an
		// unsigned assertion for Mallory, whose signature "covers" Ann's.
		"signed assertion wrapped inside an unsigned one": func(req authnRequest) []byte {
			signed := x.assertionEl(x.assertion(req, acsOf(app), answer{Who: ann}), answer{})
			evil := x.assertion(req, acsOf(app), answer{Who: mallory})
			evilEl := x.assertionEl(evil, answer{NoAssertionSignature: true})
			sig := etree.NewElement("ds:Signature")
			sig.CreateAttr("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#")
			obj := sig.CreateElement("ds:Object")
			obj.AddChild(signed)
			evilEl.InsertChildAt(1, sig)
			return xmlBytes(t, x.responseEl(req, acsOf(app), answer{}, evilEl))
		},
		// A second, unsigned assertion beside the signed one, first.
		"unsigned assertion before a signed one": func(req authnRequest) []byte {
			signed := x.assertionEl(x.assertion(req, acsOf(app), answer{Who: ann}), answer{})
			evil := x.assertionEl(x.assertion(req, acsOf(app), answer{Who: mallory}), answer{NoAssertionSignature: true})
			return xmlBytes(t, x.responseEl(req, acsOf(app), answer{}, evil, signed))
		},
		// A second assertion after a signed response's own.
		"unsigned assertion after a signed response's": func(req authnRequest) []byte {
			as := x.assertionEl(x.assertion(req, acsOf(app), answer{Who: ann}), answer{NoAssertionSignature: true})
			el := x.responseEl(req, acsOf(app), answer{SignResponse: true}, as)
			el.AddChild(x.assertionEl(x.assertion(req, acsOf(app), answer{Who: mallory}), answer{NoAssertionSignature: true}))
			return xmlBytes(t, el)
		},
		// The signed assertion's content changed after signing (the
		// NameID swapped), its signature kept.
		"signed assertion edited": func(req authnRequest) []byte {
			el := x.assertionEl(x.assertion(req, acsOf(app), answer{Who: ann}), answer{})
			el.FindElement(".//NameID").SetText(mallory.NameID)
			return xmlBytes(t, x.responseEl(req, acsOf(app), answer{}, el))
		},
		// A signed response for Ann moved inside an unsigned response
		// whose assertion is Mallory's.
		"signed response wrapped in an unsigned one": func(req authnRequest) []byte {
			good := x.responseEl(req, acsOf(app), answer{SignResponse: true}, x.assertionEl(x.assertion(req, acsOf(app), answer{Who: ann}), answer{NoAssertionSignature: true}))
			evil := x.responseEl(req, acsOf(app), answer{}, x.assertionEl(x.assertion(req, acsOf(app), answer{Who: mallory}), answer{NoAssertionSignature: true}))
			ext := evil.CreateElement("samlp:Extensions")
			ext.AddChild(good)
			return xmlBytes(t, evil)
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			b := app.Browser(t)
			req := x.begin(t, b, "/auth/saml")
			res := post(b, req.RelayState, build(req))
			if res.StatusCode == http.StatusSeeOther {
				t.Fatalf("wrapped response accepted, signed in as %q", signedInAs(t, b))
			}
			wantProblem(t, res, http.StatusUnauthorized, "saml_response")
		})
	}
	if n := count(t, app.DB, "SELECT COUNT(*) FROM identities"); n != 0 {
		t.Errorf("%d identities stored", n)
	}
}

func TestSAMLWrongAudienceDestinationRecipientOrIssuerIsRefused(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	for name, a := range map[string]answer{
		"audience":    {Audience: "https://other-app.example/saml/metadata"},
		"destination": {Destination: "https://other-app.example/saml/acs", SignResponse: true},
		"recipient":   {Recipient: "https://other-app.example/saml/acs"},
		"issuer":      {Issuer: "https://evil.example/idp"},
	} {
		t.Run(name, func(t *testing.T) {
			b := app.Browser(t)
			req := x.begin(t, b, "/auth/saml")
			a.Who = ann
			wantProblem(t, post(b, req.RelayState, x.response(req, acsOf(app), a)), http.StatusUnauthorized, "saml_response")
		})
	}
}

func TestSAMLExpiredOrNotYetValidAssertionIsRefusedWithASmallClockSkewAllowed(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	now := time.Now().UTC()
	for name, tc := range map[string]struct {
		a  answer
		ok bool
	}{
		"expired ten minutes ago":            {answer{IssueInstant: now.Add(-15 * time.Minute), NotOnOrAfter: now.Add(-10 * time.Minute)}, false},
		"valid only from ten minutes on":     {answer{IssueInstant: now, NotBefore: now.Add(10 * time.Minute), NotOnOrAfter: now.Add(15 * time.Minute)}, false},
		"expired thirty seconds ago":         {answer{IssueInstant: now.Add(-40 * time.Second), NotOnOrAfter: now.Add(-30 * time.Second)}, true},
		"valid from thirty seconds on":       {answer{IssueInstant: now, NotBefore: now.Add(30 * time.Second), NotOnOrAfter: now.Add(5 * time.Minute)}, true},
		"issued a minute ahead of our clock": {answer{IssueInstant: now.Add(time.Minute)}, true},
	} {
		t.Run(name, func(t *testing.T) {
			b := app.Browser(t)
			req := x.begin(t, b, "/auth/saml")
			tc.a.Who = person{NameID: "p-" + strings.ReplaceAll(name, " ", "-"), Email: strings.ReplaceAll(name, " ", ".") + "@acme.test"}
			res := post(b, req.RelayState, x.response(req, acsOf(app), tc.a))
			if tc.ok {
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("refused within the clock-skew allowance: %d\n%s", res.StatusCode, res.Body)
				}
				return
			}
			wantProblem(t, res, http.StatusUnauthorized, "saml_response")
		})
	}
}

func TestSAMLReplayedAssertionIsRefusedAlsoByAnotherInstance(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		one := appWithSAML(t, db, x, nil)
		two := appWithSAML(t, db, x, nil)

		b := one.Browser(t)
		req := x.begin(t, b, "/auth/saml")
		resp := x.response(req, acsOf(one), answer{Who: ann, AssertionID: "id-replayed-assertion"})
		if res := post(b, req.RelayState, resp); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use refused: %d\n%s", res.StatusCode, res.Body)
		}

		// The attacker has a copy of the response and starts a sign-in of
		// their own at the other instance, to have a request it answers:
		// the same assertion ID, re-signed for their request (as a
		// captured assertion re-used in an IdP-initiated flow would be).
		b2 := two.Browser(t)
		req2 := x.begin(t, b2, "/auth/saml")
		again := x.response(req2, acsOf(two), answer{Who: ann, AssertionID: "id-replayed-assertion"})
		res := post(b2, req2.RelayState, again)
		wantProblem(t, res, http.StatusUnauthorized, "saml_response")
		if signedInAs(t, b2) != "" {
			t.Error("the replayed assertion signed in on the second instance")
		}
	})
}

func TestSAMLResponseMustAnswerTheRequestThisBrowserStarted(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)

	// Mallory signs in at the IdP and pushes her response into Ann's
	// browser, which started a sign-in of its own.
	mallory := app.Browser(t)
	mreq := x.begin(t, mallory, "/auth/saml")
	mresp := x.response(mreq, acsOf(app), answer{Who: person{NameID: "mallory", Email: "mallory@acme.test"}})

	victim := app.Browser(t)
	vreq := x.begin(t, victim, "/auth/saml")
	wantProblem(t, post(victim, vreq.RelayState, mresp), http.StatusUnauthorized, "saml_response")
	// Without any sign-in started in this browser: no flow cookie.
	wantProblem(t, post(app.Browser(t), mreq.RelayState, mresp), http.StatusBadRequest, "state")
	// Without RelayState at all (an unsolicited response).
	wantProblem(t, post(app.Browser(t), "", mresp), http.StatusBadRequest, "state")
	if signedInAs(t, victim) != "" {
		t.Error("the victim's browser was signed in")
	}
	// Mallory's own browser still completes her sign-in.
	if res := post(mallory, mreq.RelayState, mresp); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the right browser was refused: %d\n%s", res.StatusCode, res.Body)
	}
}

func TestSAMLIdPInitiatedSignInIsOffByDefaultAndWorksWhenEnabled(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	unsolicited := x.response(authnRequest{Issuer: app.URL + "/auth/saml/metadata"}, acsOf(app), answer{Who: ann, Unsolicited: true})
	wantProblem(t, post(app.Browser(t), "", unsolicited), http.StatusBadRequest, "state")

	on := appWithSAML(t, nil, x, func(s *sso.SAML) { s.AllowIDPInitiated = true })
	b := on.Browser(t)
	res := post(b, "", x.response(authnRequest{Issuer: on.URL + "/auth/saml/metadata"}, acsOf(on), answer{Who: ann, Unsolicited: true}))
	if res.StatusCode != http.StatusSeeOther || res.Location() != "/" {
		t.Fatalf("IdP-initiated sign-in when enabled: %d to %q\n%s", res.StatusCode, res.Location(), res.Body)
	}
	if signedInAs(t, b) != ann.Email {
		t.Error("not signed in")
	}
}

func TestSAMLXMLWithADTDOrEntitiesIsRefused(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	b := app.Browser(t)
	req := x.begin(t, b, "/auth/saml")
	good := x.response(req, acsOf(app), answer{Who: ann})
	dtd := []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`)
	withDTD := append(dtd, good...)
	wantProblem(t, post(b, req.RelayState, withDTD), http.StatusUnauthorized, "saml_response")

	// An entity reference without a DTD is refused too.
	b2 := app.Browser(t)
	req2 := x.begin(t, b2, "/auth/saml")
	ent := bytes.Replace(x.response(req2, acsOf(app), answer{Who: ann}), []byte(ann.Name), []byte("&xxe;"), 1)
	wantProblem(t, post(b2, req2.RelayState, ent), http.StatusUnauthorized, "saml_response")
}

func TestSAMLKeyRolloverAtTheIdPIsPickedUpAtTheNextSignIn(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	clock := &testClock{t: time.Now()}
	app := appWithSAML(t, nil, x, func(s *sso.SAML) { s.Now = clock.Now; s.MetadataRefresh = time.Hour })
	x.signInSAML(t, app, app.Browser(t), "/auth/saml", ann)
	fetches := x.served.Load()

	// The IdP switches to a new certificate. The next sign-in's response
	// is signed with it: the app reads the metadata again and accepts it.
	x.rollKey()
	clock.Add(2 * time.Minute)
	b := app.Browser(t)
	x.signInSAMLWith(t, app, b, "/auth/saml", answer{Who: ann, IssueInstant: clock.Now()})
	if signedInAs(t, b) != ann.Email {
		t.Fatal("not signed in after the key rollover")
	}
	if x.served.Load() <= fetches {
		t.Error("the metadata was not read again")
	}

	// Once the scheduled refresh has read metadata without it, a response
	// signed with the old key is refused.
	old := x.rollKey()
	clock.Add(61 * time.Minute)
	before := x.served.Load()
	app.Browser(t).Get("/auth/saml") // due: refreshed in the background
	waitFor(t, func() bool { return x.served.Load() > before })
	time.Sleep(200 * time.Millisecond) // the refresh swaps the metadata after reading it
	b3 := app.Browser(t)
	req := x.begin(t, b3, "/auth/saml")
	wantProblem(t, post(b3, req.RelayState, x.response(req, acsOf(app), answer{Who: ann, Key: &old, IssueInstant: clock.Now()})), http.StatusUnauthorized, "saml_response")
}

func TestSAMLMetadataIsReadAgainOnSchedule(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	clock := &testClock{t: time.Now()}
	app := appWithSAML(t, nil, x, func(s *sso.SAML) { s.Now = clock.Now; s.MetadataRefresh = time.Hour })
	start := x.served.Load()
	app.Browser(t).Get("/auth/saml")
	if x.served.Load() != start {
		t.Fatal("metadata read again before it was due")
	}
	clock.Add(61 * time.Minute)
	app.Browser(t).Get("/auth/saml") // due: refreshed in the background
	waitFor(t, func() bool { return x.served.Load() > start })
}

// waitFor waits up to five seconds for cond.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
	}
}

func TestSAMLMetadataNamesTheACSAndEntityID(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	res := app.Browser(t).Get("/auth/saml/metadata")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var md saml.EntityDescriptor
	if err := xmlUnmarshal(res.Body, &md); err != nil {
		t.Fatal(err)
	}
	if md.EntityID != app.URL+"/auth/saml/metadata" {
		t.Errorf("entity id %q", md.EntityID)
	}
	sp := md.SPSSODescriptors
	if len(sp) != 1 || len(sp[0].AssertionConsumerServices) != 1 ||
		sp[0].AssertionConsumerServices[0].Location != acsOf(app) || sp[0].AssertionConsumerServices[0].Binding != saml.HTTPPostBinding {
		t.Errorf("ACS %+v, want only HTTP-POST at %s", sp, acsOf(app))
	}
}

func TestSAMLRoutesAnswer404WithoutASAMLProvider(t *testing.T) {
	t.Parallel()
	app := newFakeApp(t, fakeOptions{NoSeed: true})
	b := app.Browser(t)
	for _, res := range []*response{b.Get("/auth/saml"), b.Get("/auth/saml/metadata"), b.PostForm("/auth/saml/acs", url.Values{"SAMLResponse": {"x"}})} {
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", res.Request.Method, res.Request.URL.Path, res.StatusCode)
		}
	}
}

func TestSAMLStartsWhileTheIdPIsDownAndSignsInSoonAfterItAnswers(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	x.down.Store(true)
	clock := &testClock{t: time.Now()}
	app := appWithSAML(t, nil, x, func(s *sso.SAML) { s.Now = clock.Now })
	if got := app.SSO.Providers(); len(got) != 1 || got[0].Available {
		t.Fatalf("providers %+v, want saml unavailable while its metadata does not answer", got)
	}
	wantProblem(t, app.Browser(t).Get("/auth/saml"), http.StatusServiceUnavailable, "unreachable")

	// The IdP is back; half a minute later (not an hour) it is read again.
	x.down.Store(false)
	clock.Add(31 * time.Second)
	b := app.Browser(t)
	x.signInSAMLWith(t, app, b, "/auth/saml", answer{Who: ann, IssueInstant: clock.Now()})
	if signedInAs(t, b) != ann.Email {
		t.Error("not signed in once the IdP answered")
	}
}

func TestSAMLEntraGroupsLinkMarksTheGroupsAsOverageNotAsNone(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := appWithSAML(t, nil, x, nil)
	many := person{NameID: "many-groups", Email: "many@acme.test", Attrs: map[string][]string{
		"http://schemas.microsoft.com/claims/groups.link": {"https://graph.windows.net/tenant/users/many/getMemberObjects"},
	}}
	x.signInSAML(t, app, app.Browser(t), "/auth/saml", many)
	got := app.lastProfile(t)
	if !got.GroupsOverage || got.Groups != nil {
		t.Errorf("GroupsOverage %v with groups %q, want overage and no groups", got.GroupsOverage, got.Groups)
	}
}
