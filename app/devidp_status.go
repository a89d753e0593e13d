package app

import (
	"context"
	"errors"
	"log/slog"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/devidp"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/app/sso"
	"github.com/company-expenses/company-expenses/models"
)

// devIdPStatus tells the development identity provider's picker what signing
// in as an identity will do here, through the SSO provider named provider
// ("openid-connect", or "saml" for the provider's SAML side) whose issuer
// is issuer. It asks what the SSO module's sign-in asks, in the same order
// (app/sso, accounts.go): the identity on (provider, subject) and its
// issuer, then the state of its account; without an identity, an account
// with the e-mail address, which the module never links silently.
//
// It reads only; a database error shows no status (and is logged), because
// the picker must still work.
func devIdPStatus(db *gorm.DB, log *slog.Logger, provider, issuer string) devidp.StatusFunc {
	return func(ctx context.Context, subject, email string) devidp.Status {
		st, err := identityStatus(ctx, db, provider, issuer, subject, email)
		if err != nil {
			log.WarnContext(ctx, "development identity provider: cannot tell what signing in would do", "provider", provider, "sub", subject, "err", err)
			return devidp.Status{}
		}
		return st
	}
}

func identityStatus(ctx context.Context, db *gorm.DB, provider, issuer, subject, email string) (devidp.Status, error) {
	db = db.WithContext(ctx)
	var id sso.Identity
	err := db.Where("provider = ? AND subject = ?", provider, subject).Take(&id).Error
	switch {
	case err == nil:
		if id.Issuer != "" && id.Issuer != issuer {
			// seed.FollowDevIssuer moves such identities at start when
			// the old issuer was the development provider's too.
			relinks := provider == "openid-connect" && seed.IsDevIssuer(id.Issuer)
			return devidp.Status{Kind: devidp.StatusOtherIssuer, Issuer: id.Issuer, Relinks: relinks}, nil
		}
		var u models.User
		if err := db.Take(&u, id.UserID).Error; err != nil {
			return devidp.Status{}, err
		}
		name, err := employeeName(db, u)
		if err != nil {
			return devidp.Status{}, err
		}
		if !u.Active {
			return devidp.Status{Kind: devidp.StatusDeactivated, Name: name}, nil
		}
		return devidp.Status{Kind: devidp.StatusLinked, Name: name}, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return devidp.Status{}, err
	}

	var u models.User
	err = db.Where("email = ?", models.NormalizeEmail(email)).Take(&u).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return devidp.Status{Kind: devidp.StatusNew}, nil
	case err != nil:
		return devidp.Status{}, err
	}
	if !u.Active {
		name, err := employeeName(db, u)
		return devidp.Status{Kind: devidp.StatusDeactivated, Name: name}, err
	}
	return devidp.Status{Kind: devidp.StatusClash, HasPassword: u.HasPassword()}, nil
}

// employeeName is the account's name as the app shows it (the employee's
// full name, or the e-mail address).
func employeeName(db *gorm.DB, u models.User) (string, error) {
	var names []string
	if err := db.Model(&models.Employee{}).Where("user_id = ?", u.ID).Limit(1).Pluck("full_name", &names).Error; err != nil {
		return "", err
	}
	e := models.Employee{User: u}
	if len(names) > 0 {
		e.FullName = names[0]
	}
	return e.DisplayName(), nil
}
