package sso_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

func TestSAMLSignInNeverLinksSilentlyToAnExistingAccountWithTheSameEmail(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		app := appWithSAML(t, db, x, nil)
		// Ann already has a password account with the address the IdP sends.
		if err := db.Create(&fakeUser{Email: ann.Email, Name: "Ann (password)", Active: true, PasswordHash: "plain:" + demoPassword}).Error; err != nil {
			t.Fatal(err)
		}
		b := app.Browser(t)
		req := x.begin(t, b, "/auth/saml")
		wantProblem(t, post(b, req.RelayState, x.response(req, acsOf(app), answer{Who: ann})), http.StatusConflict, "email_in_use")
		if signedInAs(t, b) != "" {
			t.Error("signed in to the existing account")
		}
		if n := count(t, db, "SELECT COUNT(*) FROM identities"); n != 0 {
			t.Errorf("%d identities stored, want none: the account was linked", n)
		}
	})
}

func TestSAMLPersonOutsideTheAllowedDomainsIsRefusedAndNoAccountIsCreated(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	app := newFakeAppWithDB(t, openSQLite(t), fakeOptions{NoOIDC: true, NoSeed: true, AllowedDomains: []string{"acme.test"},
		Providers: []sso.ProviderSpec{x.spec(t)}})
	b := app.Browser(t)
	req := x.begin(t, b, "/auth/saml")
	outsider := person{NameID: "pat-1", Email: "pat@elsewhere.test", Name: "Pat Outsider"}
	wantProblem(t, post(b, req.RelayState, x.response(req, acsOf(app), answer{Who: outsider})), http.StatusForbidden, "no_access")
	if n := count(t, app.DB, "SELECT COUNT(*) FROM users"); n != 0 {
		t.Errorf("%d accounts created for a person outside the allowed domains", n)
	}
	// Inside the domain, the same IdP signs in.
	x.signInSAML(t, app, app.Browser(t), "/auth/saml", ann)
	if n := count(t, app.DB, "SELECT COUNT(*) FROM users WHERE email = ?", ann.Email); n != 1 {
		t.Error("a person at an allowed domain was not provisioned")
	}
}

func TestSAMLMetadataFromAFileSignsInAndMetadataWithADTDStopsStartUp(t *testing.T) {
	t.Parallel()
	x := newSAMLIdP(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "idp-metadata.xml")
	if err := os.WriteFile(file, x.metadata(), 0o644); err != nil {
		t.Fatal(err)
	}
	app := appWithSAML(t, nil, x, func(s *sso.SAML) { s.IDPMetadataURL, s.IDPMetadataFile = "", file })
	fetches := x.served.Load()
	b := app.Browser(t)
	x.signInSAML(t, app, b, "/auth/saml", ann)
	if signedInAs(t, b) != ann.Email {
		t.Fatal("not signed in with the metadata read from a file")
	}
	if x.served.Load() != fetches {
		t.Error("the metadata URL was fetched although a file was configured")
	}

	// Metadata that declares a DTD (entity expansion, external entities)
	// is configuration that is wrong: start-up stops and says why.
	evil := filepath.Join(dir, "evil-metadata.xml")
	withDTD := append([]byte(`<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>`), bytes.TrimPrefix(x.metadata(), []byte(`<?xml version="1.0"?>`))...)
	if err := os.WriteFile(evil, withDTD, 0o644); err != nil {
		t.Fatal(err)
	}
	db := openSQLite(t)
	migrateFake(t, db)
	spec := x.spec(t)
	spec.IDPMetadataURL, spec.IDPMetadataFile = "", evil
	_, err := sso.Start(context.Background(), echo.New(), sso.Config{
		BaseURL: "http://app.invalid", Secret: "s", DB: db, App: &fakeApp{}, CrossSitePosts: echo.New(),
		Providers: []sso.ProviderSpec{spec}, OnFirstLogin: func(context.Context, *gorm.DB, sso.Profile) (uint, error) { return 0, nil },
	})
	if err == nil || !strings.Contains(err.Error(), "DTD") {
		t.Fatalf("start-up with a DTD in the metadata: %v, want an error naming the DTD", err)
	}
}

func TestSAMLKeyPairIsMadeOnceAndKeptInDevelopmentAndRequiredInProduction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "data", "saml-sp.crt"), filepath.Join(dir, "data", "saml-sp.key")
	if _, err := sso.LoadSAMLKeyPair(cert, key, false); err == nil {
		t.Fatal("production (no create) started without the certificate and key")
	}
	first, err := sso.LoadSAMLKeyPair(cert, key, true)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	// The next start (development or production) reads the same pair, so
	// the metadata registered at the IdP stays valid.
	for _, create := range []bool{true, false} {
		again, err := sso.LoadSAMLKeyPair(cert, key, create)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Certificate[0], first.Certificate[0]) {
			t.Errorf("create=%v: a new certificate, want the kept one", create)
		}
	}
	leaf, err := x509.ParseCertificate(first.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.PublicKeyAlgorithm != x509.RSA {
		t.Errorf("key algorithm %v, want RSA (what every SAML IdP accepts)", leaf.PublicKeyAlgorithm)
	}
	// Half a pair is an error, never silently replaced.
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	if _, err := sso.LoadSAMLKeyPair(cert, key, true); err == nil {
		t.Error("a certificate without its key was replaced by a new pair")
	}
}
