package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/company-expenses/company-expenses/app/mail/smtpurl"
)

// A Transport delivers one message. An error that wraps ErrPermanent means
// retrying is pointless (the server refused the mail with a 5xx reply);
// any other error is retried with backoff.
type Transport interface {
	// Name is what the outbox records as having delivered a message.
	Name() string
	Send(ctx context.Context, from Address, m Message) error
}

// ErrPermanent marks a delivery failure that retrying cannot fix.
var ErrPermanent = errors.New("permanent mail failure")

// Dev is the development transport: it delivers nothing. The worker marks
// the message sent and keeps its bodies in the outbox, where /dev/mail
// shows them, so `go run .` needs no mail server.
type Dev struct{}

// Name implements Transport.
func (Dev) Name() string { return "dev" }

// Send implements Transport.
func (Dev) Send(context.Context, Address, Message) error { return nil }

// SMTP delivers through an SMTP server, with github.com/wneessen/go-mail.
type SMTP struct {
	host    string
	options []gomail.Option
}

// sendTimeout bounds one delivery, connection included; the worker's claim
// lease is much longer, so no other worker takes a message still being
// sent.
const sendTimeout = 30 * time.Second

// NewSMTP reads an SMTP_URL:
//
//	smtp://user:pass@host:587      STARTTLS, required
//	smtps://user:pass@host:465     TLS from the first byte
//	smtp://127.0.0.1:1025          no TLS and no auth: only on a loopback host (a local catcher)
//	smtp://host:25?tls=off         no TLS anywhere, said explicitly
//
// Credentials are sent only over TLS (go-mail refuses otherwise), except to
// a loopback host.
func NewSMTP(rawURL string) (*SMTP, error) {
	s, err := smtpurl.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(sendTimeout), gomail.WithTLSConfig(&tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12})}
	switch {
	case s.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return &SMTP{host: s.Host, options: opts}, nil
}

// Name implements Transport.
func (*SMTP) Name() string { return "smtp" }

// Send implements Transport: one connection per message, which is plenty
// for an internal app's mail and leaves no idle connection to go stale.
func (s *SMTP) Send(ctx context.Context, from Address, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(from.Name, from.Email); err != nil {
		return fmt.Errorf("%w: sender %q: %v", ErrPermanent, from.Email, err)
	}
	if err := msg.AddToFormat(m.To.Name, m.To.Email); err != nil {
		return fmt.Errorf("%w: recipient %q: %v", ErrPermanent, m.To.Email, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := gomail.NewClient(s.host, s.options...)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		// A 5xx reply is the server's final word (unknown recipient,
		// refused sender); anything else (no connection, 4xx, timeout)
		// may pass later.
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return fmt.Errorf("%w: %v", ErrPermanent, err)
		}
		return err
	}
	return nil
}
