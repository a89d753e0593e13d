package twofactor_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/twofactor"
	"github.com/company-expenses/company-expenses/models"
)

// clock is a settable time for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func person(t *testing.T, db *gorm.DB) uint {
	t.Helper()
	e := models.NewLocalEmployee("ada@example.com", "Ada Admin", models.RoleEmployee)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	return e.UserID
}

func codeAt(t *testing.T, en twofactor.Enrolment, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(strings.ReplaceAll(en.Key, " ", ""), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func enrolled(t *testing.T, db *gorm.DB, clk *clock) (*twofactor.Service, uint, twofactor.Enrolment, []string) {
	t.Helper()
	s := twofactor.NewService(db, "Company Expenses").WithClock(clk.now)
	id := person(t, db)
	ctx := context.Background()
	en, err := s.Begin(ctx, id, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.Confirm(ctx, id, codeAt(t, en, clk.now()))
	if err != nil {
		t.Fatal(err)
	}
	clk.add(30 * time.Second) // the confirming code is used up
	return s, id, en, codes
}

func TestSetupIsAskedForOnlyOnceConfirmedWithACodeFromTheApp(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
		s := twofactor.NewService(db, "Company Expenses").WithClock(clk.now)
		id := person(t, db)
		en, err := s.Begin(ctx, id, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(en.URI, "otpauth://totp/") || len(en.QR) < 21 {
			t.Fatalf("enrolment URI %q, QR %d rows", en.URI, len(en.QR))
		}
		if on, _ := s.Enabled(ctx, id); on {
			t.Fatal("a setup in progress already asks for codes at sign-in")
		}
		if _, err := s.Confirm(ctx, id, "000000"); !errors.Is(err, twofactor.ErrWrongCode) && codeAt(t, en, clk.now()) != "000000" {
			t.Fatalf("Confirm with a wrong code: %v, want ErrWrongCode", err)
		}
		codes, err := s.Confirm(ctx, id, codeAt(t, en, clk.now()))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != twofactor.RecoveryCodeCount {
			t.Errorf("%d recovery codes, want %d", len(codes), twofactor.RecoveryCodeCount)
		}
		st, err := s.Status(ctx, id)
		if err != nil || !st.Enabled || st.RecoveryCodesLeft != twofactor.RecoveryCodeCount {
			t.Errorf("Status after Confirm = %+v, %v", st, err)
		}
		if _, err := s.Begin(ctx, id, "ada@example.com"); err == nil {
			t.Error("Begin replaced an enabled authenticator app without turning it off first")
		}
	})
}

func TestACodeIsAcceptedOnceAndOnlyNearItsTime(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
		s, id, en, _ := enrolled(t, db, clk)

		code := codeAt(t, en, clk.now())
		if err := s.Verify(ctx, id, code); err != nil {
			t.Fatalf("a current code: %v", err)
		}
		if err := s.Verify(ctx, id, code); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("the same code again: %v, want ErrWrongCode (replay)", err)
		}
		clk.add(30 * time.Second)
		if err := s.Verify(ctx, id, codeAt(t, en, clk.now().Add(-30*time.Second))); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("the previous step's code, already used: %v, want ErrWrongCode", err)
		}
		if err := s.Verify(ctx, id, codeAt(t, en, clk.now().Add(30*time.Second))); err != nil {
			t.Errorf("the next step's code (a clock a little ahead): %v", err)
		}
		clk.add(10 * time.Minute)
		if err := s.Verify(ctx, id, codeAt(t, en, clk.now().Add(-5*time.Minute))); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("a five-minute-old code: %v, want ErrWrongCode", err)
		}
	})
}

func TestTwoSignInsRacingWithOneCodeLetOnlyOneIn(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
		s, id, en, _ := enrolled(t, db, clk)
		code := codeAt(t, en, clk.now())
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 4 {
			wg.Go(func() {
				if s.Verify(ctx, id, code) == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d sign-ins got in with one code, want 1", wins)
		}
	})
}

func TestARecoveryCodeWorksOnceInAnyCase(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
		s, id, _, codes := enrolled(t, db, clk)
		typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
		if err := s.Verify(ctx, id, typed); err != nil {
			t.Fatalf("recovery code typed in capitals without the dash: %v", err)
		}
		if err := s.Verify(ctx, id, codes[3]); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("the same recovery code again: %v, want ErrWrongCode", err)
		}
		if st, _ := s.Status(ctx, id); st.RecoveryCodesLeft != twofactor.RecoveryCodeCount-1 {
			t.Errorf("%d recovery codes left, want %d", st.RecoveryCodesLeft, twofactor.RecoveryCodeCount-1)
		}
		fresh, err := s.NewRecoveryCodes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(ctx, id, codes[4]); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("an old recovery code after new ones were made: %v, want ErrWrongCode", err)
		}
		if err := s.Verify(ctx, id, fresh[0]); err != nil {
			t.Errorf("a new recovery code: %v", err)
		}
	})
}

func TestDisablingRemovesTheAppAndTheRecoveryCodes(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
		s, id, _, codes := enrolled(t, db, clk)
		if err := s.Disable(ctx, id); err != nil {
			t.Fatal(err)
		}
		if on, _ := s.Enabled(ctx, id); on {
			t.Error("still enabled after Disable")
		}
		if err := s.Verify(ctx, id, codes[0]); !errors.Is(err, twofactor.ErrWrongCode) {
			t.Errorf("a recovery code after Disable: %v, want ErrWrongCode", err)
		}
	})
}

func TestThePendingCookieCarriesOnlyItsOwnUserUntilItsDeadline(t *testing.T) {
	t.Parallel()
	p := twofactor.NewPending(strings.Repeat("s", 32))
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	v := p.New(42, now.Add(twofactor.PendingFor))
	if id, ok := p.Check(v, now.Add(time.Minute)); !ok || id != 42 {
		t.Fatalf("Check = %d, %v", id, ok)
	}
	if _, ok := p.Check(v, now.Add(twofactor.PendingFor+time.Second)); ok {
		t.Error("an expired pending cookie was accepted")
	}
	forged := strings.Replace(v, "42.", "43.", 1)
	if _, ok := p.Check(forged, now); ok {
		t.Error("a pending cookie with another user id was accepted")
	}
	if _, ok := twofactor.NewPending(strings.Repeat("x", 32)).Check(v, now); ok {
		t.Error("a pending cookie signed with another secret was accepted")
	}
}
