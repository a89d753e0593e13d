package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/mail/mailtest"
	"github.com/company-expenses/company-expenses/models"
)

// outboxTo lists the outbox's mails of kind to address, oldest first.
func outboxTo(t *testing.T, w *world, kind, address string) []models.OutboxMessage {
	t.Helper()
	var rows []models.OutboxMessage
	if err := w.DB.Where("kind = ? AND to_address = ?", kind, address).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// When a report submits expenses, their manager gets one mail listing what
// waits, with each expense's deep link, rather than a mail per expense;
// with notifications off, nothing.
func TestSubmittingExpensesPutsOneDigestForTheManagerInTheOutbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	emp := w.browser(t, employee)
	submit := func() *models.Expense {
		t.Helper()
		e := w.expense(t, employee, models.StatusDraft)
		if res := post(t, emp, expensepaths.ExpenseAction(e.ID, expensepaths.ActionSubmit), e.Version, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d", res.StatusCode)
		}
		return e
	}

	if err := w.DB.Model(&models.User{}).Where("email = ?", manager).Update("mail_notifications", false).Error; err != nil {
		t.Fatal(err)
	}
	submit()
	if n := len(outboxTo(t, w, "expense-waiting", manager)); n != 0 {
		t.Fatalf("%d mails for a manager who turned notifications off", n)
	}
	if err := w.DB.Model(&models.User{}).Where("email = ?", manager).Update("mail_notifications", true).Error; err != nil {
		t.Fatal(err)
	}

	var ids []uint
	for range 3 {
		ids = append(ids, submit().ID)
	}
	rows := outboxTo(t, w, "expense-waiting", manager)
	if len(rows) != 1 {
		t.Fatalf("%d mails for the manager after three submissions, want one digest", len(rows))
	}
	m := rows[0]
	if !strings.HasSuffix(m.Subject, "expenses wait for your approval") || !strings.HasPrefix(m.TextBody, "Hello Marcus") {
		t.Errorf("digest subject %q, text %q", m.Subject, m.TextBody)
	}
	for _, id := range ids {
		if link := expensepaths.Expense(id); !strings.Contains(m.TextBody, link) || !strings.Contains(m.HTMLBody, link) {
			t.Errorf("the digest has no deep link %s", link)
		}
	}
	if !m.NextAttemptAt.After(m.CreatedAt) {
		t.Error("the digest is due at once: it should gather for a while first")
	}
}

// The employee hears of an approval, and of a rejection with the
// manager's comment, each with the expense's deep link.
func TestApprovedAndRejectedExpensesMailTheEmployeeWithTheComment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	mgr := w.browser(t, manager)
	approved := w.expense(t, employee, models.StatusSubmitted)
	rejected := w.expense(t, employee, models.StatusSubmitted)
	if res := post(t, mgr, expensepaths.ExpenseAction(approved.ID, expensepaths.ActionApprove), approved.Version, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	comment := "The receipt shows a different date."
	if res := post(t, mgr, expensepaths.ExpenseAction(rejected.ID, expensepaths.ActionReject), rejected.Version, url.Values{"comment": {comment}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", res.StatusCode)
	}
	ok := outboxTo(t, w, "expense-approved", employee)
	no := outboxTo(t, w, "expense-rejected", employee)
	if len(ok) != 1 || !strings.Contains(ok[0].TextBody, expensepaths.Expense(approved.ID)) || !strings.Contains(ok[0].Subject, "approved") {
		t.Errorf("approval mails %+v, want one with the deep link", ok)
	}
	if len(no) != 1 || !strings.Contains(no[0].TextBody, comment) || !strings.Contains(no[0].TextBody, expensepaths.Expense(rejected.ID)) {
		t.Errorf("rejection mails %+v, want one with the comment and the deep link", no)
	}
}

// With SMTP_URL pointing at a real SMTP server (Mailpit), the manager's
// digest arrives there once its gathering wait is over.
func TestTheManagersDigestArrivesInMailpit(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.Options{})
	srv := demoApp(t, apptest.Options{Env: map[string]string{"SMTP_URL": mp.SMTPURL(), "MAIL_FROM": "Expenses <expenses@example.com>"}})
	w := &world{Server: srv, svc: expenses.NewService(srv.DB), ppl: srv.App.Web.People(), ctx: context.Background()}
	cats, err := expenses.EnsureCategories(w.ctx, srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	w.cats = cats
	e := w.expense(t, employee, models.StatusDraft)
	if res := post(t, w.browser(t, employee), expensepaths.ExpenseAction(e.ID, expensepaths.ActionSubmit), e.Version, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	// The wait is over (as DigestWait later).
	if err := srv.DB.Model(&models.OutboxMessage{}).Where("kind = ?", "expense-waiting").Update("next_attempt_at", time.Now().UTC().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Mailer.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	var digest *mailtest.Message
	for _, m := range mp.Messages() {
		if len(m.To) == 1 && m.To[0].Address == manager {
			digest = &m
		}
	}
	if digest == nil || !strings.Contains(digest.Text, expensepaths.Expense(e.ID)) || !strings.Contains(digest.Subject, "wait for your approval") {
		t.Fatalf("Mailpit has no digest for the manager with the expense's link: %+v", mp.Messages())
	}
}
