package app

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/seed"
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

// devSAMLName is the route name of the development identity provider's SAML
// side: "saml", the same as a real SAML provider's, which replaces it.
const devSAMLName = "saml"

// startDevSAML builds the development identity provider's SAML side (on
// with DEV_IDP_SAML, off by default: one development button is clearer in
// the demo, and OpenID Connect is the template's first choice) and the spec
// that makes it the app's "saml" provider, with the button "SAML
// (development)". Both key pairs are made at each start: the app reads the
// provider's metadata in process, so nothing outside ever pins them. status
// tells its picker what signing in as each identity will do here.
func startDevSAML(cfg config.Config, idp *devidp.Provider, status devidp.StatusFunc) (*devidp.SAMLProvider, sso.SAML, error) {
	spKeys, err := sso.NewSAMLKeyPair("company-expenses (development)")
	if err != nil {
		return nil, sso.SAML{}, err
	}
	idpKeys, err := sso.NewSAMLKeyPair("development identity provider (SAML)")
	if err != nil {
		return nil, sso.SAML{}, err
	}
	entityID := cmp.Or(cfg.SSO.SAMLEntityID, cfg.BaseURL+"/auth/"+devSAMLName+"/metadata")
	side, err := idp.SAML(devidp.SAMLConfig{KeyPair: idpKeys, SPEntityID: entityID,
		ACSURL: cfg.BaseURL + "/auth/" + devSAMLName + "/acs", SPCertificate: spKeys.Leaf, CancelURL: paths.Login, Status: status})
	if err != nil {
		return nil, sso.SAML{}, fmt.Errorf("development identity provider (SAML): %w", err)
	}
	return side, sso.SAML{
		Name: devSAMLName, DisplayName: "SAML (development)", IDPMetadataURL: side.MetadataURL(),
		EntityID: entityID, KeyPair: spKeys,
		HTTPClient: sso.InProcessClient(strings.TrimSuffix(side.MetadataURL(), "/metadata"), side.Handler()),
	}, nil
}

// linkDevSAMLIdentities gives the demo people who have a development OpenID
// Connect identity a SAML one too, once, so that they sign in through either
// side as themselves (without it, their first SAML sign-in would meet their
// existing account, which the module never links silently).
func linkDevSAMLIdentities(ctx context.Context, db *gorm.DB, cfg config.Config, issuer string) error {
	var linked, saml int64
	if err := db.WithContext(ctx).Model(&sso.Identity{}).Where("provider = ? AND issuer = ?", "openid-connect", devIdPIssuer(cfg)).Count(&linked).Error; err != nil {
		return err
	}
	if err := db.WithContext(ctx).Model(&sso.Identity{}).Where("provider = ?", devSAMLName).Count(&saml).Error; err != nil {
		return err
	}
	if linked == 0 || saml > 0 {
		return nil
	}
	return seed.LinkDevIdentities(ctx, db, devSAMLName, issuer)
}
