package mail

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// Worker delivers the outbox. Every instance runs one; they share the work
// through the database:
//
//   - A worker claims a batch of due rows in a short transaction that sets
//     a lease (claimed_until) and its own claim token. On PostgreSQL the
//     SELECT takes the rows FOR UPDATE SKIP LOCKED, so two workers never
//     claim the same row and never wait for each other; on SQLite the
//     transaction is IMMEDIATE (see database.SQLiteDSN), so claims are one
//     after the other anyway. The UPDATE repeats the conditions, so a row
//     is claimed at most once per lease whatever the isolation level.
//   - It sends each claimed row outside any transaction, then records the
//     outcome only if its token still holds the row.
//   - A worker that dies mid-send leaves its lease to run out (Lease), after
//     which another worker sends the row again: at-least-once delivery, the
//     only kind SMTP allows, with a duplicate only after a crash.
type Worker struct {
	db        *gorm.DB
	transport Transport
	from      Address
	log       *slog.Logger
	opts      WorkerOptions
}

// WorkerOptions tune a Worker; zero values take the defaults.
type WorkerOptions struct {
	// Poll is how often the worker looks for due mail (default 2 s).
	Poll time.Duration
	// Batch is how many rows one claim takes (default 20).
	Batch int
	// Lease is how long a claim holds before another worker may retry the
	// row (default 5 min, ten times the send timeout).
	Lease time.Duration
	// Backoff is the wait after the first failed attempt; it doubles with
	// each further one up to MaxBackoff (defaults 30 s and 1 h).
	Backoff, MaxBackoff time.Duration
	// MaxAttempts marks a message failed after this many temporary
	// failures (default 10: with the default backoff, about 6 hours).
	MaxAttempts int
	// KeepBodies keeps the text and HTML of sent mail in the outbox. The
	// development transport needs them for /dev/mail; otherwise they are
	// emptied once sent, because mail carries secrets (sign-in and reset
	// links) that should not sit in the database.
	KeepBodies bool
}

func (o WorkerOptions) withDefaults() WorkerOptions {
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Backoff <= 0 {
		o.Backoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	return o
}

// NewWorker builds a worker that sends the outbox of db through t, from the
// address from (MAIL_FROM).
func NewWorker(db *gorm.DB, t Transport, from Address, log *slog.Logger, opts WorkerOptions) *Worker {
	return &Worker{db: db, transport: t, from: from, log: log, opts: opts.withDefaults()}
}

// Run sends due mail every Poll until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.Poll)
	defer t.Stop()
	for {
		// Keep going while batches come back full, so a backlog drains
		// without waiting a poll per batch.
		for {
			n, err := w.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.Warn("mail outbox", "err", err)
			}
			if err != nil || n < w.opts.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue claims one batch of due mail, sends it, and returns how many
// rows it claimed.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	rows, token, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if ctx.Err() != nil {
			// The lease runs out and another worker (or this one after a
			// restart) sends the rest.
			return len(rows), ctx.Err()
		}
		w.deliver(ctx, r, token)
	}
	return len(rows), nil
}

func (w *Worker) claim(ctx context.Context) ([]models.OutboxMessage, string, error) {
	token := rand.Text()
	var rows []models.OutboxMessage
	err := w.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		due := tx.Model(&models.OutboxMessage{}).
			Where("status = ? AND next_attempt_at <= ?", models.OutboxPending, now).
			Where("claimed_until IS NULL OR claimed_until < ?", now)
		q := due.Session(&gorm.Session{}).Select("id").Order("next_attempt_at, id").Limit(w.opts.Batch)
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var ids []uint
		if err := q.Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(w.opts.Lease)
		if err := due.Session(&gorm.Session{}).Where("id IN ?", ids).
			Updates(map[string]any{"claimed_until": until, "claim_token": token}).Error; err != nil {
			return err
		}
		return tx.Where("claim_token = ? AND id IN ?", token, ids).Order("next_attempt_at, id").Find(&rows).Error
	})
	return rows, token, err
}

func (w *Worker) deliver(ctx context.Context, r models.OutboxMessage, token string) {
	m := Message{
		To: Address{Email: r.ToAddress, Name: r.ToName}, Subject: r.Subject,
		Text: r.TextBody, HTML: r.HTMLBody, Kind: r.Kind,
	}
	err := w.transport.Send(ctx, w.from, m)
	now := time.Now().UTC()
	attempts := r.Attempts + 1
	set := map[string]any{"attempts": attempts, "claimed_until": nil, "claim_token": "", "transport": w.transport.Name()}
	switch {
	case err == nil:
		set["status"], set["sent_at"], set["last_error"] = models.OutboxSent, now, ""
		if !w.opts.KeepBodies {
			set["text_body"], set["html_body"] = "", ""
		}
		w.log.Info("mail sent", "id", r.ID, "kind", r.Kind, "transport", w.transport.Name())
	case errors.Is(err, ErrPermanent) || attempts >= w.opts.MaxAttempts:
		set["status"], set["last_error"] = models.OutboxFailed, truncate(err.Error(), 1000)
		w.log.Error("mail failed for good", "id", r.ID, "kind", r.Kind, "attempts", attempts, "err", err)
	default:
		set["next_attempt_at"], set["last_error"] = now.Add(w.backoff(attempts)), truncate(err.Error(), 1000)
		w.log.Warn("mail not sent, will retry", "id", r.ID, "kind", r.Kind, "attempts", attempts, "err", err)
	}
	// Recorded even when ctx has just ended: the mail went out (or not),
	// and forgetting that would send it again.
	res := w.db.WithContext(context.WithoutCancel(ctx)).Model(&models.OutboxMessage{}).
		Where("id = ? AND claim_token = ?", r.ID, token).Updates(set)
	if res.Error != nil {
		w.log.Error("record mail outcome", "id", r.ID, "err", res.Error)
	} else if res.RowsAffected == 0 {
		w.log.Warn("mail claim expired before the outcome was recorded; it may be sent again", "id", r.ID)
	}
}

// backoff is the wait after the given number of failed attempts: Backoff,
// doubling each time, at most MaxBackoff.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.opts.Backoff
	for i := 1; i < attempts && d < w.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.opts.MaxBackoff)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
