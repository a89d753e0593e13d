package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/mail/mailtest"
	"github.com/company-expenses/company-expenses/app/paths"
)

func sendOutbox(t *testing.T, srv *apptest.Server) {
	t.Helper()
	if srv.App.Mailer == nil {
		t.Fatal("the app has no mail worker")
	}
	if _, err := srv.App.Mailer.SendDue(context.Background()); err != nil {
		t.Fatalf("SendDue: %v", err)
	}
}

func TestAdminMailListsAPermanentFailureWithTheServersReply(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{AllowedRecipients: `@example\.com$`})
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"SMTP_URL": mp.SMTPURL()}})
	err := mail.Enqueue(context.Background(), srv.DB, mail.Message{
		To: mail.Address{Email: "someone@refused.test"}, Subject: "Welcome", Text: "Hello", Kind: "welcome",
	})
	if err != nil {
		t.Fatal(err)
	}
	sendOutbox(t, srv)

	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	res := admin.Get(paths.AdminMail)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", paths.AdminMail, res.StatusCode)
	}
	row := res.Doc(t).Find(`[data-testid="mail-row"][data-status="failed"]`)
	if row.Length() != 1 {
		t.Fatalf("%d failed rows on the mail page, want 1", row.Length())
	}
	if to := row.Find(`[data-testid="mail-to"]`).Text(); to != "someone@refused.test" {
		t.Errorf("to %q", to)
	}
	if e := row.Find(`[data-testid="mail-error"]`).Text(); !strings.Contains(e, "55") {
		t.Errorf("last error %q, want the server's 5xx reply", e)
	}

	employee := srv.Browser(t)
	employee.Login("employee@example.com", apptest.DemoPassword)
	if res := employee.Get(paths.AdminMail); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an employee on the mail page: %d, want 403", res.StatusCode)
	}
}

func TestAdminTestMailButtonSendsToTheSignedInAdministratorThroughSMTP(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"SMTP_URL": mp.SMTPURL(), "MAIL_FROM": "Expenses <expenses@example.com>"}})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	if res := admin.Submit(paths.AdminMail, `[data-testid="send-test-mail"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("test mail button: %d", res.StatusCode)
	}
	sendOutbox(t, srv)
	got := mp.Messages()
	if len(got) != 1 {
		t.Fatalf("Mailpit received %d messages, want 1", len(got))
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0].Address != "admin@example.com" || m.To[0].Name != "Adam Brooks" || m.From.Address != "expenses@example.com" {
		t.Fatalf("received %+v", m)
	}
	if !strings.Contains(m.Text, "Hello Adam Brooks,") || !strings.Contains(m.HTML, "<strong>test mail</strong>") {
		t.Fatalf("parts: %q / %q", m.Text, m.HTML)
	}

	employee := srv.Browser(t)
	employee.Login("employee@example.com", apptest.DemoPassword)
	tok := employee.CSRF(paths.Profile)
	if res := employee.PostForm(paths.AdminMailTest, map[string][]string{"_csrf": {tok}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an employee posting a test mail: %d, want 403", res.StatusCode)
	}
}

func TestDevMailListsAndShowsAMessageInDevelopment(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	admin.Submit(paths.AdminMail, `[data-testid="send-test-mail"]`, nil)
	sendOutbox(t, srv)

	// No sign-in needed, like a mail catcher: a password-reset mail must be
	// readable by someone who cannot sign in.
	visitor := srv.Browser(t)
	list := visitor.Get(paths.DevMail)
	if list.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", paths.DevMail, list.StatusCode)
	}
	link := list.Doc(t).Find(`[data-testid="dev-mail-row"] a[data-testid="dev-mail-subject"]`)
	if link.Length() != 1 || link.Text() != "Test mail from Company Expenses" {
		t.Fatalf("dev mail list: %d rows, subject %q", link.Length(), link.Text())
	}
	if to := list.Doc(t).Find(`[data-testid="dev-mail-to"]`).Text(); to != "Adam Brooks <admin@example.com>" {
		t.Errorf("to %q", to)
	}
	show := visitor.Get(link.AttrOr("href", ""))
	if show.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", link.AttrOr("href", ""), show.StatusCode)
	}
	doc := show.Doc(t)
	if text := doc.Find(`[data-testid="dev-mail-text"]`).Text(); !strings.HasPrefix(text, "Hello Adam Brooks,\n\n") {
		t.Errorf("plain text %q", text)
	}
	frame := doc.Find(`iframe[data-testid="dev-mail-html"]`)
	if sandbox, ok := frame.Attr("sandbox"); !ok || sandbox != "" {
		t.Errorf("HTML frame sandbox=%q (present %v), want an empty sandbox (no scripts, no same origin)", sandbox, ok)
	}
	if src := frame.AttrOr("srcdoc", ""); !strings.Contains(src, "<strong>test mail</strong>") {
		t.Errorf("HTML frame srcdoc %q", src)
	}
	if res := visitor.Get(paths.DevMailMessage(9999)); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown mail: %d, want 404", res.StatusCode)
	}
}

func TestDevMailAnswers404InProductionAndWhenSMTPIsConfigured(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"production": {
			"APP_ENV": "production", "BASE_URL": "https://expenses.example.com",
			"SESSION_SECRET":   "a-production-secret-that-is-long-enough-0123456789",
			"BOOTSTRAP_ADMINS": "it@example.com", "BOOTSTRAP_ADMIN_PASSWORD": "a-long-enough-password",
		},
		"development with SMTP_URL": {"SMTP_URL": "smtp://127.0.0.1:1"},
	} {
		srv := apptest.New(t, apptest.Options{NoSeed: true, Env: env})
		for _, p := range []string{paths.DevMail, paths.DevMailMessage(1)} {
			if res := srv.Browser(t).Get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: GET %s = %d, want 404", name, p, res.StatusCode)
			}
		}
	}
}

// keptDevMail puts one mail into the development viewer and returns its
// page, for the walk over every GET page.
func keptDevMail(t *testing.T, srv *apptest.Server) string {
	t.Helper()
	err := mail.Enqueue(context.Background(), srv.DB, mail.Message{
		To: mail.Address{Email: "ada@example.com"}, Subject: "Walk", Text: "Hello", Kind: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	sendOutbox(t, srv)
	var id uint
	srv.DB.Raw("SELECT MAX(id) FROM outbox_messages WHERE transport = 'dev'").Scan(&id)
	return paths.DevMailMessage(id)
}
