package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/models"
)

var sender = mail.Address{Email: "expenses@example.com", Name: "Company Expenses"}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// fastRetries keep the backoff short so that tests do not wait for it.
var fastRetries = mail.WorkerOptions{Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}

func message(to, subject string) mail.Message {
	return mail.Message{
		To: mail.Address{Email: to, Name: "Ada Lovelace"}, Subject: subject, Kind: "test",
		Text: "Hello Ada,\n\nthis is " + subject + ".\n", HTML: "<p>Hello Ada,</p><p>this is <b>" + subject + "</b>.</p>",
	}
}

func enqueueCommitted(t *testing.T, db *gorm.DB, ms ...mail.Message) {
	t.Helper()
	err := db.Transaction(func(tx *gorm.DB) error {
		for _, m := range ms {
			if err := mail.Enqueue(context.Background(), tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func outbox(t *testing.T, db *gorm.DB) []models.OutboxMessage {
	t.Helper()
	var rows []models.OutboxMessage
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// drain runs w until nothing is due, or fails the test after many rounds.
func drain(t *testing.T, w *mail.Worker) {
	t.Helper()
	for range 1000 {
		n, err := w.SendDue(context.Background())
		if err != nil {
			t.Fatalf("SendDue: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox never emptied")
}

// scripted is a transport that fails as told and records what it sent.
type scripted struct {
	mu   sync.Mutex
	errs []error // returned in turn; nil once used up
	sent []mail.Message
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Send(_ context.Context, _ mail.Address, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		if err != nil {
			return err
		}
	}
	s.sent = append(s.sent, m)
	return nil
}

var errTemporary = errors.New("421 try again later")

func permanent(msg string) error { return fmt.Errorf("%w: %s", mail.ErrPermanent, msg) }
