package auth_test

import (
	"context"
	"fmt"
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
var limits = auth.Limits{PerAccountAndIP: 3, PerAccount: 6, PerIP: 10}

func newThrottle(t *testing.T) (*auth.Throttle, *gorm.DB) {
	t.Helper()
	db := dbtest.SQLite(t)
	return auth.NewThrottle(db, window, limits), db
}

func fail(t *testing.T, th *auth.Throttle, email, ip string) {
	t.Helper()
	if err := th.Fail(context.Background(), email, ip); err != nil {
		t.Fatalf("Fail(%s, %s): %v", email, ip, err)
	}
}

func blocked(t *testing.T, th *auth.Throttle, email, ip string) bool {
	t.Helper()
	b, wait, err := th.Blocked(context.Background(), email, ip)
	if err != nil {
		t.Fatalf("Blocked(%s, %s): %v", email, ip, err)
	}
	if b && wait != window {
		t.Errorf("Blocked(%s, %s) asks to wait %v, want %v", email, ip, wait, window)
	}
	return b
}

func TestThrottleBlocksAnAccountFromOneAddressAfterPerAccountAndIPFailures(t *testing.T) {
	t.Parallel()
	th, _ := newThrottle(t)
	const ip = "203.0.113.7"
	for i := range limits.PerAccountAndIP {
		if blocked(t, th, "alice@example.com", ip) {
			t.Fatalf("blocked after %d failures, want %d allowed", i, limits.PerAccountAndIP)
		}
		fail(t, th, "alice@example.com", ip)
	}
	if !blocked(t, th, "alice@example.com", ip) {
		t.Errorf("not blocked after %d failures for the account from %s", limits.PerAccountAndIP, ip)
	}
	if blocked(t, th, "alice@example.com", "198.51.100.1") {
		t.Errorf("the account is blocked from another address too: its owner is locked out")
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
		if blocked(t, th, "alice@example.com", "198.51.100.99") {
			t.Fatalf("blocked after %d failures, want %d allowed", i, limits.PerAccount)
		}
		fail(t, th, "alice@example.com", fmt.Sprintf("203.0.113.%d", i))
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
		if blocked(t, th, "new@example.com", ip) {
			t.Fatalf("address blocked after %d failures, want %d allowed", i, limits.PerIP)
		}
		fail(t, th, fmt.Sprintf("user%d@example.com", i), ip)
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
	for range limits.PerAccountAndIP {
		fail(t, th, "alice@example.com", "203.0.113.1")
	}
	fail(t, th, "alice@example.com", "198.51.100.2")
	fail(t, th, "bob@example.com", "203.0.113.1")
	if err := th.Succeed(context.Background(), "alice@example.com", "203.0.113.1"); err != nil {
		t.Fatalf("Succeed: %v", err)
	}
	if blocked(t, th, "alice@example.com", "203.0.113.1") {
		t.Errorf("still blocked after a successful sign-in")
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "alice@example.com"); n != 1 {
		t.Errorf("%d failures left for alice, want the 1 from the other address", n)
	}
	if n := count(t, db, "SELECT count(*) FROM login_attempts WHERE email = ?", "bob@example.com"); n != 1 {
		t.Errorf("%d failures left for bob, want 1", n)
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
