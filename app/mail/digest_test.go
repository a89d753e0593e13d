package mail_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/models"
)

func digest(t *testing.T, db *gorm.DB, key string, wait time.Duration, m mail.Message) {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error { return mail.EnqueueDigest(context.Background(), tx, key, wait, m) }); err != nil {
		t.Fatalf("EnqueueDigest: %v", err)
	}
}

// Three notifications for one key while the first waits become one mail
// with the newest content, sent once its wait is over; after it went out,
// the next notification starts a new mail.
func TestDigestGathersMailsForOneKeyUntilTheFirstIsSentThenStartsAgain(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		for i, subject := range []string{"1 expense waits", "2 expenses wait", "3 expenses wait"} {
			digest(t, db, "approvals:7", time.Hour, message("ada@example.com", subject))
			if rows := outbox(t, db); len(rows) != 1 || rows[0].Subject != subject {
				t.Fatalf("after notification %d: %d rows, first %q; want one, %q", i+1, len(rows), rows[0].Subject, subject)
			}
		}
		digest(t, db, "approvals:8", time.Hour, message("bob@example.com", "1 expense waits"))
		if n := len(outbox(t, db)); n != 2 {
			t.Fatalf("another key shares the digest: %d rows, want 2", n)
		}

		tr := &scripted{}
		w := mail.NewWorker(db, tr, mail.Address{Email: "app@example.com"}, quiet(), fastRetries)
		drain(t, w)
		if len(tr.sent) != 0 {
			t.Fatalf("sent %d mails before the digests' wait was over", len(tr.sent))
		}
		// The wait is over: make the rows due, as an hour later.
		if err := db.Model(&models.OutboxMessage{}).Where("1 = 1").Update("next_attempt_at", time.Now().UTC().Add(-time.Second)).Error; err != nil {
			t.Fatal(err)
		}
		drain(t, w)
		if len(tr.sent) != 2 || tr.sent[0].Subject != "3 expenses wait" {
			t.Fatalf("sent %d mails (first %+v), want the two digests, Ada's with the newest content", len(tr.sent), tr.sent)
		}

		digest(t, db, "approvals:7", time.Hour, message("ada@example.com", "1 expense waits"))
		if rows := outbox(t, db); len(rows) != 3 || rows[2].Status != models.OutboxPending {
			t.Errorf("a notification after the digest went out rewrote a sent mail: %d rows", len(rows))
		}
	})
}
