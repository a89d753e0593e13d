package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/mail/mailtest"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/models"
)

const newPassword = "a long new password for Emily"

// devMailLink opens the newest kept mail to email at /dev/mail, as a
// visitor who cannot sign in, and returns the path of the link to
// linkPath in its plain-text part.
func devMailLink(t *testing.T, srv *apptest.Server, email, subject, linkPath string) string {
	t.Helper()
	visitor := srv.Browser(t)
	var href string
	visitor.Get(paths.DevMail).Doc(t).Find(`[data-testid="dev-mail-row"]`).EachWithBreak(func(_ int, row *goquery.Selection) bool {
		if strings.Contains(row.Find(`[data-testid="dev-mail-to"]`).Text(), email) &&
			row.Find(`[data-testid="dev-mail-subject"]`).Text() == subject {
			href = row.Find(`a[data-testid="dev-mail-subject"]`).AttrOr("href", "")
			return false
		}
		return true
	})
	if href == "" {
		t.Fatalf("no mail %q to %s at %s", subject, email, paths.DevMail)
	}
	text := visitor.Get(href).Doc(t).Find(`[data-testid="dev-mail-text"]`).Text()
	return linkInText(t, srv, text, linkPath)
}

// linkInText finds the absolute link to linkPath in a mail's text and
// returns it as a path on srv.
func linkInText(t *testing.T, srv *apptest.Server, text, linkPath string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, srv.URL+linkPath+"?token=")
	if !ok {
		t.Fatalf("no link to %s%s in the mail:\n%s", srv.URL, linkPath, text)
	}
	return linkPath + "?token=" + strings.Fields(after)[0]
}

func requestReset(t *testing.T, b *apptest.Browser, email string) *apptest.Response {
	t.Helper()
	res := b.Submit(paths.ForgotPassword, `form[action="/password/forgot"]`, url.Values{"email": {email}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("forgot password for %s: %d", email, res.StatusCode)
	}
	return res
}

func TestForgotPasswordForTheEmployeeShowsTheResetMailAtDevMailAndItsLinkSetsANewPasswordAndEndsOldSessions(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	// Emily is signed in on two other browsers (her laptop, a stolen phone).
	laptop, phone := srv.Browser(t), srv.Browser(t)
	laptop.Login("employee@example.com", apptest.DemoPassword)
	phone.Login("employee@example.com", apptest.DemoPassword)

	b := srv.Browser(t)
	forgot := b.Get(paths.Login).Doc(t).Find(`a[data-testid="forgot-password-link"]`).AttrOr("href", "")
	if forgot != paths.ForgotPassword {
		t.Fatalf("the sign-in page's Forgot password? link goes to %q", forgot)
	}
	sent := requestReset(t, b, "employee@example.com")
	if msg := sent.Doc(t).Find(`[data-testid="reset-sent"]`).Text(); !strings.Contains(msg, "If an account exists for that address, we sent a link") {
		t.Fatalf("answer %q", msg)
	}
	sendOutbox(t, srv)
	link := devMailLink(t, srv, "employee@example.com", "Reset your password for Company Expenses", paths.PasswordReset)

	page := b.Get(link)
	if page.StatusCode != http.StatusOK || page.Doc(t).Find(`[data-testid="set-password"]`).Length() != 1 {
		t.Fatalf("GET the mail's link: %d", page.StatusCode)
	}
	// A common password is refused at the field, the link still works.
	res := b.SubmitOn(page, `form[action="/password/reset"]`, url.Values{"new": {"password123"}, "confirm": {"password123"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a common password: %d, want 422", res.StatusCode)
	}
	if msg := res.Doc(t).Find(`#f-new-error`).Text(); !strings.Contains(msg, "too common") {
		t.Fatalf("message at the new password: %q", msg)
	}
	res = b.SubmitOn(res, `form[action="/password/reset"]`, url.Values{"new": {newPassword}, "confirm": {newPassword}})
	if res.StatusCode != http.StatusSeeOther || res.Location() != paths.Login {
		t.Fatalf("setting the new password: %d to %q, want 303 to the sign-in page", res.StatusCode, res.Location())
	}
	if flash := b.Get(paths.Login).Doc(t).Find(".flashes").Text(); !strings.Contains(flash, "Your password has been changed") {
		t.Fatalf("sign-in page after the reset says %q", flash)
	}

	for name, old := range map[string]*apptest.Browser{"laptop": laptop, "phone": phone} {
		if res := old.Get(paths.Profile); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), paths.Login) {
			t.Errorf("the %s's old session still works after the reset: %d", name, res.StatusCode)
		}
	}
	if res := srv.Browser(t).Submit(paths.Login, `form[action="/login"]`, url.Values{"email": {"employee@example.com"}, "password": {apptest.DemoPassword}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password after the reset: %d, want 401", res.StatusCode)
	}
	b.Login("employee@example.com", newPassword)
	if res := b.Get(link); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "no longer valid") {
		t.Fatalf("the used link again: %d", res.StatusCode)
	}
	sendOutbox(t, srv)
	devMailHas(t, srv, "employee@example.com", "Your Company Expenses password was changed")
}

func devMailHas(t *testing.T, srv *apptest.Server, email, subject string) {
	t.Helper()
	found := false
	srv.Browser(t).Get(paths.DevMail).Doc(t).Find(`[data-testid="dev-mail-row"]`).Each(func(_ int, row *goquery.Selection) {
		found = found || (strings.Contains(row.Find(`[data-testid="dev-mail-to"]`).Text(), email) &&
			row.Find(`[data-testid="dev-mail-subject"]`).Text() == subject)
	})
	if !found {
		t.Fatalf("no mail %q to %s at %s", subject, email, paths.DevMail)
	}
}

func TestForgotPasswordAnswersTheSameForLocalSSOOnlyDeactivatedAndUnknownAddresses(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	sso := models.NewLocalEmployee("sam.sso@example.com", "Sam SSO")
	sso.IsLocalUser = false
	if err := models.CreateEmployee(srv.DB, sso); err != nil {
		t.Fatal(err)
	}
	srv.DB.Model(&models.User{}).Where("email = ?", "noah.kim@example.com").Update("active", false)

	answer := func(email string) string {
		res := requestReset(t, srv.Browser(t), email)
		return strings.ReplaceAll(res.Doc(t).Find(`[data-testid="forgot-password"]`).Text(), email, "ADDRESS")
	}
	want := answer("employee@example.com")
	for _, email := range []string{"sam.sso@example.com", "noah.kim@example.com", "nobody@example.com"} {
		if got := answer(email); got != want {
			t.Errorf("%s gets another answer:\n%s\nthan a local account:\n%s", email, got, want)
		}
	}
	var kinds []string
	srv.DB.Table("outbox_messages").Order("id").Pluck("kind", &kinds)
	if strings.Join(kinds, ",") != "password-reset,password-reset-sso" {
		t.Fatalf("mails %v, want a reset link for Emily and an SSO notice for Sam only", kinds)
	}
}

func TestExpiredAndReplacedResetLinksShowAPageWithALinkToAskAgain(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	requestReset(t, b, "employee@example.com")
	sendOutbox(t, srv)
	first := devMailLink(t, srv, "employee@example.com", "Reset your password for Company Expenses", paths.PasswordReset)
	requestReset(t, b, "employee@example.com")
	sendOutbox(t, srv)
	second := devMailLink(t, srv, "employee@example.com", "Reset your password for Company Expenses", paths.PasswordReset)
	if first == second {
		t.Fatal("the second request mailed the same link")
	}
	check := func(link, heading string) {
		t.Helper()
		res := b.Get(link)
		doc := res.Doc(t)
		if res.StatusCode != http.StatusGone || !strings.Contains(doc.Find("h1").Text(), heading) {
			t.Fatalf("GET %s: %d %q, want 410 %q", link, res.StatusCode, doc.Find("h1").Text(), heading)
		}
		if href := doc.Find(`[data-testid="link-invalid-action"]`).AttrOr("href", ""); href != paths.ForgotPassword {
			t.Fatalf("the page's way on is %q, want %s", href, paths.ForgotPassword)
		}
	}
	check(first, "This link is no longer valid")
	if res := b.Get(second); res.StatusCode != http.StatusOK {
		t.Fatalf("the newest link: %d", res.StatusCode)
	}
	srv.DB.Exec("UPDATE account_links SET expires_at = ?", "2000-01-01 00:00:00")
	check(second, "This link has expired")
}

func TestResetMailArrivesInMailpitAndItsLinkSetsTheNewPassword(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	srv := apptest.New(t, apptest.Options{Env: map[string]string{"SMTP_URL": mp.SMTPURL(), "MAIL_FROM": "Expenses <expenses@example.com>"}})
	b := srv.Browser(t)
	requestReset(t, b, "employee@example.com")
	if _, err := srv.App.Mailer.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := mp.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0].Address != "employee@example.com" || got[0].To[0].Name != "Emily Carter" {
		t.Fatalf("Mailpit received %+v", got)
	}
	if !strings.Contains(got[0].HTML, "Choose a new password") || !strings.Contains(got[0].Text, "Hello Emily Carter,") {
		t.Fatalf("parts %q / %q", got[0].Text, got[0].HTML)
	}
	link := linkInText(t, srv, got[0].Text, paths.PasswordReset)
	res := b.Submit(link, `form[action="/password/reset"]`, url.Values{"new": {newPassword}, "confirm": {newPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting the password from the Mailpit link: %d", res.StatusCode)
	}
	b.Login("employee@example.com", newPassword)
}
