package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/models"
)

func TestEnqueueRefusesBadAddressesHeaderInjectionAndEmptyParts(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	for name, change := range map[string]func(*mail.Message){
		"no address":             func(m *mail.Message) { m.To.Email = "" },
		"not an address":         func(m *mail.Message) { m.To.Email = "ada at example.com" },
		"address with a name":    func(m *mail.Message) { m.To.Email = "Ada <ada@example.com>" },
		"two addresses":          func(m *mail.Message) { m.To.Email = "ada@example.com, eve@example.com" },
		"line break in subject":  func(m *mail.Message) { m.Subject = "Hi\r\nBcc: eve@example.com" },
		"line break in the name": func(m *mail.Message) { m.To.Name = "Ada\nBcc: eve@example.com" },
		"empty subject":          func(m *mail.Message) { m.Subject = " " },
		"empty text":             func(m *mail.Message) { m.Text = "" },
		"no kind":                func(m *mail.Message) { m.Kind = "" },
	} {
		m := message("ada@example.com", "a subject")
		change(&m)
		if err := mail.Enqueue(context.Background(), db, m); !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("%s: Enqueue = %v, want ErrInvalid", name, err)
		}
	}
	if rows := outbox(t, db); len(rows) != 0 {
		t.Fatalf("%d rows written for invalid mail", len(rows))
	}
}

func TestEnqueueWithADedupeKeyAlreadyQueuedAddsNothingAndKeepsTheTransactionUsable(t *testing.T) {
	t.Parallel()
	for name, db := range map[string]func(*testing.T) *gorm.DB{"sqlite": func(t *testing.T) *gorm.DB { return dbtest.SQLite(t) }, "postgres": func(t *testing.T) *gorm.DB { return dbtest.Postgres(t) }} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := db(t)
			m := message("ada@example.com", "expense 42 approved")
			m.DedupeKey = "expense-42-approved"
			enqueueCommitted(t, db, m)
			err := db.Transaction(func(tx *gorm.DB) error {
				if err := mail.Enqueue(context.Background(), tx, m); err != nil {
					return err
				}
				// On PostgreSQL a failed statement would abort the
				// transaction; this one must still work.
				return mail.Enqueue(context.Background(), tx, message("bob@example.com", "another"))
			})
			if err != nil {
				t.Fatalf("second enqueue: %v", err)
			}
			if rows := outbox(t, db); len(rows) != 2 {
				t.Fatalf("%d rows, want the deduplicated one once and the other", len(rows))
			}
		})
	}
}

func TestTemporaryFailuresBackOffAndTheLastAllowedAttemptMarksTheMailFailed(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	tr := &scripted{errs: []error{errTemporary, errTemporary, errTemporary}}
	opts := mail.WorkerOptions{Backoff: time.Hour, MaxBackoff: 4 * time.Hour, MaxAttempts: 3}
	w := mail.NewWorker(db, tr, sender, quiet(), opts)
	enqueueCommitted(t, db, message("ada@example.com", "retry me"))

	if n, _ := w.SendDue(context.Background()); n != 1 {
		t.Fatalf("first round claimed %d, want 1", n)
	}
	r := outbox(t, db)[0]
	if r.Status != models.OutboxPending || r.Attempts != 1 || !strings.Contains(r.LastError, "421") || r.ClaimedUntil != nil {
		t.Fatalf("after a temporary failure: %+v", r)
	}
	if wait := time.Until(r.NextAttemptAt); wait < 50*time.Minute {
		t.Fatalf("next attempt in %s, want the one-hour backoff", wait)
	}
	if n, _ := w.SendDue(context.Background()); n != 0 {
		t.Fatalf("a mail in its backoff was claimed again")
	}
	// Make it due again twice, as time would; the backoff doubles.
	for attempt := 2; attempt <= 3; attempt++ {
		db.Model(&models.OutboxMessage{}).Where("id = ?", r.ID).Update("next_attempt_at", time.Now().UTC().Add(-time.Second))
		if n, _ := w.SendDue(context.Background()); n != 1 {
			t.Fatalf("attempt %d claimed %d", attempt, n)
		}
		r = outbox(t, db)[0]
		if attempt == 2 && (r.Status != models.OutboxPending || time.Until(r.NextAttemptAt) < 110*time.Minute) {
			t.Fatalf("after attempt 2: status %s, next in %s, want pending with two hours", r.Status, time.Until(r.NextAttemptAt))
		}
	}
	if r.Status != models.OutboxFailed || r.Attempts != 3 {
		t.Fatalf("after MaxAttempts: status %s attempts %d, want failed 3", r.Status, r.Attempts)
	}
	if len(tr.sent) != 0 {
		t.Fatalf("sent %d", len(tr.sent))
	}
}

func TestPermanentFailureIsMarkedFailedAtOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	w := mail.NewWorker(db, &scripted{errs: []error{permanent("550 no such user")}}, sender, quiet(), fastRetries)
	enqueueCommitted(t, db, message("nobody@example.com", "bounce"))
	drain(t, w)
	r := outbox(t, db)[0]
	if r.Status != models.OutboxFailed || r.Attempts != 1 || !strings.Contains(r.LastError, "550 no such user") {
		t.Fatalf("after a permanent failure: %+v", r)
	}
}

func TestAnExpiredClaimIsTakenOverAndOnlyTheCurrentClaimantRecordsTheOutcome(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	enqueueCommitted(t, db, message("ada@example.com", "orphaned"))
	// A worker claimed the row and died: its lease ran out a minute ago.
	past := time.Now().UTC().Add(-time.Minute)
	db.Model(&models.OutboxMessage{}).Where("1 = 1").Updates(map[string]any{"claimed_until": past, "claim_token": "dead-worker"})
	tr := &scripted{}
	drain(t, mail.NewWorker(db, tr, sender, quiet(), fastRetries))
	if r := outbox(t, db)[0]; r.Status != models.OutboxSent || len(tr.sent) != 1 {
		t.Fatalf("orphaned claim: status %s, sent %d", r.Status, len(tr.sent))
	}

	// A live claim is left alone.
	enqueueCommitted(t, db, message("bob@example.com", "in flight"))
	future := time.Now().UTC().Add(time.Minute)
	db.Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Updates(map[string]any{"claimed_until": future, "claim_token": "live-worker"})
	drain(t, mail.NewWorker(db, tr, sender, quiet(), fastRetries))
	if len(tr.sent) != 1 {
		t.Fatalf("a mail claimed by a live worker was sent again")
	}
}

func TestSentMailKeepsItsBodiesOnlyWhenTheTransportNeedsThem(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		db := dbtest.SQLite(t)
		enqueueCommitted(t, db, message("ada@example.com", "secret link"))
		drain(t, mail.NewWorker(db, &scripted{}, sender, quiet(), mail.WorkerOptions{KeepBodies: keep}))
		r := outbox(t, db)[0]
		if r.Status != models.OutboxSent || r.SentAt == nil {
			t.Fatalf("keep=%v: status %s", keep, r.Status)
		}
		if kept := r.TextBody != "" && r.HTMLBody != ""; kept != keep {
			t.Fatalf("keep=%v: bodies kept = %v", keep, kept)
		}
	}
}
