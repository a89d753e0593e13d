package models

import "time"

// OutboxMessage is one e-mail waiting to be sent, sent, or given up on. The
// code that causes a mail writes the row in the same transaction as the
// change itself (app/mail.Enqueue), so a rolled-back change sends nothing
// and a committed one is never lost, even if the process dies before the
// SMTP server answers. A sender worker in every instance delivers the rows
// (app/mail.Worker); see there for how instances avoid sending one twice.
type OutboxMessage struct {
	ID        uint      `gorm:"primaryKey"`
	CreatedAt time.Time `gorm:"not null;index"`
	// Kind names what the mail is for ("welcome", "password-reset", "test"),
	// for the administrators' list and the logs.
	Kind      string `gorm:"size:64;not null"`
	ToAddress string `gorm:"size:254;not null"`
	ToName    string `gorm:"size:200;not null;default:''"`
	Subject   string `gorm:"size:300;not null"`
	TextBody  string `gorm:"not null;default:''"`
	HTMLBody  string `gorm:"not null;default:''"`
	// DedupeKey, when set, makes a second mail with the same key a no-op
	// (a notification that must go out once). NULL keys never collide.
	DedupeKey *string `gorm:"size:200;uniqueIndex"`
	// DigestKey, when set, gathers mails: while a pending message with the
	// same key waits for its first attempt, EnqueueDigest rewrites it
	// instead of adding another (one "3 expenses wait" rather than three).
	DigestKey *string `gorm:"size:200;index"`

	// Status is pending, sent or failed (OutboxPending, …).
	Status string `gorm:"size:16;not null;index:idx_outbox_due,priority:1"`
	// NextAttemptAt is when a worker may try (again); backoff moves it.
	NextAttemptAt time.Time `gorm:"not null;index:idx_outbox_due,priority:2"`
	Attempts      int       `gorm:"not null;default:0"`
	// ClaimedUntil is the lease of the worker sending the row now; another
	// worker takes the row only after it ran out (the sender died).
	ClaimedUntil *time.Time
	// ClaimToken is the claiming worker's token, so that only the claimant
	// records the outcome.
	ClaimToken string `gorm:"size:64;not null;default:''"`
	LastError  string `gorm:"size:1000;not null;default:''"`
	SentAt     *time.Time
	// Transport is what delivered it: "smtp", or "dev" (kept for /dev/mail).
	Transport string `gorm:"size:16;not null;default:''"`
}

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)
