// Package mail sends the application's e-mail without losing any: code that
// causes a mail writes it to an outbox table in its own transaction
// (Enqueue), and a Worker in every instance delivers the outbox through a
// Transport (SMTP, or in development the app's own catcher at /dev/mail),
// retrying with backoff and marking mail that cannot be delivered.
//
// Messages are templ components: a plain-text part and an HTML part,
// rendered by Render in the recipient's name.
package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/a-h/templ"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// Address is a recipient: an e-mail address and the name to greet.
type Address struct {
	Email string
	Name  string
}

// Message is one mail to enqueue.
type Message struct {
	To      Address
	Subject string
	// Text is the plain-text part (required); HTML the optional HTML part.
	Text string
	HTML string
	// Kind names what the mail is for ("welcome", "password-reset"), shown
	// to administrators.
	Kind string
	// DedupeKey, when not empty, makes Enqueue ignore a later message with
	// the same key: a notification that must go out at most once (for
	// example "expense-42-approved").
	DedupeKey string
}

// ErrInvalid is wrapped by Enqueue's errors about the message itself.
var ErrInvalid = errors.New("invalid mail")

// Validate checks what the SMTP server would refuse later, when nobody is
// there to fix it: a bad address, an empty subject or body, line breaks in
// a header (header injection).
func (m Message) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	a, err := mail.ParseAddress(m.To.Email)
	if err != nil || a.Address != m.To.Email || a.Name != "" {
		return bad("recipient %q is not an e-mail address", m.To.Email)
	}
	for field, v := range map[string]string{"subject": m.Subject, "recipient name": m.To.Name, "kind": m.Kind} {
		if strings.ContainsAny(v, "\r\n") {
			return bad("the %s contains a line break", field)
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return bad("the subject is empty")
	}
	if strings.TrimSpace(m.Text) == "" {
		return bad("the plain-text part is empty")
	}
	if strings.TrimSpace(m.Kind) == "" {
		return bad("the kind is empty")
	}
	return nil
}

// Enqueue writes m to the outbox through tx, the transaction of the change
// that causes the mail: if that transaction rolls back, the mail is never
// sent; once it commits, a Worker delivers it. With a DedupeKey already in
// the outbox it does nothing.
func Enqueue(ctx context.Context, tx *gorm.DB, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	row := m.row(time.Now().UTC())
	q := tx.WithContext(ctx)
	if m.DedupeKey != "" {
		row.DedupeKey = &m.DedupeKey
		// ON CONFLICT DO NOTHING rather than catching the unique
		// violation: on PostgreSQL an error aborts the caller's whole
		// transaction.
		q = q.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true})
	}
	if err := q.Create(&row).Error; err != nil {
		return fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	return nil
}

// row is m as a pending outbox row, due at due.
func (m Message) row(due time.Time) models.OutboxMessage {
	return models.OutboxMessage{
		Kind: m.Kind, ToAddress: m.To.Email, ToName: m.To.Name,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML,
		Status: models.OutboxPending, NextAttemptAt: due,
	}
}

// EnqueueDigest is Enqueue for mail that gathers: the first message for
// key waits wait before it is sent, and every message for key enqueued
// meanwhile replaces its subject and body (the caller renders the digest
// of everything that is waiting, not just the newest change). Once a worker
// has claimed or tried the message, the next one starts a new digest. It
// runs in the caller's transaction, like Enqueue.
func EnqueueDigest(ctx context.Context, tx *gorm.DB, key string, wait time.Duration, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("%w: the digest key is empty", ErrInvalid)
	}
	q := tx.WithContext(ctx)
	res := q.Model(&models.OutboxMessage{}).
		Where("digest_key = ? AND status = ? AND attempts = 0 AND claimed_until IS NULL", key, models.OutboxPending).
		Updates(map[string]any{"subject": m.Subject, "text_body": m.Text, "html_body": m.HTML, "to_address": m.To.Email, "to_name": m.To.Name})
	if res.Error != nil {
		return fmt.Errorf("gather %s mail: %w", m.Kind, res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	row := m.row(time.Now().UTC().Add(wait))
	row.DigestKey = &key
	if err := q.Create(&row).Error; err != nil {
		return fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	return nil
}

// Render renders a message's two parts. The HTML part is html as rendered.
// The plain-text part is text rendered, then turned into plain text (see
// PlainText): templ collapses line breaks, so a text component marks its
// paragraphs with <p> and its line breaks with <br/>. html may be nil for a
// text-only mail.
func Render(ctx context.Context, text, html templ.Component) (textBody, htmlBody string, err error) {
	var buf bytes.Buffer
	if err := text.Render(ctx, &buf); err != nil {
		return "", "", fmt.Errorf("render plain-text part: %w", err)
	}
	textBody = PlainText(buf.String())
	if html != nil {
		buf.Reset()
		if err := html.Render(ctx, &buf); err != nil {
			return "", "", fmt.Errorf("render HTML part: %w", err)
		}
		htmlBody = buf.String()
	}
	return textBody, htmlBody, nil
}

// Compose renders text and html (see Render) into a Message of the given
// kind: the one call a feature needs before Enqueue, e.g.
//
//	m, err := mail.Compose(ctx, "password-reset", to, "Reset your password",
//		mailviews.ResetText(d), mailviews.ResetHTML(d))
func Compose(ctx context.Context, kind string, to Address, subject string, text, html templ.Component) (Message, error) {
	t, h, err := Render(ctx, text, html)
	if err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: subject, Text: t, HTML: h, Kind: kind}, nil
}
