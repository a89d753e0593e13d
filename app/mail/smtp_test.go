package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/mail/mailtest"
	"github.com/company-expenses/company-expenses/models"
)

func smtpWorker(t *testing.T, db *gorm.DB, mp *mailtest.Mailpit) *mail.Worker {
	t.Helper()
	tr, err := mail.NewSMTP(mp.SMTPURL())
	if err != nil {
		t.Fatal(err)
	}
	return mail.NewWorker(db, tr, sender, quiet(), fastRetries)
}

func TestEnqueueInARolledBackTransactionSendsNothing(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	db := dbtest.SQLite(t)
	boom := errors.New("the change failed")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := mail.Enqueue(context.Background(), tx, message("ada@example.com", "never")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	drain(t, smtpWorker(t, db, mp))
	if got := mp.Messages(); len(got) != 0 {
		t.Fatalf("Mailpit received %d messages from a rolled-back transaction", len(got))
	}
}

func TestEnqueueInACommittedTransactionIsDeliveredOnceWithBothParts(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	db := dbtest.SQLite(t)
	enqueueCommitted(t, db, message("ada@example.com", "your account"))
	w := smtpWorker(t, db, mp)
	drain(t, w)
	drain(t, w) // a second round must not send it again
	got := mp.Messages()
	if len(got) != 1 {
		t.Fatalf("Mailpit received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.Subject != "your account" || len(m.To) != 1 || m.To[0].Address != "ada@example.com" || m.To[0].Name != "Ada Lovelace" {
		t.Errorf("received %+v", m)
	}
	if m.From.Address != sender.Email || m.From.Name != sender.Name {
		t.Errorf("from %+v, want %+v", m.From, sender)
	}
	if !strings.Contains(m.Text, "Hello Ada,") || !strings.Contains(m.HTML, "<b>your account</b>") {
		t.Errorf("parts: text %q html %q", m.Text, m.HTML)
	}
	r := outbox(t, db)[0]
	if r.Status != models.OutboxSent || r.Transport != "smtp" || r.TextBody != "" {
		t.Errorf("outbox row after sending: status %s transport %s text %q", r.Status, r.Transport, r.TextBody)
	}
}

// Two instances share one PostgreSQL database and both run a worker: each
// message reaches the SMTP server exactly once. The same on SQLite, where
// two workers of one instance race.
func TestTwoWorkersRacingOverOneOutboxNeverSendAMessageTwice(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *gorm.DB{
		"postgres": func(t *testing.T) *gorm.DB { return dbtest.Postgres(t) },
		"sqlite":   func(t *testing.T) *gorm.DB { return dbtest.SQLite(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			mp := mailtest.Start(t, mailtest.Options{})
			const n = 60
			var ms []mail.Message
			for i := range n {
				ms = append(ms, message(fmt.Sprintf("person%d@example.com", i), fmt.Sprintf("message %d", i)))
			}
			enqueueCommitted(t, db, ms...)
			opts := fastRetries
			opts.Batch = 5 // many small claims, so the workers interleave
			var wg sync.WaitGroup
			for range 2 {
				tr, err := mail.NewSMTP(mp.SMTPURL())
				if err != nil {
					t.Fatal(err)
				}
				w := mail.NewWorker(db, tr, sender, quiet(), opts)
				wg.Go(func() {
					for {
						k, err := w.SendDue(context.Background())
						if err != nil {
							t.Errorf("SendDue: %v", err)
							return
						}
						if k == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			got := mp.Messages()
			seen := map[string]int{}
			for _, m := range got {
				seen[m.Subject]++
			}
			for s, c := range seen {
				if c > 1 {
					t.Errorf("%q received %d times", s, c)
				}
			}
			if len(got) != n || len(seen) != n {
				t.Fatalf("Mailpit received %d messages (%d distinct), want %d", len(got), len(seen), n)
			}
			var sent int64
			db.Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSent).Count(&sent)
			if sent != n {
				t.Fatalf("%d rows marked sent, want %d", sent, n)
			}
		})
	}
}

func TestTemporarySMTPOutageIsRetriedAndDeliveredOnceTheServerIsBack(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	db := dbtest.SQLite(t)
	w := smtpWorker(t, db, mp)
	mp.Stop()
	enqueueCommitted(t, db, message("ada@example.com", "during the outage"))
	if n, err := w.SendDue(context.Background()); n != 1 || err != nil {
		t.Fatalf("SendDue = %d, %v", n, err)
	}
	r := outbox(t, db)[0]
	if r.Status != models.OutboxPending || r.Attempts != 1 || r.LastError == "" {
		t.Fatalf("after a failed connection: status %s attempts %d error %q, want pending for a retry", r.Status, r.Attempts, r.LastError)
	}
	mp.Restart()
	for range 500 { // the retry waits for its (short) backoff
		drain(t, w)
		if outbox(t, db)[0].Status != models.OutboxPending {
			break
		}
	}
	if r := outbox(t, db)[0]; r.Status != models.OutboxSent || r.Attempts < 2 {
		t.Fatalf("after the server came back: status %s attempts %d", r.Status, r.Attempts)
	}
	if got := mp.Messages(); len(got) != 1 || got[0].Subject != "during the outage" {
		t.Fatalf("Mailpit received %d messages, want the retried one", len(got))
	}
}

func TestSMTPRefusalOfTheRecipientIsAPermanentFailure(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{AllowedRecipients: `@example\.com$`})
	db := dbtest.SQLite(t)
	enqueueCommitted(t, db, message("someone@refused.test", "bounce"), message("ada@example.com", "fine"))
	drain(t, smtpWorker(t, db, mp))
	rows := outbox(t, db)
	if rows[0].Status != models.OutboxFailed || rows[0].Attempts != 1 || !strings.Contains(rows[0].LastError, "55") {
		t.Fatalf("refused recipient: status %s attempts %d error %q, want failed at once with the 5xx reply", rows[0].Status, rows[0].Attempts, rows[0].LastError)
	}
	if rows[1].Status != models.OutboxSent {
		t.Fatalf("the other mail: status %s", rows[1].Status)
	}
	if got := mp.Messages(); len(got) != 1 {
		t.Fatalf("Mailpit received %d, want 1", len(got))
	}
}

// While one worker's claim transaction holds a row, another worker skips
// it (FOR UPDATE SKIP LOCKED) instead of waiting for it or claiming it too,
// and sends the rest.
func TestAWorkerOnPostgresSkipsARowAnotherWorkerIsClaiming(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	enqueueCommitted(t, db, message("a@example.com", "one"), message("b@example.com", "two"), message("c@example.com", "three"))
	first := outbox(t, db)[0]

	other := db.Begin()
	defer other.Rollback()
	var locked uint
	if err := other.Raw("SELECT id FROM outbox_messages WHERE id = ? FOR UPDATE", first.ID).Scan(&locked).Error; err != nil || locked != first.ID {
		t.Fatalf("lock the first row: %v", err)
	}
	tr := &scripted{}
	w := mail.NewWorker(db, tr, sender, quiet(), fastRetries)
	// A worker that waited for the lock would never return while the test
	// holds it; the deadline turns that into a failure instead of a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := w.SendDue(ctx)
	if err != nil || n != 2 {
		t.Fatalf("SendDue with the first row locked = %d, %v; want the two others", n, err)
	}
	for _, m := range tr.sent {
		if m.Subject == "one" {
			t.Fatal("the locked row was sent")
		}
	}
	other.Rollback()
	if r := outbox(t, db)[0]; r.Status != models.OutboxPending || r.ClaimToken != "" {
		t.Fatalf("the locked row after the skip: status %s token %q", r.Status, r.ClaimToken)
	}
}

// BenchmarkDeliveryThroughMailpit measures enqueueing and delivering one
// mail through the real SMTP transport to a local Mailpit (one connection
// per message, as in production).
func BenchmarkDeliveryThroughMailpit(b *testing.B) {
	mp := mailtest.Start(b, mailtest.Options{})
	db := dbtest.SQLite(b)
	tr, err := mail.NewSMTP(mp.SMTPURL())
	if err != nil {
		b.Fatal(err)
	}
	w := mail.NewWorker(db, tr, sender, quiet(), mail.WorkerOptions{Batch: 1})
	m := message("ada@example.com", "benchmark")
	for b.Loop() {
		if err := mail.Enqueue(context.Background(), db, m); err != nil {
			b.Fatal(err)
		}
		if n, err := w.SendDue(context.Background()); n != 1 || err != nil {
			b.Fatalf("SendDue = %d, %v", n, err)
		}
	}
}
