package accountlink_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/accountlink"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

const oldPassword = "the old password 1"

var oldHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(oldPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// person creates an employee; hash "" makes an account without a password.
func person(t *testing.T, db *gorm.DB, email, name string, local bool, hash string, active bool) *models.Employee {
	t.Helper()
	e := models.NewLocalEmployee(email, name)
	e.IsLocalUser, e.User.PasswordHash, e.User.Active = local, hash, active
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	return e
}

// clock is a settable time for the links.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func newService(t *testing.T, db *gorm.DB) (*accountlink.Service, *clock) {
	t.Helper()
	s := accountlink.NewService(accountlink.Options{
		DB: db, Throttle: auth.NewThrottle(db, accountlink.ResetWindow, accountlink.ResetLimits),
		BaseURL: "https://expenses.example.com", AppName: "Company Expenses", MinRequestTime: time.Millisecond,
	})
	c := &clock{t: time.Now().UTC()}
	accountlink.SetClock(s.Links(), c.now)
	return s, c
}

func issue(t *testing.T, db *gorm.DB, l *accountlink.Links, userID uint, p accountlink.Purpose) string {
	t.Helper()
	var token string
	err := db.Transaction(func(tx *gorm.DB) (err error) {
		token, _, err = l.Issue(context.Background(), tx, userID, p, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

type outboxRow struct {
	Kind, ToAddress, Subject, TextBody string
}

func outbox(t *testing.T, db *gorm.DB) []outboxRow {
	t.Helper()
	var rows []outboxRow
	if err := db.Table("outbox_messages").Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// linkIn finds the link to path in a mail's text and returns its token.
func linkIn(t *testing.T, text, path string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, "https://expenses.example.com"+path+"?token=")
	if !ok {
		t.Fatalf("no %s link in %q", path, text)
	}
	return strings.Fields(after)[0]
}

func count(t *testing.T, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestResetLinkWorksOnceAndExpiresAfter30Minutes(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, c := newService(t, db)
		l := s.Links()
		e := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)

		token := issue(t, db, l, e.UserID, accountlink.Reset)
		c.add(30*time.Minute - time.Second)
		if _, err := l.Check(ctx, accountlink.Reset, token); err != nil {
			t.Fatalf("at 29:59 the link should work: %v", err)
		}
		if _, err := l.Check(ctx, accountlink.Invitation, token); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("a reset token used as an invitation: %v, want ErrInvalid", err)
		}
		c.add(time.Second)
		if _, err := l.Check(ctx, accountlink.Reset, token); !errors.Is(err, accountlink.ErrExpired) {
			t.Fatalf("at 30:00: %v, want ErrExpired", err)
		}
		if _, err := s.SetPassword(ctx, accountlink.Reset, token, "a brand new password", "a brand new password"); !errors.Is(err, accountlink.ErrExpired) {
			t.Fatalf("setting a password with an expired link: %v, want ErrExpired", err)
		}

		token = issue(t, db, l, e.UserID, accountlink.Reset)
		if _, err := s.SetPassword(ctx, accountlink.Reset, token, "a brand new password", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPassword(ctx, accountlink.Reset, token, "another new password", "another new password"); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("the second use: %v, want ErrInvalid", err)
		}
	})
}

func TestANewResetLinkReplacesTheOutstandingOne(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		e := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		first := issue(t, db, s.Links(), e.UserID, accountlink.Reset)
		second := issue(t, db, s.Links(), e.UserID, accountlink.Reset)
		if _, err := s.Links().Check(ctx, accountlink.Reset, first); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("the replaced link: %v, want ErrInvalid", err)
		}
		if _, err := s.Links().Check(ctx, accountlink.Reset, second); err != nil {
			t.Fatalf("the new link: %v", err)
		}
		if n := count(t, db, "account_links", "user_id = ?", e.UserID); n != 1 {
			t.Fatalf("%d links for one person, want 1", n)
		}
	})
}

func TestAccountLinksStoreOnlyTheSHA256OfA32ByteToken(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		s, _ := newService(t, db)
		e := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		token := issue(t, db, s.Links(), e.UserID, accountlink.Reset)
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: %d bytes (%v), want 32 random bytes", token, len(raw), err)
		}
		var stored string
		db.Table("account_links").Where("user_id = ?", e.UserID).Pluck("token_hash", &stored)
		sum := sha256.Sum256([]byte(token))
		if stored != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q, want the SHA-256 of the token", stored)
		}
		if n := count(t, db, "account_links", "token_hash = ?", token); n != 0 {
			t.Fatal("the token itself is stored")
		}
	})
}

func TestRequestResetMailsALinkToLocalAccountsAnSSONoticeToSSOOnlyAccountsAndNothingOtherwise(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		local := person(t, db, "ada@example.com", "Ada Lovelace", true, oldHash(), true)
		sso := person(t, db, "sam@example.com", "Sam SSO", false, "", true)
		person(t, db, "gone@example.com", "Gone", true, oldHash(), false)
		invited := person(t, db, "new@example.com", "New Person", true, "", true)
		for i, email := range []string{" ADA@example.com ", "sam@example.com", "gone@example.com", "nobody@example.com", "new@example.com"} {
			if err := s.RequestReset(ctx, email, "192.0.2."+string(rune('1'+i))); err != nil {
				t.Fatalf("%s: %v", email, err)
			}
		}
		got := outbox(t, db)
		if len(got) != 2 {
			t.Fatalf("%d mails, want 2 (the local and the SSO account): %+v", len(got), got)
		}
		reset, notice := got[0], got[1]
		if reset.Kind != "password-reset" || reset.ToAddress != "ada@example.com" || !strings.Contains(reset.TextBody, "Hello Ada Lovelace,") ||
			!strings.Contains(reset.TextBody, "within 30 minutes") {
			t.Fatalf("reset mail %+v", reset)
		}
		if _, err := s.Check(ctx, accountlink.Reset, linkIn(t, reset.TextBody, "/password/reset")); err != nil {
			t.Fatalf("the mailed link: %v", err)
		}
		if notice.Kind != "password-reset-sso" || notice.ToAddress != "sam@example.com" || strings.Contains(notice.TextBody, "token=") ||
			!strings.Contains(notice.TextBody, "single sign-on") {
			t.Fatalf("SSO notice %+v", notice)
		}
		if n := count(t, db, "account_links", "user_id IN ?", []uint{sso.UserID, invited.UserID}); n != 0 {
			t.Fatalf("%d links for the SSO-only and the invited person, want none", n)
		}
		if n := count(t, db, "account_links", "user_id = ?", local.UserID); n != 1 {
			t.Fatalf("%d links for the local person, want 1", n)
		}
	})
}

func TestRequestResetTakesTheMinimumTimeForUnknownAndKnownAddressesAlike(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	const floor = 150 * time.Millisecond
	s := accountlink.NewService(accountlink.Options{
		DB: db, Throttle: auth.NewThrottle(db, accountlink.ResetWindow, accountlink.ResetLimits),
		BaseURL: "https://expenses.example.com", AppName: "Company Expenses", MinRequestTime: floor,
	})
	person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
	for _, email := range []string{"nobody@example.com", "ada@example.com"} {
		start := time.Now()
		if err := s.RequestReset(context.Background(), email, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < floor {
			t.Errorf("%s answered in %v, before the floor of %v: the time tells whether it has an account", email, took, floor)
		}
	}
}

func TestRequestResetIsThrottledPerAddressAndPerIP(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		throttled := func(email, ip string) bool {
			err := s.RequestReset(ctx, email, ip)
			var te *accountlink.ThrottledError
			if err != nil && !errors.As(err, &te) {
				t.Fatal(err)
			}
			return te != nil
		}
		// Per address, from one IP and then from anywhere.
		for i := range accountlink.ResetLimits.PerAccountAndIP {
			if throttled("ada@example.com", "192.0.2.1") {
				t.Fatalf("request %d from one IP throttled", i+1)
			}
		}
		if !throttled("ada@example.com", "192.0.2.1") {
			t.Fatal("a request past the per-address limit from one IP went through")
		}
		for i := accountlink.ResetLimits.PerAccountAndIP; i < accountlink.ResetLimits.PerAccount; i++ {
			throttled("ada@example.com", "198.51.100."+string(rune('1'+i)))
		}
		if !throttled("ada@example.com", "203.0.113.9") {
			t.Fatal("a request past the per-address limit from a fresh IP went through: her mailbox can be flooded")
		}
		if n := len(outbox(t, db)); int64(n) != accountlink.ResetLimits.PerAccount {
			t.Fatalf("%d mails, want %d", n, accountlink.ResetLimits.PerAccount)
		}
		// Per IP, across addresses (unknown ones count too).
		for i := range accountlink.ResetLimits.PerIP {
			if throttled("x"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com", "192.0.2.200") {
				t.Fatalf("request %d from one IP throttled early", i+1)
			}
		}
		if !throttled("another@example.com", "192.0.2.200") {
			t.Fatal("a request past the per-IP limit went through")
		}
		// Reset requests never count against sign-ins.
		if n := count(t, db, "login_attempts", "email = ?", "ada@example.com"); n != 0 {
			t.Fatalf("%d sign-in attempts recorded for reset requests", n)
		}
	})
}

func TestSetPasswordFollowsThePasswordRulesAndEndsEverySessionOfThePerson(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		e := person(t, db, "ada@example.com", "Ada Lovelace", true, oldHash(), true)
		other := person(t, db, "bob@example.com", "Bob", true, oldHash(), true)
		sessions := auth.NewSessions(db, time.Hour, time.Hour)
		for _, id := range []uint{e.UserID, e.UserID, other.UserID} {
			if _, err := sessions.Create(ctx, id, "password", "test", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
		}
		token := issue(t, db, s.Links(), e.UserID, accountlink.Reset)

		for _, tc := range []struct{ next, confirm, field string }{
			{"password123", "password123", "new"},
			{"short", "short", "new"},
			{"a brand new password", "a brand new passw0rd", "confirm"},
		} {
			_, err := s.SetPassword(ctx, accountlink.Reset, token, tc.next, tc.confirm)
			var ve *people.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Fatalf("%q/%q: %v, want a message at %q", tc.next, tc.confirm, err, tc.field)
			}
		}
		if n := count(t, db, "sessions", "user_id = ?", e.UserID); n != 2 {
			t.Fatalf("a refused password ended sessions: %d left", n)
		}

		h, err := s.SetPassword(ctx, accountlink.Reset, token, "a brand new password", "a brand new password")
		if err != nil {
			t.Fatal(err)
		}
		if h.UserID != e.UserID || h.Email != "ada@example.com" {
			t.Fatalf("holder %+v", h)
		}
		var hash string
		db.Table("users").Where("id = ?", e.UserID).Pluck("password_hash", &hash)
		if !auth.VerifyPassword(hash, "a brand new password") || auth.VerifyPassword(hash, oldPassword) {
			t.Fatal("the new password is not the one that verifies")
		}
		if n := count(t, db, "sessions", "user_id = ?", e.UserID); n != 0 {
			t.Fatalf("%d sessions of the person survived the reset", n)
		}
		if n := count(t, db, "sessions", "user_id = ?", other.UserID); n != 1 {
			t.Fatal("someone else's session ended")
		}
		mails := outbox(t, db)
		if len(mails) != 1 || mails[0].Kind != "password-changed" || mails[0].ToAddress != "ada@example.com" ||
			!strings.Contains(mails[0].TextBody, "Hello Ada Lovelace,") {
			t.Fatalf("mails %+v, want one 'your password was changed'", mails)
		}
	})
}

func TestTwoSimultaneousUsesOfOneLinkSetThePasswordOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		e := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		token := issue(t, db, s.Links(), e.UserID, accountlink.Reset)
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.SetPassword(ctx, accountlink.Reset, token, "a brand new password", "a brand new password")
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, accountlink.ErrInvalid):
				t.Errorf("a losing use: %v, want ErrInvalid", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d uses succeeded, want exactly 1", ok)
		}
		if n := len(outbox(t, db)); n != 1 {
			t.Fatalf("%d 'password changed' mails, want 1", n)
		}
	})
}

func TestInvitationLinkLastsSevenDaysIsReplacedByResendAndEndsWhenRevoked(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, c := newService(t, db)
		admin := person(t, db, "admin@example.com", "Adam Admin", true, oldHash(), true)
		e := person(t, db, "new@example.com", "Nina New", true, "", true)
		withPassword := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		if _, err := s.Resend(ctx, withPassword.UserID, admin); !errors.Is(err, accountlink.ErrNotInvitable) {
			t.Fatalf("inviting someone with a password: %v, want ErrNotInvitable", err)
		}

		if _, err := s.Resend(ctx, e.UserID, admin); err != nil {
			t.Fatal(err)
		}
		mails := outbox(t, db)
		if len(mails) != 1 || mails[0].Kind != "invitation" || !strings.Contains(mails[0].TextBody, "Hello Nina New,") ||
			!strings.Contains(mails[0].TextBody, "Adam Admin has added you") {
			t.Fatalf("mails %+v", mails)
		}
		first := linkIn(t, mails[0].TextBody, "/invitation")
		c.add(7*24*time.Hour - time.Minute)
		if _, err := s.Check(ctx, accountlink.Invitation, first); err != nil {
			t.Fatalf("after 6 days 23:59: %v", err)
		}
		c.add(time.Minute)
		if _, err := s.Check(ctx, accountlink.Invitation, first); !errors.Is(err, accountlink.ErrExpired) {
			t.Fatalf("after 7 days: %v, want ErrExpired", err)
		}

		if _, err := s.Resend(ctx, e.UserID, admin); err != nil {
			t.Fatal(err)
		}
		second := linkIn(t, outbox(t, db)[1].TextBody, "/invitation")
		if _, err := s.Check(ctx, accountlink.Invitation, first); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("the link of the first invitation after a resend: %v, want ErrInvalid", err)
		}
		if revoked, err := s.Revoke(ctx, e.UserID, admin.UserID); err != nil || !revoked {
			t.Fatalf("revoke: %v %v", revoked, err)
		}
		if _, err := s.SetPassword(ctx, accountlink.Invitation, second, "a brand new password", "a brand new password"); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("a revoked invitation: %v, want ErrInvalid", err)
		}

		if _, err := s.Resend(ctx, e.UserID, admin); err != nil {
			t.Fatal(err)
		}
		third := linkIn(t, outbox(t, db)[2].TextBody, "/invitation")
		if _, err := s.SetPassword(ctx, accountlink.Invitation, third, "a brand new password", "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox(t, db)); n != 3 {
			t.Fatalf("accepting an invitation sent %d more mails, want none", n-3)
		}
	})
}

func TestDeactivatingAPersonVoidsTheirLinks(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		e := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		token := issue(t, db, s.Links(), e.UserID, accountlink.Reset)
		if err := db.Model(&models.User{}).Where("id = ?", e.UserID).Update("active", false).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPassword(ctx, accountlink.Reset, token, "a brand new password", "a brand new password"); !errors.Is(err, accountlink.ErrInvalid) {
			t.Fatalf("a deactivated person's link: %v, want ErrInvalid", err)
		}
	})
}

func TestDeleteExpiredRemovesExpiredResetLinksAndKeepsExpiredInvitationsForThePersonsPage(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s, c := newService(t, db)
		ada := person(t, db, "ada@example.com", "Ada", true, oldHash(), true)
		nina := person(t, db, "new@example.com", "Nina", true, "", true)
		bob := person(t, db, "bob@example.com", "Bob", true, oldHash(), true)
		issue(t, db, s.Links(), ada.UserID, accountlink.Reset)
		issue(t, db, s.Links(), nina.UserID, accountlink.Invitation)
		c.add(8 * 24 * time.Hour)
		fresh := issue(t, db, s.Links(), bob.UserID, accountlink.Reset)
		if n, err := s.Links().DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpired: %d, %v; want Ada's expired reset link only", n, err)
		}
		if l, err := s.Links().Outstanding(ctx, nina.UserID, accountlink.Invitation); err != nil || l == nil {
			t.Fatalf("Nina's expired invitation is gone (%v): her page can no longer say it expired", err)
		}
		if _, err := s.Links().Check(ctx, accountlink.Reset, fresh); err != nil {
			t.Fatalf("Bob's live link: %v", err)
		}
	})
}
