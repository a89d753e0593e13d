package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

const window = 15 * time.Minute

// limits are small so the tests stay short; their order is the production
// one: the pair limit is the tightest.
var limits = auth.Limits{PerAccountAndIP: 3, PerAccount: 6, PerIP: 10, PerDevice: 4}

func newThrottle(t *testing.T) (*auth.Throttle, *gorm.DB) {
	t.Helper()
	db := dbtest.SQLite(t)
	return auth.NewThrottle(db, window, limits), db
}

// fail records a failed attempt the way the sign-in does: reserved, then
// left as it is when the password is wrong.
func fail(t *testing.T, th *auth.Throttle, email, ip string) {
	t.Helper()
	failAttempt(t, th, auth.Attempt{Email: email, IP: ip})
}

func failAttempt(t *testing.T, th *auth.Throttle, a auth.Attempt) {
	t.Helper()
	if _, err := th.Reserve(context.Background(), a); err != nil {
		t.Fatalf("Reserve(%+v): %v", a, err)
	}
}

// blocked reports whether an attempt for email from ip would be refused.
// It reserves one when not, so the tests call it only where a further
// failure does not matter or is wanted.
func blocked(t *testing.T, th *auth.Throttle, email, ip string) bool {
	t.Helper()
	return blockedAttempt(t, th, auth.Attempt{Email: email, IP: ip})
}

func blockedAttempt(t *testing.T, th *auth.Throttle, a auth.Attempt) bool {
	t.Helper()
	_, err := th.Reserve(context.Background(), a)
	var b *auth.BlockedError
	if errors.As(err, &b) {
		if b.Wait <= 0 || b.Wait > window {
			t.Errorf("Reserve(%+v) asks to wait %v, want between 0 and %v", a, b.Wait, window)
		}
		return true
	}
	if err != nil {
		t.Fatalf("Reserve(%+v): %v", a, err)
	}
	return false
}

func TestThrottleBlocksAnAccountFromOneAddressAfterPerAccountAndIPFailures(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	const ip = "203.0.113.7"
	// Each attempt let through is a failure until the password proves right.
	for i := range limits.PerAccountAndIP {
		if blocked(t, th, "alice@example.com", ip) {
			t.Fatalf("blocked after %d failures, want %d allowed", i, limits.PerAccountAndIP)
		}
	}
	if !blocked(t, th, "alice@example.com", ip) {
		t.Errorf("not blocked after %d failures for the account from %s", limits.PerAccountAndIP, ip)
	}
	if blocked(t, th, "alice@example.com", "198.51.100.1") {
		t.Errorf("the account is blocked from another address too")
	}
	if blocked(t, th, "bob@example.com", ip) {
		t.Errorf("another account from the same address is blocked by alice's failures")
	}
}

func TestThrottleBlocksAnAccountGuessedAtFromManyAddresses(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	// Each failure from another address, so only the account count rises.
	for i := range limits.PerAccount {
		if blocked(t, th, "alice@example.com", fmt.Sprintf("203.0.113.%d", i)) {
			t.Fatalf("blocked after %d failures, want %d allowed", i, limits.PerAccount)
		}
	}
	if !blocked(t, th, "alice@example.com", "198.51.100.99") {
		t.Errorf("not blocked after %d failures for the account across addresses", limits.PerAccount)
	}
	if blocked(t, th, "bob@example.com", "203.0.113.0") {
		t.Errorf("another account is blocked by alice's failures")
	}
}

func TestThrottleBlocksAnAddressTryingManyAccounts(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	const ip = "203.0.113.7"
	for i := range limits.PerIP {
		if blocked(t, th, fmt.Sprintf("user%d@example.com", i), ip) {
			t.Fatalf("address blocked after %d failures, want %d allowed", i, limits.PerIP)
		}
	}
	if !blocked(t, th, "new@example.com", ip) {
		t.Errorf("not blocked after %d failures from %s across accounts", limits.PerIP, ip)
	}
	if blocked(t, th, "new@example.com", "198.51.100.1") {
		t.Errorf("the same account from another address is blocked")
	}
}

func TestThrottleSucceedClearsOnlyThatAddresssFailuresForTheAccount(t *testing.T) {
	t.Parallel()
	th, db := newThrottle(t)
	ctx := context.Background()
	for range limits.PerAccountAndIP - 1 {
		fail(t, th, "alice@example.com", "203.0.113.1")
	}
	fail(t, th, "alice@example.com", "198.51.100.2")
	fail(t, th, "bob@example.com", "203.0.113.1")
	a := auth.Attempt{Email: "alice@example.com", IP: "203.0.113.1"}
	r, err := th.Reserve(ctx, a)
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if err := th.Succeed(ctx, r, a); err != nil {
		t.Fatalf("Succeed: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "alice@example.com"); n != 1 {
		t.Errorf("%d attempts left for alice, want the 1 from the other address", n)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "bob@example.com"); n != 1 {
		t.Errorf("%d failures left for bob, want 1", n)
	}
}

func TestThrottleCancelledReservationDoesNotCount(t *testing.T) {
	t.Parallel()
	th, db := newThrottle(t)
	ctx := context.Background()
	r, err := th.Reserve(ctx, auth.Attempt{Email: "alice@example.com", IP: "203.0.113.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := th.Cancel(ctx, r); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts"); n != 0 {
		t.Errorf("%d attempts recorded after Cancel, want 0", n)
	}
}

// Audit finding 6: checking the count before the hash and recording the
// failure after let simultaneous attempts all through. However many arrive
// at once, at most the limit are let through to check a password.
func TestThrottleLetsAtMostTheLimitThroughWhenManyAttemptsArriveAtOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.SetMaxOpenConns(16) // enough for the attempts to overlap
		}
		th := auth.NewThrottle(db, window, limits)
		const n = 40
		var through, refused atomic.Int64
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := th.Reserve(context.Background(), auth.Attempt{Email: "alice@example.com", IP: fmt.Sprintf("203.0.113.%d", i%2)})
				var b *auth.BlockedError
				switch {
				case errors.As(err, &b):
					refused.Add(1)
				case err != nil:
					t.Errorf("Reserve: %v", err)
				default:
					through.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		// Two addresses: each lets PerAccountAndIP through, the account
		// limit (6) caps the sum.
		if got, want := through.Load(), min(2*limits.PerAccountAndIP, limits.PerAccount); got != want {
			t.Errorf("%d of %d simultaneous attempts let through, want %d", got, n, want)
		}
		if through.Load()+refused.Load() != n {
			t.Errorf("%d through + %d refused, want %d answered", through.Load(), refused.Load(), n)
		}
	})
}

// Audit finding 7: many addresses guessing at one account lock untrusted
// clients out, but a browser with a device cookie for the account counts
// only its own failures.
func TestThrottleTrustedDeviceIsNotLockedOutByGuessesFromElsewhere(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	for i := range limits.PerAccount {
		fail(t, th, "alice@example.com", fmt.Sprintf("203.0.113.%d", i))
	}
	if !blocked(t, th, "alice@example.com", "198.51.100.9") {
		t.Fatal("an untrusted client from a fresh address is not blocked after the account limit")
	}
	owner := auth.Attempt{Email: "alice@example.com", IP: "198.51.100.9", Device: "owners-laptop"}
	if blockedAttempt(t, th, owner) {
		t.Error("the owner's trusted device is locked out by guesses from elsewhere")
	}
	// The device has an allowance of its own.
	for range limits.PerDevice - 1 {
		failAttempt(t, th, owner)
	}
	if !blockedAttempt(t, th, owner) {
		t.Errorf("a trusted device is not blocked after %d failures of its own", limits.PerDevice)
	}
	if blockedAttempt(t, th, auth.Attempt{Email: "alice@example.com", IP: "198.51.100.9", Device: "owners-phone"}) {
		t.Error("another trusted device of the owner is blocked by the first one's failures")
	}
}

func TestThrottleListsLocksAndClearsOne(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	ctx := context.Background()
	for i := range limits.PerAccount {
		fail(t, th, "alice@example.com", fmt.Sprintf("203.0.113.%d", i))
	}
	fail(t, th, "bob@example.com", "198.51.100.1") // one failure is no lock
	locks, err := th.Locks(ctx)
	if err != nil {
		t.Fatalf("Locks: %v", err)
	}
	if len(locks) != 1 || locks[0].Kind != auth.LockAccount || locks[0].Email != "alice@example.com" || locks[0].Failures != limits.PerAccount {
		t.Fatalf("Locks = %+v, want alice's account lock with %d failures", locks, limits.PerAccount)
	}
	if until := time.Until(locks[0].FreesAt); until <= 0 || until > window {
		t.Errorf("lock frees up in %v, want within the %v window", until, window)
	}
	if err := th.Clear(ctx, auth.Lock{Kind: auth.LockAccount}); !errors.Is(err, auth.ErrBadLock) {
		t.Errorf("Clear without an account = %v, want ErrBadLock", err)
	}
	if err := th.Clear(ctx, locks[0]); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if blocked(t, th, "alice@example.com", "198.51.100.9") {
		t.Error("still blocked after the lock was cleared")
	}
	if locks, _ := th.Locks(ctx); len(locks) != 0 {
		t.Errorf("Locks after Clear = %+v", locks)
	}
}

func TestThrottleForgetsFailuresOlderThanTheWindow(t *testing.T) {
	t.Parallel()
	th, db := newThrottle(t)
	for range limits.PerAccountAndIP {
		fail(t, th, "alice@example.com", "203.0.113.7")
	}
	if err := db.Model(&models.LoginAttempt{}).Where("email = ?", "alice@example.com").
		Update("at", time.Now().UTC().Add(-window-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	if blocked(t, th, "alice@example.com", "203.0.113.7") {
		t.Errorf("blocked by failures older than the %v window", window)
	}
}

func TestThrottlePruneDeletesOnlyAttemptsOutsideTheWindow(t *testing.T) {
	t.Parallel()
	th, db := newThrottle(t)
	fail(t, th, "old@example.com", "203.0.113.1")
	fail(t, th, "old@example.com", "203.0.113.2")
	fail(t, th, "recent@example.com", "203.0.113.3")
	if err := db.Model(&models.LoginAttempt{}).Where("email = ?", "old@example.com").
		Update("at", time.Now().UTC().Add(-window-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	if err := th.Prune(context.Background()); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "old@example.com"); n != 0 {
		t.Errorf("%d old attempts left after Prune", n)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "recent@example.com"); n != 1 {
		t.Errorf("%d recent attempts left after Prune, want 1", n)
	}
}

// TestThrottleSimultaneousSuccessesOfOneAccountFromOneAddressDoNotDeadlock:
// two people signing in to a shared account from one office address at the
// same moment both succeed. Each success deletes its own reservation, then
// every failure of the pair; without one lock order, two of them could each
// hold a row the other wants next, and PostgreSQL would abort one sign-in.
func TestThrottleSimultaneousSuccessesOfOneAccountFromOneAddressDoNotDeadlock(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.SetMaxOpenConns(16) // enough for the successes to overlap
		}
		th := auth.NewThrottle(db, window, auth.Limits{PerAccountAndIP: 1000, PerAccount: 1000, PerIP: 1000, PerDevice: 1000})
		a := auth.Attempt{Email: "shared@example.com", IP: "203.0.113.7"}
		for round := range 5 {
			const n = 12
			rs := make([]auth.Reservation, n)
			for i := range rs {
				r, err := th.Reserve(context.Background(), a)
				if err != nil {
					t.Fatal(err)
				}
				rs[i] = r
			}
			start := make(chan struct{})
			var wg sync.WaitGroup
			for _, r := range rs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if err := th.Succeed(context.Background(), r, a); err != nil {
						t.Errorf("round %d: Succeed: %v", round, err)
					}
				}()
			}
			close(start)
			wg.Wait()
		}
	})
}
