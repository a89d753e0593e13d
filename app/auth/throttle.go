package auth

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// Limits are the failed sign-ins a Throttle allows within its window.
//
// The tight limit is per account and address together: it stops guessing at
// one account from one place without locking the account's owner out from
// everywhere else. The looser limits catch the attacks that spread out: one
// account guessed at from many addresses (PerAccount), and one address
// trying many accounts (PerIP). PerIP is high because a whole office may
// share one address behind NAT.
type Limits struct {
	PerAccountAndIP int64
	PerAccount      int64
	PerIP           int64
}

// Throttle limits failed sign-ins within a sliding window. Failures are rows
// in the database, so every instance of a scaled-out deployment sees the
// same counts.
type Throttle struct {
	db     *gorm.DB
	window time.Duration
	limits Limits
	now    func() time.Time
}

// NewThrottle returns a throttle that allows limits within window.
func NewThrottle(db *gorm.DB, window time.Duration, limits Limits) *Throttle {
	return &Throttle{db: db, window: window, limits: limits, now: func() time.Time { return time.Now().UTC() }}
}

// Blocked reports whether another attempt for email from ip must be refused,
// and for how long at most.
func (t *Throttle) Blocked(ctx context.Context, email, ip string) (bool, time.Duration, error) {
	since := t.now().Add(-t.window)
	for _, c := range []struct {
		where string
		args  []any
		limit int64
	}{
		{"email = ? AND ip = ?", []any{email, ip}, t.limits.PerAccountAndIP},
		{"email = ?", []any{email}, t.limits.PerAccount},
		{"ip = ?", []any{ip}, t.limits.PerIP},
	} {
		var n int64
		err := t.db.WithContext(ctx).Model(&models.LoginAttempt{}).
			Where(c.where, c.args...).Where("at > ?", since).Count(&n).Error
		if err != nil {
			return false, 0, err
		}
		if n >= c.limit {
			return true, t.window, nil
		}
	}
	return false, 0, nil
}

// Fail records a failed attempt.
func (t *Throttle) Fail(ctx context.Context, email, ip string) error {
	return t.db.WithContext(ctx).Create(&models.LoginAttempt{Email: truncate(email, 254), IP: truncate(ip, 64), At: t.now()}).Error
}

// Succeed forgets the failures for email from ip after a successful sign-in
// there. Failures from other addresses stay: the owner signing in must not
// reset the count of someone guessing from elsewhere.
func (t *Throttle) Succeed(ctx context.Context, email, ip string) error {
	return t.db.WithContext(ctx).Where("email = ? AND ip = ?", email, ip).Delete(&models.LoginAttempt{}).Error
}

// Prune deletes attempts older than the window.
func (t *Throttle) Prune(ctx context.Context) error {
	return t.db.WithContext(ctx).Where("at < ?", t.now().Add(-t.window)).Delete(&models.LoginAttempt{}).Error
}
