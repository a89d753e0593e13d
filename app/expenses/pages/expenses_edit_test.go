package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
)

// TestSaveAndSubmitOnTheEditFormIsAllOrNothing: when the submission is
// refused (here the person lost their manager after opening the form),
// the changes are not saved either; once it is allowed, the changes and the
// submission are written together.
func TestSaveAndSubmitOnTheEditFormIsAllOrNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusDraft)
	me := w.person(t, employee)
	b := w.browser(t, employee)
	page := b.Get(expensepaths.ExpenseEdit(e.ID))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("edit form: status %d", page.StatusCode)
	}
	d := expenses.DraftOf(e)
	form := url.Values{"spent_on": {d.SpentOn}, "category_id": {d.CategoryID}, "currency": {"EUR"}, "amount": {"66.00"},
		"merchant": {"Changed merchant"}, "description": {d.Description}, "intent": {"submit"}}
	events := func() int64 {
		var n int64
		w.DB.Model(&models.ExpenseEvent{}).Where("expense_id = ?", e.ID).Count(&n)
		return n
	}
	eventsBefore := events()

	w.DB.Model(&models.Employee{}).Where("user_id = ?", me.UserID).Update("manager_id", nil)
	res := b.SubmitOn(page, `form[data-testid="expense-form"]`, form)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("refused submission: status %d, want 403", res.StatusCode)
	}
	if msg := res.Doc(t).Find(`[data-testid="error-page"]`).Text(); !strings.Contains(msg, "no manager") {
		t.Errorf("403 page does not say why: %q", msg)
	}
	after := w.stored(t, e.ID)
	if after.Merchant != e.Merchant || after.AmountMinor != e.AmountMinor || after.Version != e.Version || after.Status != models.StatusDraft {
		t.Errorf("the refused save and submit changed the draft: %q %d v%d %s", after.Merchant, after.AmountMinor, after.Version, after.Status)
	}
	if n := events(); n != eventsBefore {
		t.Errorf("the refused save and submit wrote %d history entries", n-eventsBefore)
	}

	w.DB.Model(&models.Employee{}).Where("user_id = ?", me.UserID).Update("manager_id", *me.ManagerID)
	res = b.SubmitOn(page, `form[data-testid="expense-form"]`, form)
	if res.StatusCode != http.StatusSeeOther || res.Location() != expensepaths.Expense(e.ID) {
		t.Fatalf("save and submit: status %d, location %q", res.StatusCode, res.Location())
	}
	after = w.stored(t, e.ID)
	if after.Merchant != "Changed merchant" || after.AmountMinor != 6600 || after.Version != e.Version+2 || after.Status != models.StatusSubmitted {
		t.Errorf("after save and submit: %q %d v%d %s", after.Merchant, after.AmountMinor, after.Version, after.Status)
	}
	if n := events(); n != eventsBefore+2 {
		t.Errorf("save and submit wrote %d history entries, want 2 (edited, submitted)", n-eventsBefore)
	}
	if f := flashes(b.Follow(res.Location()).Doc(t), "success"); !strings.Contains(f, "Submitted") {
		t.Errorf("no submission confirmation: %q", f)
	}
}
