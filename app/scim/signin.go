package scim

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// ProvisionedLogin is the SSO module's OnProvisionedLogin hook: it finds
// the account SCIM made for someone signing in through SSO for the first
// time, by the provider's immutable id. The SCIM externalId is compared with
// the sign-in's directory id (Entra ID's "oid"; Entra's "sub" is different
// for every application) and subject (Okta's user id, Keycloak's user id),
// never with the e-mail address. Only OpenID Connect sign-ins count (they
// have a verified issuer), and only an account not yet linked to this
// provider: a second identity claiming the same account is refused at the
// e-mail check that follows, as any stranger would be.
func (s *Service) ProvisionedLogin(ctx context.Context, tx *gorm.DB, p sso.Profile) (uint, bool, error) {
	if p.Issuer == "" {
		return 0, false, nil
	}
	var ids []string
	for _, id := range []string{p.DirectoryID, p.Subject} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	var links []models.SCIMUser
	if err := tx.WithContext(ctx).Where("external_id IN ?", ids).Limit(2).Find(&links).Error; err != nil {
		return 0, false, err
	}
	if len(links) != 1 {
		if len(links) > 1 {
			s.log.WarnContext(ctx, "two provisioned people share an externalId; linking neither", "external_id", links[0].ExternalID)
		}
		return 0, false, nil
	}
	var linked sso.Identity
	err := tx.WithContext(ctx).Where("user_id = ? AND provider = ?", links[0].UserID, p.Provider).Take(&linked).Error
	switch {
	case err == nil:
		return 0, false, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return 0, false, err
	}
	return links[0].UserID, true, nil
}
