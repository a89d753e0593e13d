// Package notify mails the people an expense concerns when it moves on
// (issue: a manager is never told that an expense waits): the manager when
// a report submits one, gathered into one digest per manager (mail.EnqueueDigest,
// DigestWait), and the employee when theirs is approved, rejected (with the
// comment) or reimbursed. Every mail goes through the outbox in the
// transaction of the change, links to the expense by its deep link, and is
// sent only to people whose notifications are on (their profile) and who are
// active.
package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/mail"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/models"
	views "github.com/company-expenses/company-expenses/views/expenses"
)

// DigestWait is how long a manager's digest gathers submissions before it
// goes out: long enough for a batch of receipts typed in one sitting, short
// enough that the manager hears of it the same hour.
const DigestWait = 5 * time.Minute

// digestLines is how many waiting expenses a digest lists by name.
const digestLines = 10

// Mailer writes the notification mails.
type Mailer struct {
	baseURL, appName string
	wait             time.Duration
}

// New returns a Mailer whose links start with baseURL (the app's BASE_URL).
func New(baseURL, appName string) *Mailer {
	return &Mailer{baseURL: baseURL, appName: appName, wait: DigestWait}
}

// WithDigestWait returns a copy that gathers for wait instead (tests).
func (m *Mailer) WithDigestWait(wait time.Duration) *Mailer {
	c := *m
	c.wait = wait
	return &c
}

// Changed is the expenses service's hook (expenses.Service.WithNotifier):
// it runs in the transaction of every change, after the change is written.
func (m *Mailer) Changed(ctx context.Context, tx *gorm.DB, e *models.Expense, ev models.ExpenseEvent) error {
	switch ev.Action {
	case models.EventSubmitted:
		return m.submitted(ctx, tx, e)
	case models.EventApproved, models.EventRejected, models.EventReimbursed:
		return m.decided(ctx, tx, e, ev)
	}
	return nil
}

func (m *Mailer) submitted(ctx context.Context, tx *gorm.DB, e *models.Expense) error {
	var owner models.Employee
	if err := tx.Preload("Manager.User").Where("user_id = ?", e.EmployeeID).Take(&owner).Error; err != nil {
		return fmt.Errorf("notify: load the employee of expense %d: %w", e.ID, err)
	}
	mgr := owner.Manager
	if mgr == nil || !mgr.User.Active || !mgr.User.MailNotifications {
		return nil
	}
	// The digest lists what waits for the manager now, so that a rewrite
	// of a pending digest is always the whole picture.
	var waiting []models.Expense
	q := tx.Model(&models.Expense{}).Joins("JOIN employees ON employees.user_id = expenses.employee_id").
		Where("employees.manager_id = ? AND expenses.status = ?", mgr.UserID, models.StatusSubmitted)
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return err
	}
	if err := q.Session(&gorm.Session{}).Preload("Employee").Order("expenses.id DESC").Limit(digestLines).Find(&waiting).Error; err != nil {
		return err
	}
	if total == 0 {
		return nil
	}
	d := views.WaitingMail{Name: mgr.DisplayName(), AppName: m.appName, More: int(total) - len(waiting),
		QueueLink: m.baseURL + expensepaths.Approvals, ProfileURL: m.baseURL + paths.Profile}
	for _, w := range waiting {
		d.Lines = append(d.Lines, views.MailLine{What: describe(&w) + " from " + w.Employee.DisplayName(), Link: m.link(w.ID)})
	}
	subject := "An expense waits for your approval"
	if total > 1 {
		subject = strconv.FormatInt(total, 10) + " expenses wait for your approval"
	}
	msg, err := mail.Compose(ctx, "expense-waiting", mail.Address{Email: mgr.User.Email, Name: mgr.DisplayName()}, subject,
		views.WaitingText(d), views.WaitingHTML(d))
	if err != nil {
		return err
	}
	return mail.EnqueueDigest(ctx, tx, "expenses-waiting:"+strconv.FormatUint(uint64(mgr.UserID), 10), m.wait, msg)
}

func (m *Mailer) decided(ctx context.Context, tx *gorm.DB, e *models.Expense, ev models.ExpenseEvent) error {
	var owner, actor models.Employee
	if err := tx.Preload("User").Where("user_id = ?", e.EmployeeID).Take(&owner).Error; err != nil {
		return fmt.Errorf("notify: load the employee of expense %d: %w", e.ID, err)
	}
	if !owner.User.Active || !owner.User.MailNotifications || ev.ActorID == owner.UserID {
		return nil
	}
	err := tx.Where("user_id = ?", ev.ActorID).Take(&actor).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	by := actor.DisplayName()
	if by == "" {
		by = "someone"
	}
	d := views.DecidedMail{Name: owner.DisplayName(), AppName: m.appName, What: describe(e), Outcome: string(ev.Action),
		By: by, Comment: ev.Comment, Link: m.link(e.ID), ProfileURL: m.baseURL + paths.Profile}
	subject := "Your expense " + describe(e) + " was " + string(ev.Action)
	msg, err := mail.Compose(ctx, "expense-"+string(ev.Action), mail.Address{Email: owner.User.Email, Name: owner.DisplayName()}, subject,
		views.DecidedText(d), views.DecidedHTML(d))
	if err != nil {
		return err
	}
	return mail.Enqueue(ctx, tx, msg)
}

func (m *Mailer) link(id uint) string { return m.baseURL + expensepaths.Expense(id) }

// describe names an expense in a mail: "€42.50 at Trattoria Roma".
func describe(e *models.Expense) string {
	return expenses.FormatAmount(e.AmountMinor, e.Currency) + " at " + e.Merchant
}
