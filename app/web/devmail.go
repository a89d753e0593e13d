package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/paths"
	devmailviews "github.com/company-expenses/company-expenses/views/devmail"
)

// devMailRoutes adds the development mail viewer: in development without
// SMTP_URL, where mail is kept instead of sent. Elsewhere the routes do not
// exist and answer 404. It needs no sign-in, like a mail catcher: the mail
// that helps someone who cannot sign in (a password reset) must be readable.
func (a *Application) devMailRoutes(g *echo.Group) {
	if a.cfg.IsProduction() || a.cfg.SMTPURL != "" {
		return
	}
	g.GET(paths.DevMail, a.devMail)
	g.GET(paths.DevMailMessagePattern, a.devMailMessage)
}

func (a *Application) devMail(c echo.Context) error {
	kept, err := mail.NewOutbox(a.db).Kept(c.Request().Context(), 200)
	if err != nil {
		return err
	}
	rows := make([]devmailviews.Row, 0, len(kept))
	for _, m := range kept {
		rows = append(rows, devmailviews.Row{
			URL: paths.DevMailMessage(m.ID), To: recipient(m.ToName, m.ToAddress),
			Subject: m.Subject, Kind: m.Kind, Sent: m.SentAt.UTC().Format("2006-01-02 15:04:05 MST"),
		})
	}
	return a.render(c, http.StatusOK, devmailviews.List(a.page(c, "Development mail"), rows))
}

func (a *Application) devMailMessage(c echo.Context) error {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.ErrNotFound
	}
	m, err := mail.NewOutbox(a.db).KeptMessage(c.Request().Context(), uint(id))
	if errors.Is(err, mail.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, devmailviews.Show(a.page(c, m.Subject), devmailviews.Message{
		To: recipient(m.ToName, m.ToAddress), From: a.cfg.MailFrom, Subject: m.Subject, Kind: m.Kind,
		Sent: m.SentAt.UTC().Format("2006-01-02 15:04:05 MST"), Text: m.TextBody, HTML: m.HTMLBody,
	}))
}

func recipient(name, address string) string {
	if name == "" {
		return address
	}
	return name + " <" + address + ">"
}
