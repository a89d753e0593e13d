package admin

// MailPage lists the mail not delivered yet, for administrators.
type MailPage struct {
	// Delivery says where mail goes ("SMTP server mail.example.com", "kept
	// at /dev/mail"), or that it goes nowhere yet.
	Delivery string
	// Undeliverable is true when no transport is configured (production
	// without SMTP_URL): mail waits in the outbox.
	Undeliverable bool
	Rows          []MailRow
}

// MailRow is one mail waiting or given up on.
type MailRow struct {
	ID          uint
	Status      string // "pending" or "failed"
	Kind        string
	To          string
	Subject     string
	Created     string
	Attempts    int
	NextAttempt string // pending only
	LastError   string
}
