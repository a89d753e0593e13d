package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/textcheck"
	"github.com/company-expenses/company-expenses/models"
)

// The app's rule for free text (app/textcheck) on each form that takes
// some: the message is at the field, the other input is kept, nothing is
// written.

func TestExpenseFormRefusesBidiOverridesAndInvisibleTextAtTheFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	good := w.draft("unused")
	before := w.count(t, "expenses")
	res := b.PostForm(expensepaths.Expenses, url.Values{
		"_csrf": {b.CSRF(expensepaths.ExpensesNew)}, "spent_on": {good.SpentOn}, "category_id": {good.CategoryID},
		"amount": {"-1"}, "currency": {"EUR"}, "merchant": {"Taxi \u202E001$"},
		"description": {"\u200b\u200b"}, "intent": {"submit"},
	})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-merchant-error").Text(); msg != textcheck.MsgBidi {
		t.Errorf("message beside merchant = %q, want %q", msg, textcheck.MsgBidi)
	}
	if msg := doc.Find("#f-description-error").Text(); msg != textcheck.MsgInvisible {
		t.Errorf("message beside description = %q, want %q", msg, textcheck.MsgInvisible)
	}
	// The service's own messages come too, so every problem shows at once.
	if msg := doc.Find("#f-amount-error").Text(); !strings.Contains(msg, "more than zero") {
		t.Errorf("message beside amount = %q, want the service's check as well", msg)
	}
	if v := doc.Find(`input[name="merchant"]`).AttrOr("value", ""); v != "Taxi \u202E001$" {
		t.Errorf("merchant not kept: %q", v)
	}
	if w.count(t, "expenses") != before {
		t.Error("an expense was written")
	}
}

func TestDecisionCommentWithABidiOverrideIsRefusedAtTheCommentField(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	comment := "Fine \u2066but\u2069 no"
	res := post(t, b, expensepaths.ExpenseAction(e.ID, expensepaths.ActionReject), e.Version, url.Values{"comment": {comment}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-comment-error").Text(); msg != textcheck.MsgBidi {
		t.Errorf("message beside comment = %q, want %q", msg, textcheck.MsgBidi)
	}
	if v := doc.Find(`textarea[name="comment"]`).Text(); v != comment {
		t.Errorf("comment not kept: %q", v)
	}
	if after := w.stored(t, e.ID); after.Status != models.StatusSubmitted {
		t.Errorf("status %q, want still submitted", after.Status)
	}
}

func TestCategoryNameOfOnlyInvisibleCharactersIsRefusedAtTheField(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, admin)
	res := b.Submit(expensepaths.AdminCategories, `form[action="`+expensepaths.AdminCategories+`"]`, url.Values{"name": {"\u200b\ufeff"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	if msg := res.Doc(t).Find("#f-name-error").Text(); msg != textcheck.MsgInvisible {
		t.Errorf("message beside name = %q, want %q", msg, textcheck.MsgInvisible)
	}
	var n int64
	w.DB.Model(&models.Category{}).Where("name = ?", "\u200b\ufeff").Count(&n)
	if n != 0 {
		t.Error("the invisible category was created")
	}
}
