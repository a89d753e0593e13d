package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/layouts"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
	mailviews "github.com/company-expenses/company-expenses/views/mail"
)

// adminMail lists the mail that is waiting for a retry or failed for good,
// so an administrator sees at once when mail does not reach people.
func (a *Application) adminMail(c echo.Context) error {
	rows, err := mail.NewOutbox(a.db).Unsent(c.Request().Context(), 200)
	if err != nil {
		return err
	}
	d := adminviews.MailPage{Delivery: a.mailDelivery()}
	d.Undeliverable = a.cfg.SMTPURL == "" && a.cfg.IsProduction()
	for _, r := range rows {
		d.Rows = append(d.Rows, adminviews.MailRow{
			ID: r.ID, Status: r.Status, Kind: r.Kind, To: r.ToAddress, Subject: r.Subject,
			Created: r.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), Attempts: r.Attempts,
			NextAttempt: r.NextAttemptAt.UTC().Format("15:04:05 MST"), LastError: r.LastError,
		})
	}
	return a.render(c, http.StatusOK, adminviews.Mail(a.page(c, "Mail"), d))
}

// mailDelivery says where mail goes, for the mail page.
func (a *Application) mailDelivery() string {
	switch {
	case a.cfg.SMTPURL != "":
		host := "the SMTP server"
		if u, err := url.Parse(a.cfg.SMTPURL); err == nil {
			host += " " + u.Hostname() // never the password
		}
		return host
	case a.cfg.IsProduction():
		return "nowhere yet"
	}
	return "the development mail viewer at " + paths.DevMail
}

// adminMailTestPost enqueues a test mail to the signed-in administrator.
// The route is for administrators only (routes.go) and CSRF-checked.
func (a *Application) adminMailTestPost(c echo.Context) error {
	v, ctx := viewer(c), c.Request().Context()
	d := mailviews.Test{Name: v.FullName, AppName: a.cfg.AppName, BaseURL: a.cfg.BaseURL}
	to := mail.Address{Email: v.User.Email, Name: v.FullName}
	m, err := mail.Compose(ctx, "test", to, "Test mail from "+a.cfg.AppName, mailviews.TestText(d), mailviews.TestHTML(d))
	if err != nil {
		return err
	}
	// One test mail per administrator and second, so a double click does
	// not send two.
	m.DedupeKey = "test:" + v.User.Email + ":" + time.Now().UTC().Format(time.DateTime)
	if err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return mail.Enqueue(ctx, tx, m) }); err != nil {
		return err
	}
	a.flash(c, layouts.FlashSuccess, "Test mail queued for "+v.User.Email+": it goes to "+a.mailDelivery()+" within a few seconds.")
	return c.Redirect(http.StatusSeeOther, paths.AdminMail)
}
