package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMESAMLSectionNamesTheURLsTheIdentityProvidersRelayStateAndSingleLogout
// keeps issue 13's documentation true: the tutorial's "SAML instead of
// OpenID Connect" section gives the URLs to register, the configuration for
// Entra ID, Okta, ADFS and Keycloak, says where RelayState is kept, and says
// that single logout is left out.
func TestREADMESAMLSectionNamesTheURLsTheIdentityProvidersRelayStateAndSingleLogout(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### SAML instead of OpenID Connect\n")
	if !ok {
		t.Fatal(`README has no "### SAML instead of OpenID Connect" section`)
	}
	section, _, _ = strings.Cut(section, "\n### ")
	for _, want := range []string{
		"`BASE_URL/auth/saml/acs`", "`BASE_URL/auth/saml/metadata`", "`BASE_URL/auth/saml`",
		"Microsoft Entra ID", "Okta", "ADFS", "Keycloak",
		"`SSO_SAML_IDP_METADATA_URL`", "`SSO_SAML_ID_ATTRIBUTE`",
		"`sso_saml_requests`", "`RelayState`",
		"Single logout (SAML SLO) is not implemented",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the SAML section does not mention %s", want)
		}
	}
}
