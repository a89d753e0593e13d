package auth

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// Throttle limits failed sign-ins per account and per IP address within a
// sliding window. Failures are rows in the database, so every instance of a
// scaled-out deployment sees the same counts.
type Throttle struct {
	db         *gorm.DB
	window     time.Duration
	perAccount int64
	perIP      int64
	now        func() time.Time
}

// NewThrottle allows perAccount failures for one e-mail and perIP failures
// from one address within window.
func NewThrottle(db *gorm.DB, window time.Duration, perAccount, perIP int64) *Throttle {
	return &Throttle{db: db, window: window, perAccount: perAccount, perIP: perIP, now: func() time.Time { return time.Now().UTC() }}
}

// Blocked reports whether another attempt for email from ip must be refused,
// and for how long at most.
func (t *Throttle) Blocked(ctx context.Context, email, ip string) (bool, time.Duration, error) {
	since := t.now().Add(-t.window)
	var n int64
	db := t.db.WithContext(ctx).Model(&models.LoginAttempt{})
	if err := db.Where("email = ? AND at > ?", email, since).Count(&n).Error; err != nil {
		return false, 0, err
	}
	if n >= t.perAccount {
		return true, t.window, nil
	}
	if err := t.db.WithContext(ctx).Model(&models.LoginAttempt{}).Where("ip = ? AND at > ?", ip, since).Count(&n).Error; err != nil {
		return false, 0, err
	}
	return n >= t.perIP, t.window, nil
}

// Fail records a failed attempt.
func (t *Throttle) Fail(ctx context.Context, email, ip string) error {
	return t.db.WithContext(ctx).Create(&models.LoginAttempt{Email: truncate(email, 254), IP: truncate(ip, 64), At: t.now()}).Error
}

// Succeed forgets the account's failures after a successful sign-in.
func (t *Throttle) Succeed(ctx context.Context, email string) error {
	return t.db.WithContext(ctx).Where("email = ?", email).Delete(&models.LoginAttempt{}).Error
}

// Prune deletes attempts older than the window.
func (t *Throttle) Prune(ctx context.Context) error {
	return t.db.WithContext(ctx).Where("at < ?", t.now().Add(-t.window)).Delete(&models.LoginAttempt{}).Error
}
