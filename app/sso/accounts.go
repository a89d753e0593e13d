package sso

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Profile is what an identity provider says about the person signing in,
// checked and tidied: the e-mail address lower-cased (or empty when the
// provider gave none, or none that parses), the name on one line, the avatar
// an http(s) URL or empty.
type Profile struct {
	// Provider is the provider's route name, for example "openid-connect".
	Provider string
	// Subject is the provider's stable id for the person ("sub").
	Subject string
	// Issuer is the verified ID token's issuer ("iss") for OpenID Connect
	// providers, and empty for the others. A subject is unique only per
	// issuer, so an identity is stored with its issuer and a later sign-in
	// from another issuer is refused (see Identity.Issuer).
	Issuer    string
	Email     string
	Name      string
	AvatarURL string
	// EmailVerified is true only when the provider asserts that the person
	// controls Email: OpenID Connect's email_verified: true (Google's
	// verified_email), GitHub's verified primary address, Microsoft with
	// one configured tenant, or a provider configured as releasing verified
	// addresses only (SSO_OIDC_TRUST_EMAIL). A missing claim is not a yes:
	// many providers omit it when it is false. New accounts, allowed
	// domains and e-mail based grants (BOOTSTRAP_ADMINS) need it.
	EmailVerified bool

	// Groups are the provider's group or role values for the person: the
	// claim the provider's config names for OpenID Connect (SSO_ROLES_CLAIM,
	// default "groups"), the groups attribute for SAML. The app maps them
	// to its roles (SSO_ROLE_MAP). For OpenID Connect providers an absent
	// claim is an empty list (providers leave the claim out for someone in
	// no group); nil means the provider cannot tell (goth providers whose
	// profile has no groups, such as Google and GitHub, or GroupsOverage),
	// and then the roles it would set are left alone.
	Groups []string
	// GroupsOverage is true when the provider said the person has too many
	// groups to list (Entra ID's _claim_names pointer): Groups is then
	// unknown rather than empty, and the roles it would set are left alone.
	GroupsOverage bool
	// Department, JobTitle and Manager are read from the claims or
	// attributes the config names; empty when the provider sent none.
	// Manager is the manager's e-mail address or provider subject.
	Department string
	JobTitle   string
	Manager    string

	// SessionID is the provider's session id for this sign-in (the ID
	// token's "sid"), empty when it sent none. A back-channel logout
	// naming it ends the app sessions that began with it.
	SessionID string
	// IDToken is the sign-in's raw ID token, kept only for providers with
	// RP-initiated logout on (OIDC.EndSession): the app stores it with its
	// session, server-side and never in a cookie, and hands it back to
	// Service.EndSessionURL as the id_token_hint.
	IDToken string
	// DirectoryID is the provider's immutable directory id for the person
	// when it differs from Subject: Entra ID's "oid" (its "sub" is pairwise,
	// different for every application). Provisioning (SCIM externalId)
	// knows people by it. Empty when the provider sent none.
	DirectoryID string
}

// FirstLoginFunc creates the account of someone who signs in for the first
// time, and returns its user id. It is the Mendix tutorial's OnFirstLoginAppCloudUser.
//
// It runs inside tx, the transaction that also stores the new identity:
// write through tx only, and return an error to refuse the sign-in (a
// *Problem to choose the message). Nothing is kept then. When it runs, the
// profile has a verified e-mail address that no account uses yet and that
// passes the allowed domains.
type FirstLoginFunc func(ctx context.Context, tx *gorm.DB, p Profile) (userID uint, err error)

// RefreshFunc brings the app's copy of a returning person up to date with
// their provider profile: name, e-mail, avatar. It runs inside the sign-in's
// transaction. A non-empty notice is shown to the person after signing in
// (for example "we kept your old e-mail address because…"); an error refuses
// the sign-in.
type RefreshFunc func(ctx context.Context, tx *gorm.DB, userID uint, p Profile) (notice string, err error)

// ProvisionedFunc finds the account that a provisioning system (SCIM) made
// for someone before their first sign-in, by the provider's immutable id for
// them (Profile.DirectoryID or Subject), never by e-mail. ok is false when
// there is none, and the sign-in goes on as a first sign-in. It runs inside
// the sign-in's transaction, when no identity matches (provider, subject).
type ProvisionedFunc func(ctx context.Context, tx *gorm.DB, p Profile) (userID uint, ok bool, err error)

// outcome is what the account step decided.
type outcome struct {
	userID uint
	first  bool
	notice string
}

// errLostRace means a first sign-in found no identity, but by the time it
// stored the new account another sign-in had stored the same one: the same
// person signing in twice at once (a double click, two tabs).
var errLostRace = errors.New("a concurrent sign-in created the account first")

// signInAccount finds or creates the account for a verified profile, in one
// transaction: identity lookup on (provider, subject), the account rules,
// the first-login or refresh hook, and the identity row.
//
// Two first sign-ins of the same person at once both find no identity, and
// both run the first-login hook. The database's unique indexes (users'
// e-mail, identities' provider and subject) let one of them commit; the
// other fails on a unique violation. That one is not a person whose e-mail is
// taken: it starts again in a fresh transaction (the failed one cannot be
// used any more on PostgreSQL), where the lookup finds the identity just
// stored, and signs in as a returning person. Both tabs end signed in as the
// same new person, who has one account.
func (s *Service) signInAccount(ctx context.Context, p *provider, prof Profile) (outcome, error) {
	out, err := s.signInOnce(ctx, p, prof, false)
	if errors.Is(err, errLostRace) {
		s.log.InfoContext(ctx, "first sign-in raced with another sign-in of the same person; signing in again as a returning person",
			"provider", prof.Provider, "sub", prof.Subject, "err", err)
		out, err = s.signInOnce(ctx, p, prof, true)
	}
	return out, err
}

// signInOnce is one attempt of signInAccount. retry is set on the attempt
// after a lost race, which does not retry again.
func (s *Service) signInOnce(ctx context.Context, p *provider, prof Profile, retry bool) (outcome, error) {
	var out outcome
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now().UTC()
		var id Identity
		err := tx.Where("provider = ? AND subject = ?", prof.Provider, prof.Subject).Take(&id).Error
		switch {
		case err == nil:
			return s.returning(ctx, tx, p, &id, prof, now, &out)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("find identity: %w", err)
		}

		// A first sign-in, unless provisioning prepared the account.
		if s.provisioned != nil {
			userID, ok, err := s.provisioned(ctx, tx, prof)
			if err != nil {
				return fmt.Errorf("find provisioned account: %w", err)
			}
			if ok {
				return s.firstProvisioned(ctx, tx, p, userID, prof, now, &out, retry)
			}
		}
		if prof.Email == "" {
			return problemNoEmail(p.display)
		}
		if !prof.EmailVerified {
			return problemUnverifiedEmail(p.display, prof.Email)
		}
		existing, found, err := s.app.AccountByEmail(ctx, tx, prof.Email)
		switch {
		case err != nil:
			return fmt.Errorf("find account by e-mail: %w", err)
		case found && !existing.Active:
			return problemDeactivated()
		case found:
			return problemEmailInUse(p.display, prof.Email, s.howToSignIn(tx, existing))
		}
		if !s.domainAllowed(prof.Email) {
			return problemNoAccess(prof.Email, s.allowed)
		}
		userID, err := s.onFirstLogin(ctx, tx, prof)
		if err != nil {
			switch {
			case isUniqueViolation(err) && !retry:
				// Someone took the address in the meantime: most likely
				// this very person, in another tab. The next attempt
				// tells.
				return fmt.Errorf("%w: first-login hook: %w", errLostRace, err)
			case isUniqueViolation(err):
				return problemEmailInUse(p.display, prof.Email, "Sign in the way you usually do.")
			}
			return err
		}
		if userID == 0 {
			return errors.New("the first-login hook returned no user id")
		}
		id = Identity{
			Provider: prof.Provider, Subject: prof.Subject, Issuer: prof.Issuer, UserID: userID,
			Email: prof.Email, Name: prof.Name, AvatarURL: prof.AvatarURL,
			CreatedAt: now, LastLoginAt: now,
		}
		if err := tx.Create(&id).Error; err != nil {
			if isUniqueViolation(err) && !retry {
				return fmt.Errorf("%w: store identity: %w", errLostRace, err)
			}
			return fmt.Errorf("store identity: %w", err)
		}
		out = outcome{userID: userID, first: true}
		return nil
	})
	return out, err
}

// firstProvisioned links the first sign-in of an identity to the account
// provisioning made for it, then signs in as a returning person would.
func (s *Service) firstProvisioned(ctx context.Context, tx *gorm.DB, p *provider, userID uint, prof Profile, now time.Time, out *outcome, retry bool) error {
	u, err := s.app.Account(ctx, tx, userID)
	if err != nil {
		return fmt.Errorf("load provisioned account %d: %w", userID, err)
	}
	if !u.Active {
		return problemDeactivated()
	}
	id := Identity{
		Provider: prof.Provider, Subject: prof.Subject, Issuer: prof.Issuer, UserID: userID,
		Email: prof.Email, Name: prof.Name, AvatarURL: prof.AvatarURL,
		CreatedAt: now, LastLoginAt: now,
	}
	if err := tx.Create(&id).Error; err != nil {
		if isUniqueViolation(err) && !retry {
			return fmt.Errorf("%w: store identity: %w", errLostRace, err)
		}
		return fmt.Errorf("store identity: %w", err)
	}
	s.log.InfoContext(ctx, "first sign-in linked to a provisioned account", "provider", prof.Provider, "sub", prof.Subject, "user_id", userID)
	*out = outcome{userID: userID, first: true}
	if s.onReturning != nil {
		notice, err := s.onReturning(ctx, tx, userID, prof)
		if err != nil {
			return err
		}
		out.notice = notice
	}
	return nil
}

// returning handles a sign-in by a known identity.
func (s *Service) returning(ctx context.Context, tx *gorm.DB, p *provider, id *Identity, prof Profile, now time.Time, out *outcome) error {
	if err := checkIssuer(p, id, prof); err != nil {
		return err
	}
	u, err := s.app.Account(ctx, tx, id.UserID)
	if err != nil {
		return fmt.Errorf("load account %d of identity %d: %w", id.UserID, id.ID, err)
	}
	if !u.Active {
		return problemDeactivated()
	}
	// Mirror the provider's profile on the identity. An empty e-mail from
	// the provider does not erase the one we know.
	updates := map[string]any{"name": prof.Name, "avatar_url": prof.AvatarURL, "last_login_at": now}
	if prof.Email != "" {
		updates["email"] = prof.Email
	}
	if id.Issuer == "" && prof.Issuer != "" {
		updates["issuer"] = prof.Issuer
		s.log.InfoContext(ctx, "identity takes the issuer of its sign-in", "identity_id", id.ID, "provider", id.Provider, "sub", id.Subject, "issuer", prof.Issuer)
	}
	if err := tx.Model(id).Updates(updates).Error; err != nil {
		return fmt.Errorf("refresh identity %d: %w", id.ID, err)
	}
	*out = outcome{userID: u.ID}
	if s.onReturning != nil {
		notice, err := s.onReturning(ctx, tx, u.ID, prof)
		if err != nil {
			return err
		}
		out.notice = notice
	}
	return nil
}

// checkIssuer refuses a sign-in whose issuer is not the one the identity was
// stored with. The provider's route name ("openid-connect") survives a change
// of SSO_OIDC_ISSUER, but subjects are unique per issuer only: the same
// subject from another issuer may well be another person. An identity
// without an issuer was stored before issuers were recorded; it takes the
// issuer of its next sign-in.
func checkIssuer(p *provider, id *Identity, prof Profile) error {
	if id.Issuer != "" && id.Issuer != prof.Issuer {
		return problemIssuerChanged(p.display, id.Issuer, prof.Issuer)
	}
	return nil
}

// howToSignIn tells the owner of an existing account how they sign in now.
func (s *Service) howToSignIn(tx *gorm.DB, u Account) string {
	if u.HasPassword {
		return "Sign in with your e-mail address and password."
	}
	var names []string
	tx.Model(&Identity{}).Where("user_id = ?", u.ID).Order("provider").Pluck("provider", &names)
	if len(names) == 0 {
		return "Ask an administrator how to sign in to it."
	}
	for i, n := range names {
		names[i] = s.DisplayName(n)
	}
	return "Sign in with " + strings.Join(names, " or ") + "."
}

func (s *Service) domainAllowed(email string) bool {
	if len(s.allowed) == 0 {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	return at >= 0 && slices.Contains(s.allowed, email[at+1:])
}

// linkAccount connects the identity in prof to userID, the signed-in person
// who asked for it from their profile. It reports whether the identity was
// already theirs.
func (s *Service) linkAccount(ctx context.Context, p *provider, userID uint, prof Profile) (already bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.now().UTC()
		var id Identity
		err := tx.Where("provider = ? AND subject = ?", prof.Provider, prof.Subject).Take(&id).Error
		switch {
		case err == nil && id.UserID == userID:
			if err := checkIssuer(p, &id, prof); err != nil {
				return err
			}
			already = true
			updates := map[string]any{"last_login_at": now}
			if id.Issuer == "" && prof.Issuer != "" {
				updates["issuer"] = prof.Issuer
			}
			return tx.Model(&id).Updates(updates).Error
		case err == nil:
			return problemLinkedElsewhere(p.display)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("find identity: %w", err)
		}
		u, err := s.app.Account(ctx, tx, userID)
		if err != nil {
			return fmt.Errorf("load account %d: %w", userID, err)
		}
		if !u.Active {
			return problemDeactivated()
		}
		id = Identity{
			Provider: prof.Provider, Subject: prof.Subject, Issuer: prof.Issuer, UserID: userID,
			Email: prof.Email, Name: prof.Name, AvatarURL: prof.AvatarURL,
			CreatedAt: now, LastLoginAt: now,
		}
		if err := tx.Create(&id).Error; err != nil {
			if isUniqueViolation(err) {
				return problemLinkedElsewhere(p.display)
			}
			return fmt.Errorf("store identity: %w", err)
		}
		return s.identityChanged(ctx, tx, IdentityChange{UserID: userID, Identity: id})
	})
	return already, err
}

// identityChanged runs the app's OnIdentityChange hook, if any.
func (s *Service) identityChanged(ctx context.Context, tx *gorm.DB, ch IdentityChange) error {
	if s.onIdentity == nil {
		return nil
	}
	return s.onIdentity(ctx, tx, ch)
}

// Identities returns the providers connected to a person's account, by
// provider name.
func (s *Service) Identities(ctx context.Context, userID uint) ([]Identity, error) {
	var ids []Identity
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("provider, id").Find(&ids).Error
	return ids, err
}

// Errors of Disconnect.
var (
	// ErrIdentityNotFound means the identity does not exist or belongs to
	// someone else.
	ErrIdentityNotFound = errors.New("sso: no such connected provider")
	// ErrLastSignInMethod means the identity is the person's only way to
	// sign in: they have no password and no other provider.
	ErrLastSignInMethod = errors.New("sso: this is the only way to sign in")
)

// CanDisconnect reports whether a person with this many identities and
// with or without a password may disconnect one: never the last way in.
func CanDisconnect(identities int, hasPassword bool) bool {
	return hasPassword || identities > 1
}

// Disconnect removes a connected provider from a person's account, unless it
// is their last way to sign in, and returns what it removed.
func (s *Service) Disconnect(ctx context.Context, userID, identityID uint) (Identity, error) {
	var id Identity
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("id = ? AND user_id = ?", identityID, userID).Take(&id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrIdentityNotFound
		}
		if err != nil {
			return err
		}
		u, err := s.app.Account(ctx, tx, userID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Identity{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
			return err
		}
		if !CanDisconnect(int(n), u.HasPassword) {
			return ErrLastSignInMethod
		}
		if err := tx.Delete(&id).Error; err != nil {
			return err
		}
		return s.identityChanged(ctx, tx, IdentityChange{UserID: userID, Identity: id, Removed: true})
	})
	if err != nil {
		return Identity{}, err
	}
	s.log.InfoContext(ctx, "provider disconnected", "user_id", userID, "provider", id.Provider, "sub", id.Subject)
	return id, nil
}

func isUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}
