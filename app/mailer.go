package app

import (
	"log/slog"
	netmail "net/mail"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/config"
	"github.com/company-expenses/company-expenses/app/mail"
)

// newMailer picks the mail transport: SMTP when SMTP_URL is set; in
// development without it, the development transport, which keeps mail for
// /dev/mail. Production without SMTP_URL sends nothing (nil): mail waits in
// the outbox, where /admin/mail shows it, until SMTP_URL is set.
func newMailer(cfg config.Config, db *gorm.DB, log *slog.Logger) (*mail.Worker, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom) // checked by config.Load
	if err != nil {
		return nil, err
	}
	sender := mail.Address{Email: from.Address, Name: from.Name}
	switch {
	case cfg.SMTPURL != "":
		t, err := mail.NewSMTP(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		return mail.NewWorker(db, t, sender, log, mail.WorkerOptions{}), nil
	case !cfg.IsProduction():
		return mail.NewWorker(db, mail.Dev{}, sender, log, mail.WorkerOptions{KeepBodies: true}), nil
	}
	log.Warn("SMTP_URL is not set: no mail is sent; it waits in the outbox (see /admin/mail)")
	return nil, nil
}
