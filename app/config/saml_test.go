package config_test

import (
	"strings"
	"testing"
)

// TestSAMLConfigurationNeedsTheKeyPairInProductionAndOneMetadataSource:
// production with a SAML identity provider refuses to start without the
// service provider's certificate and key (development makes them under
// data/), and either environment refuses both a metadata URL and file.
func TestSAMLConfigurationNeedsTheKeyPairInProductionAndOneMetadataSource(t *testing.T) {
	t.Parallel()
	const metadata = "https://idp.example.com/metadata"
	prod := with(productionEnv(), "SSO_SAML_IDP_METADATA_URL", metadata)
	if _, err := load(t, prod); err == nil || !strings.Contains(err.Error(), "SSO_SAML_CERT_FILE") {
		t.Errorf("production SAML without a key pair: %v, want a refusal naming SSO_SAML_CERT_FILE", err)
	}
	withKeys := with(with(prod, "SSO_SAML_CERT_FILE", "/etc/expenses/saml-sp.crt"), "SSO_SAML_KEY_FILE", "/etc/expenses/saml-sp.key")
	c, err := load(t, withKeys)
	if err != nil {
		t.Fatalf("production SAML with a key pair: %v", err)
	}
	if !c.SSO.SAMLConfigured() || c.SSO.SAMLIdPInitiated || c.SSO.SAMLName != "Company SSO" {
		t.Errorf("SAML %+v, want configured, IdP-initiated off, button Company SSO", c.SSO)
	}

	dev, err := load(t, map[string]string{"SSO_SAML_IDP_METADATA_URL": metadata})
	if err != nil {
		t.Fatal(err)
	}
	if dev.SSO.SAMLCertFile != "data/saml-sp.crt" || dev.SSO.SAMLKeyFile != "data/saml-sp.key" {
		t.Errorf("development key pair at %q and %q, want data/saml-sp.crt and data/saml-sp.key", dev.SSO.SAMLCertFile, dev.SSO.SAMLKeyFile)
	}
	if _, err := load(t, map[string]string{"SSO_SAML_IDP_METADATA_URL": metadata, "SSO_SAML_IDP_METADATA_FILE": "idp.xml"}); err == nil {
		t.Error("both a metadata URL and a metadata file were accepted")
	}
}
