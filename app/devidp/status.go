package devidp

import (
	"context"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// StatusKind is what signing in as an identity will do in the application,
// as the application tells it (Config.Status). The provider knows nothing of
// the application's accounts; it only shows the answer on the picker, so a
// developer sees before clicking which path through single sign-on each
// button takes. It is the picker view's own type: the provider passes the
// application's answer through unchanged.
type StatusKind = views.StatusKind

const (
	// StatusUnknown shows nothing: the application gave no status function,
	// or could not tell.
	StatusUnknown StatusKind = ""
	// StatusLinked: the identity is linked to an account, which it signs
	// in as (Status.Name).
	StatusLinked = views.StatusLinked
	// StatusNew: nobody has the identity or its e-mail address; the first
	// sign-in creates the person.
	StatusNew = views.StatusNew
	// StatusClash: an account with the identity's e-mail address exists
	// but is not linked to it; the application refuses the sign-in rather
	// than link them silently.
	StatusClash = views.StatusClash
	// StatusDeactivated: the account the identity would sign in as is
	// deactivated; the sign-in is refused.
	StatusDeactivated = views.StatusDeactivated
	// StatusOtherIssuer: the subject is linked, but with another issuer
	// (Status.Issuer), typically this provider at an earlier address after
	// PORT or BASE_URL changed; the sign-in is refused.
	StatusOtherIssuer = views.StatusOtherIssuer
)

// Status is what the application says about one identity on the picker
// (its fields are documented in views/devidp).
type Status = views.Status

// StatusFunc tells the picker what signing in as the identity with this
// subject and e-mail address will do. It is called once per identity each
// time the picker is shown, so it should be a quick lookup.
type StatusFunc func(ctx context.Context, subject, email string) Status

// pickerIdentities turns the directory's people into the picker's buttons,
// each with what the application says signing in as them will do (nothing
// when status is nil). withClaims shows what only the OpenID Connect side
// sends: the address's verification and the groups.
func pickerIdentities(ctx context.Context, people []Identity, status StatusFunc, withClaims bool) []views.Identity {
	out := make([]views.Identity, len(people))
	for i, id := range people {
		out[i] = views.Identity{Subject: id.Subject, Name: id.Name, Email: id.Email, AvatarURL: id.AvatarURL}
		if withClaims {
			out[i].EmailUnverified = id.Verification != EmailVerified
			out[i].Groups, out[i].GroupsOverage = id.Groups, id.GroupsOverage
		}
		if status != nil {
			out[i].Status = status(ctx, id.Subject, id.Email)
		}
	}
	return out
}
