package accountlink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
	mailviews "github.com/company-expenses/company-expenses/views/mail"
)

// ResetWindow and ResetLimits throttle reset requests: per address from one
// IP, per address from anywhere (nobody can flood a colleague's mailbox),
// and per IP across addresses. The window is the sign-in throttle's, whose
// Prune clears the shared login_attempts table (app/app.go).
var (
	ResetWindow = 15 * time.Minute
	ResetLimits = auth.Limits{PerAccountAndIP: 3, PerAccount: 5, PerIP: 30}
)

// DefaultMinRequestTime is how long every reset request takes at least, so
// that the answer's timing does not tell whether the address has an account
// (an unknown one does no work at all, a known one renders and writes a
// mail).
const DefaultMinRequestTime = 400 * time.Millisecond

// Options are a Service's dependencies.
type Options struct {
	DB *gorm.DB
	// Throttle counts reset requests (built with ResetWindow and
	// ResetLimits). Its keys are prefixed with "reset:", so they never
	// count against sign-in limits; administrators see and clear them
	// among the sign-in locks.
	Throttle *auth.Throttle
	// BaseURL makes the links in mails absolute; AppName names the app in
	// them.
	BaseURL string
	AppName string
	// MinRequestTime overrides DefaultMinRequestTime (tests).
	MinRequestTime time.Duration
}

// Service runs password resets and invitations: who gets which mail, and
// what redeeming a link changes.
type Service struct {
	links      *Links
	db         *gorm.DB
	throttle   *auth.Throttle
	baseURL    string
	appName    string
	minRequest time.Duration
}

// NewService returns a Service.
func NewService(o Options) *Service {
	s := &Service{
		links: NewLinks(o.DB), db: o.DB, throttle: o.Throttle,
		baseURL: o.BaseURL, appName: o.AppName, minRequest: o.MinRequestTime,
	}
	if s.minRequest == 0 {
		s.minRequest = DefaultMinRequestTime
	}
	return s
}

// Links returns the service's link store.
func (s *Service) Links() *Links { return s.links }

// ThrottledError is RequestReset's answer while the throttle refuses
// another request; Wait is how long until it lets one through.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("reset requests throttled for %v", e.Wait.Round(time.Second))
}

// RequestReset handles "Forgot password?" for email, asked from ip. An
// active account with a password gets a reset link; an account that signs
// in only with SSO gets a mail saying so, without a link; unknown and
// deactivated addresses, and local people who have not accepted their
// invitation yet (their administrator resends it), get nothing. The caller
// shows the same answer in every case, and every case takes at least
// MinRequestTime, so neither the words nor the time tell them apart.
// Every request counts against the throttle, whatever the address.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	defer padTo(ctx, time.Now(), s.minRequest)
	email = models.NormalizeEmail(email)
	_, err := s.throttle.Reserve(ctx, auth.Attempt{Email: "reset:" + email, IP: "reset:" + ip})
	var blocked *auth.BlockedError
	if errors.As(err, &blocked) {
		return &ThrottledError{Wait: blocked.Wait}
	}
	if err != nil {
		return err
	}
	// The reservation stays: a reset request counts whatever comes of it.
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := employeeByEmail(tx, email)
		if err != nil || e == nil || !e.User.Active {
			return err
		}
		to := mail.Address{Email: e.User.Email, Name: e.DisplayName()}
		var m mail.Message
		switch {
		case e.User.HasPassword():
			token, _, err := s.links.Issue(ctx, tx, e.UserID, Reset, nil)
			if err != nil {
				return err
			}
			d := mailviews.Reset{
				Name: to.Name, AppName: s.appName, Link: s.baseURL + paths.PasswordResetLink(token),
				Minutes: int(Reset.Lifetime().Minutes()), ForgotURL: s.baseURL + paths.ForgotPassword,
			}
			m, err = mail.Compose(ctx, "password-reset", to, "Reset your password for "+s.appName,
				mailviews.ResetText(d), mailviews.ResetHTML(d))
			if err != nil {
				return err
			}
		case !e.IsLocalUser:
			d := mailviews.ResetSSO{Name: to.Name, AppName: s.appName, SignInURL: s.baseURL + paths.Login}
			m, err = mail.Compose(ctx, "password-reset-sso", to, "You sign in to "+s.appName+" with single sign-on",
				mailviews.ResetSSOText(d), mailviews.ResetSSOHTML(d))
			if err != nil {
				return err
			}
		default:
			return nil // invited, not set up yet: the invitation is the way in
		}
		if err := audit.Record(ctx, tx, audit.Event{Kind: audit.PasswordResetRequested, Actor: audit.Anonymous,
			SubjectID: e.UserID, Detail: "mail: " + m.Kind}); err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, m)
	})
}

// padTo sleeps until floor has passed since start, or the request ends.
func padTo(ctx context.Context, start time.Time, floor time.Duration) {
	t := time.NewTimer(floor - time.Since(start))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Holder is the person a link belongs to, for its page.
type Holder struct {
	UserID    uint
	Name      string
	Email     string
	ExpiresAt time.Time
}

// Check returns whose live link of purpose p token is, ErrExpired, or
// ErrInvalid (also when the person has been deactivated since).
func (s *Service) Check(ctx context.Context, p Purpose, token string) (Holder, error) {
	row, err := s.links.Check(ctx, p, token)
	if err != nil {
		return Holder{}, err
	}
	var e models.Employee
	err = s.db.WithContext(ctx).Preload("User").Where("user_id = ?", row.UserID).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !e.User.Active) {
		return Holder{}, ErrInvalid
	}
	if err != nil {
		return Holder{}, err
	}
	return Holder{UserID: e.UserID, Name: e.DisplayName(), Email: e.User.Email, ExpiresAt: row.ExpiresAt}, nil
}

// SetPassword sets the password of the holder of the link of purpose p:
// next must follow the password rules (auth.CheckNewPassword) and confirm
// repeat it, else a *people.ValidationError names the field ("new",
// "confirm"). In one transaction it uses up the link (and every other link
// of the person), sets the password, ends every session of the person, on
// every browser, and for a reset enqueues the "your password was changed"
// mail. It hashes once; callers run it in a hashing slot.
func (s *Service) SetPassword(ctx context.Context, p Purpose, token, next, confirm string) (Holder, error) {
	h, err := s.Check(ctx, p, token)
	if err != nil {
		return Holder{}, err
	}
	if msg := auth.CheckNewPassword(next); msg != "" {
		return Holder{}, &people.ValidationError{Fields: people.FieldErrors{"new": msg}}
	}
	if next != confirm {
		return Holder{}, &people.ValidationError{Fields: people.FieldErrors{"confirm": "The two passwords differ."}}
	}
	hash, err := auth.HashPassword(next) // before the transaction: it is slow
	if err != nil {
		return Holder{}, err
	}
	now := s.links.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		uid, err := s.links.Redeem(ctx, tx, p, token)
		if err != nil {
			return err
		}
		res := tx.Model(&models.User{}).Where("id = ? AND active = ?", uid, true).
			Updates(map[string]any{"password_hash": hash, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInvalid // deactivated a moment ago
		}
		// Every session ends, this browser's too: whoever was signed in
		// with the old password, perhaps the reason for the reset, is out
		// on every instance at once. In the transaction, so a new password
		// never stands beside an old session.
		if err := tx.Where("user_id = ?", uid).Delete(&models.Session{}).Error; err != nil {
			return err
		}
		if p == Invitation {
			return audit.Record(ctx, tx, audit.Event{Kind: audit.InvitationAccepted, Actor: audit.ByUser(uid), SubjectID: uid,
				Detail: "password set through the invitation"})
		}
		if err := audit.Record(ctx, tx, audit.Event{Kind: audit.PasswordChanged, Actor: audit.ByUser(uid), SubjectID: uid,
			Detail: "through a reset link; every session ended"}); err != nil {
			return err
		}
		d := mailviews.PasswordChanged{
			Name: h.Name, AppName: s.appName, When: now.Format("2 Jan 2006 at 15:04 MST"),
			ForgotURL: s.baseURL + paths.ForgotPassword,
		}
		m, err := mail.Compose(ctx, "password-changed", mail.Address{Email: h.Email, Name: h.Name},
			"Your "+s.appName+" password was changed", mailviews.PasswordChangedText(d), mailviews.PasswordChangedHTML(d))
		if err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, m)
	})
	if err != nil {
		return Holder{}, err
	}
	return h, nil
}

// ErrNotInvitable is Invite's answer for a person an invitation cannot
// help: one with a password already, one who signs in with SSO, or a
// deactivated one.
var ErrNotInvitable = errors.New("only active local people without a password can be invited")

// Invite sends e an invitation from inviter through tx: a link valid for
// Invitation.Lifetime to choose a password, replacing any earlier
// invitation. The person's page shows it until it is used or revoked.
func (s *Service) Invite(ctx context.Context, tx *gorm.DB, e *models.Employee, inviter *models.Employee) (models.AccountLink, error) {
	if !e.IsLocalUser || e.User.HasPassword() || !e.User.Active {
		return models.AccountLink{}, ErrNotInvitable
	}
	by := inviter.UserID
	token, row, err := s.links.Issue(ctx, tx, e.UserID, Invitation, &by)
	if err != nil {
		return row, err
	}
	to := mail.Address{Email: e.User.Email, Name: e.DisplayName()}
	d := mailviews.Invitation{
		Name: to.Name, AppName: s.appName, Inviter: inviter.DisplayName(), Email: e.User.Email,
		Link: s.baseURL + paths.InvitationLink(token), Expires: row.ExpiresAt.UTC().Format("2 Jan 2006 at 15:04 MST"),
	}
	m, err := mail.Compose(ctx, "invitation", to, inviter.DisplayName()+" invited you to "+s.appName,
		mailviews.InvitationText(d), mailviews.InvitationHTML(d))
	if err != nil {
		return row, err
	}
	if err := audit.Record(ctx, tx, audit.Event{Kind: audit.InvitationSent, Actor: audit.ByUser(inviter.UserID), SubjectID: e.UserID,
		Detail: "to " + e.User.Email + ", valid until " + row.ExpiresAt.UTC().Format(time.RFC3339)}); err != nil {
		return row, err
	}
	return row, mail.Enqueue(ctx, tx, m)
}

// Resend sends the person userID a new invitation from inviter, in a
// transaction of its own; the old link stops working.
func (s *Service) Resend(ctx context.Context, userID uint, inviter *models.Employee) (models.AccountLink, error) {
	var row models.AccountLink
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var e models.Employee
		if err := tx.Preload("User").Where("user_id = ?", userID).Take(&e).Error; err != nil {
			return err
		}
		var err error
		row, err = s.Invite(ctx, tx, &e, inviter)
		return err
	})
	return row, err
}

// Revoke withdraws the person's invitation on behalf of the administrator
// byUserID: its link stops working. It reports whether there was one.
func (s *Service) Revoke(ctx context.Context, userID, byUserID uint) (bool, error) {
	revoked := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND purpose = ?", userID, string(Invitation)).Delete(&models.AccountLink{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		revoked = true
		return audit.Record(ctx, tx, audit.Event{Kind: audit.InvitationRevoked, Actor: audit.ByUser(byUserID), SubjectID: userID})
	})
	return revoked, err
}

// employeeByEmail returns the person with the login email, or nil.
func employeeByEmail(tx *gorm.DB, email string) (*models.Employee, error) {
	var u models.User
	err := tx.Where("email = ?", email).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	var e models.Employee
	err = tx.Where("user_id = ?", u.ID).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find employee %d: %w", u.ID, err)
	}
	e.User = u
	return &e, nil
}
