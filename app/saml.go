package app

import (
	"fmt"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/sso"
)

// samlProviderSpec is the SAML identity provider set in the environment
// (SSO_SAML_*), with the service provider's key pair from SSO_SAML_CERT_FILE
// and SSO_SAML_KEY_FILE. Development makes the pair there on first use and
// keeps it, so the metadata registered at an identity provider stays valid
// across restarts; production needs both files (config refuses to start
// without them).
func samlProviderSpec(cfg config.Config) (sso.SAML, error) {
	c := cfg.SSO
	kp, err := sso.LoadSAMLKeyPair(c.SAMLCertFile, c.SAMLKeyFile, !cfg.IsProduction())
	if err != nil {
		return sso.SAML{}, fmt.Errorf("SAML: %w", err)
	}
	return sso.SAML{
		DisplayName:       c.SAMLName,
		IDPMetadataURL:    c.SAMLMetadataURL,
		IDPMetadataFile:   c.SAMLMetadataFile,
		EntityID:          c.SAMLEntityID,
		KeyPair:           kp,
		EmailAttributes:   c.SAMLEmailAttributes,
		NameAttributes:    c.SAMLNameAttributes,
		GroupsAttributes:  c.SAMLGroupsAttributes,
		IDAttribute:       c.SAMLIDAttribute,
		AllowIDPInitiated: c.SAMLIdPInitiated,
	}, nil
}
