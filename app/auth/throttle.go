package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// Limits are the sign-in attempts a Throttle allows within its window.
//
// Attempts from an untrusted client (one without a device cookie for the
// account, see DeviceCookies) count against three limits. The tight one is
// per account and address together: it stops guessing at one account from
// one place. The looser ones catch the attacks that spread out: one account
// guessed at from many addresses (PerAccount), and one address trying many
// accounts (PerIP). PerIP is high because a whole office may share one
// address behind NAT.
//
// Attempts from a trusted device, a browser that signed in to the account
// before, count only against that device's own allowance (PerDevice). So a
// guesser spread over many addresses, who has no such cookie, locks out
// untrusted clients only, never the owner's own browsers: the pattern of
// OWASP's "Slow down online guessing attacks with device cookies".
type Limits struct {
	PerAccountAndIP int64
	PerAccount      int64
	PerIP           int64
	PerDevice       int64
}

// Attempt is one sign-in attempt as the throttle sees it.
type Attempt struct {
	Email string // normalised (models.NormalizeEmail)
	IP    string
	// Device is the id of a valid device cookie for Email (see
	// DeviceCookies.Device), or "" for an untrusted client.
	Device string
}

// Throttle limits sign-in attempts within a sliding window. Attempts are
// rows in the database, so every instance of a scaled-out deployment sees
// the same counts.
//
// An attempt is reserved, atomically, before its password is checked
// (Reserve), and the reservation is the failure record unless the check
// succeeds (Succeed) or never happens (Cancel). Checking the count first
// and recording the failure after the hash would let simultaneous attempts
// all pass the check: 200 at once got 171 password checks against a limit
// of 5.
type Throttle struct {
	db     *gorm.DB
	window time.Duration
	limits Limits
	now    func() time.Time
}

// NewThrottle returns a throttle that allows limits within window. A zero
// PerDevice allows a trusted device as many attempts as PerAccountAndIP.
func NewThrottle(db *gorm.DB, window time.Duration, limits Limits) *Throttle {
	if limits.PerDevice == 0 {
		limits.PerDevice = limits.PerAccountAndIP
	}
	return &Throttle{db: db, window: window, limits: limits, now: func() time.Time { return time.Now().UTC() }}
}

// Window is how long an attempt counts.
func (t *Throttle) Window() time.Duration { return t.window }

// BlockedError is Reserve's answer while an attempt must be refused
// unchecked. Wait is how long until the limit that blocks it frees up.
type BlockedError struct{ Wait time.Duration }

func (e *BlockedError) Error() string {
	return fmt.Sprintf("sign-in throttled for %v", e.Wait.Round(time.Second))
}

// Reservation is an attempt Reserve let through.
type Reservation struct{ id uint }

// LockKind names what a limit counts.
type LockKind string

// The kinds of lock, one per limit.
const (
	LockAccountAndIP LockKind = "account-address"
	LockAccount      LockKind = "account"
	LockIP           LockKind = "address"
	LockDevice       LockKind = "device"
)

// rule is one limit applied to one attempt: the attempts it counts and how
// many it allows.
type rule struct {
	kind  LockKind
	where string
	args  []any
	limit int64
}

func (t *Throttle) rules(a Attempt) []rule {
	if a.Device != "" {
		return []rule{{LockDevice, "device = ?", []any{a.Device}, t.limits.PerDevice}}
	}
	return []rule{
		{LockAccountAndIP, "email = ? AND ip = ? AND device = ''", []any{a.Email, a.IP}, t.limits.PerAccountAndIP},
		{LockAccount, "email = ? AND device = ''", []any{a.Email}, t.limits.PerAccount},
		{LockIP, "ip = ? AND device = ''", []any{a.IP}, t.limits.PerIP},
	}
}

// throttleLockClass is the first of the PostgreSQL advisory-lock classes
// (two-key form) that serialise reservations: +1 per account, +2 per
// address, +3 per device. The two-key space never meets the one-key
// migration lock of app/database.
const throttleLockClass = 0x54480000

// Reserve records attempt a and lets it through, or refuses it with a
// *BlockedError when one of its limits is already reached, recording
// nothing. Counting and recording happen in one transaction that
// simultaneous reservations for the same account, address or device cannot
// interleave: on SQLite every write transaction takes the database's write
// lock as it begins (the DSN's _txlock=immediate); on PostgreSQL, which lets
// transactions run side by side, the transaction first takes advisory locks
// on the account and address (or device), always in that order, so that
// instances serialise too and never deadlock.
func (t *Throttle) Reserve(ctx context.Context, a Attempt) (Reservation, error) {
	a.Email, a.IP = truncate(a.Email, 254), truncate(a.IP, 64)
	var r Reservation
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockForReservation(tx, a); err != nil {
			return err
		}
		now := t.now()
		var wait time.Duration
		for _, ru := range t.rules(a) {
			frees, err := t.freesAt(tx, ru, now)
			if err != nil {
				return err
			}
			wait = max(wait, frees.Sub(now))
		}
		if wait > 0 {
			return &BlockedError{Wait: wait}
		}
		row := models.LoginAttempt{Email: a.Email, IP: a.IP, Device: a.Device, At: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		r.id = row.ID
		return nil
	})
	return r, err
}

// lockForReservation serialises the reservations that count against the
// same limits: a trusted device's own, or the account's and the address's.
func lockForReservation(tx *gorm.DB, a Attempt) error {
	if a.Device != "" {
		return lockThrottleKeys(tx, "", "", a.Device)
	}
	return lockThrottleKeys(tx, a.Email, a.IP, "")
}

// lockThrottleKeys takes, on PostgreSQL, the transaction's advisory locks
// for the account, the address and the device given (empty: none), always
// in that order, so that no two transactions wait for each other.
func lockThrottleKeys(tx *gorm.DB, email, ip, device string) error {
	if tx.Dialector.Name() != "postgres" {
		return nil // SQLite: the transaction already holds the write lock
	}
	for i, k := range []string{email, ip, device} {
		if k == "" {
			continue
		}
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(?))", throttleLockClass+i+1, k).Error; err != nil {
			return fmt.Errorf("take throttle lock: %w", err)
		}
	}
	return nil
}

// freesAt returns when rule ru stops blocking, or the zero time when it
// does not block now. It blocks while ru.limit attempts are in the window,
// so it frees up when the limit-th newest of them leaves the window.
func (t *Throttle) freesAt(tx *gorm.DB, ru rule, now time.Time) (time.Time, error) {
	if ru.limit <= 0 {
		return time.Time{}, nil
	}
	var ats []time.Time
	err := tx.Model(&models.LoginAttempt{}).Where(ru.where, ru.args...).Where("at > ?", now.Add(-t.window)).
		Order("at DESC").Offset(int(ru.limit-1)).Limit(1).Pluck("at", &ats).Error
	if err != nil || len(ats) == 0 {
		return time.Time{}, err
	}
	return ats[0].UTC().Add(t.window), nil
}

// Succeed settles reservation r after the password proved right: the
// attempt does not count, and the earlier failures for the account from
// this address (and from this device) are forgotten. Failures from
// elsewhere stay: the owner signing in must not reset the count of someone
// guessing from elsewhere.
func (t *Throttle) Succeed(ctx context.Context, r Reservation, a Attempt) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two successes of one account from one address (a shared
		// account in one office) each delete their own row first and
		// then the pair's other rows: without a lock taken first, each
		// can hold a row the other wants, and PostgreSQL aborts one
		// sign-in as a deadlock. The account's throttle lock orders them.
		if err := lockThrottleKeys(tx, a.Email, "", a.Device); err != nil {
			return err
		}
		if err := tx.Delete(&models.LoginAttempt{}, r.id).Error; err != nil {
			return err
		}
		if err := tx.Where("email = ? AND ip = ? AND device = ''", a.Email, a.IP).Delete(&models.LoginAttempt{}).Error; err != nil {
			return err
		}
		if a.Device == "" {
			return nil
		}
		return tx.Where("device = ?", a.Device).Delete(&models.LoginAttempt{}).Error
	})
}

// Cancel withdraws reservation r when the password was never checked (an
// error the person did not cause): it must not count as a failure.
func (t *Throttle) Cancel(ctx context.Context, r Reservation) error {
	return t.db.WithContext(ctx).Delete(&models.LoginAttempt{}, r.id).Error
}

// Prune deletes attempts older than the window.
func (t *Throttle) Prune(ctx context.Context) error {
	return t.db.WithContext(ctx).Where("at < ?", t.now().Add(-t.window)).Delete(&models.LoginAttempt{}).Error
}

// Lock is a limit that currently refuses attempts: for an account (from
// untrusted clients), an account from one address, an address, or one
// trusted device of an account.
type Lock struct {
	Kind     LockKind
	Email    string // the account; empty for LockIP
	IP       string // the address; empty for LockAccount and LockDevice
	Device   string // the device id, for LockDevice
	Failures int64  // attempts in the window
	FreesAt  time.Time
}

// ErrBadLock is Clear's answer to a lock of no known kind, or without the
// account, address or device its kind needs.
var ErrBadLock = errors.New("auth: no such kind of sign-in lock")

// Locks lists the limits that refuse attempts now, the longest-lasting
// first, for the administrators' page.
func (t *Throttle) Locks(ctx context.Context) ([]Lock, error) {
	now := t.now()
	since := now.Add(-t.window)
	groups := []struct {
		kind    LockKind
		columns string
		where   string
		limit   int64
	}{
		{LockAccount, "email", "device = ''", t.limits.PerAccount},
		{LockAccountAndIP, "email, ip", "device = ''", t.limits.PerAccountAndIP},
		{LockIP, "ip", "device = ''", t.limits.PerIP},
		{LockDevice, "device, email", "device <> ''", t.limits.PerDevice},
	}
	var locks []Lock
	db := t.db.WithContext(ctx)
	for _, g := range groups {
		if g.limit <= 0 {
			continue
		}
		var rows []struct {
			Email, IP, Device string
			Failures          int64
		}
		err := db.Model(&models.LoginAttempt{}).Select(g.columns+", count(*) AS failures").
			Where(g.where).Where("at > ?", since).Group(g.columns).
			Having("count(*) >= ?", g.limit).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("list %s locks: %w", g.kind, err)
		}
		for _, row := range rows {
			l := Lock{Kind: g.kind, Email: row.Email, IP: row.IP, Device: row.Device, Failures: row.Failures}
			ru, err := t.lockRule(l)
			if err != nil {
				return nil, err
			}
			if l.FreesAt, err = t.freesAt(db, ru, now); err != nil {
				return nil, err
			}
			locks = append(locks, l)
		}
	}
	slices.SortStableFunc(locks, func(a, b Lock) int { return b.FreesAt.Compare(a.FreesAt) })
	return locks, nil
}

// lockRule is the rule behind lock l, or ErrBadLock when l does not name
// what its kind needs (an empty key would match attempts it does not name).
func (t *Throttle) lockRule(l Lock) (rule, error) {
	switch {
	case l.Kind == LockDevice && l.Device != "":
		return t.rules(Attempt{Device: l.Device})[0], nil
	case l.Kind == LockAccountAndIP && l.Email != "" && l.IP != "":
		return t.rules(Attempt{Email: l.Email, IP: l.IP})[0], nil
	case l.Kind == LockAccount && l.Email != "":
		return t.rules(Attempt{Email: l.Email})[1], nil
	case l.Kind == LockIP && l.IP != "":
		return t.rules(Attempt{IP: l.IP})[2], nil
	}
	return rule{}, ErrBadLock
}

// Clear lifts lock l by forgetting the attempts it counts (an
// administrator helping someone locked out). Clearing an account's lock
// also clears its locks per address.
func (t *Throttle) Clear(ctx context.Context, l Lock) error {
	ru, err := t.lockRule(l)
	if err != nil {
		return err
	}
	return t.db.WithContext(ctx).Where(ru.where, ru.args...).Delete(&models.LoginAttempt{}).Error
}
