package pages_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/models"
)

func TestBadExpenseInputIsShownBesideTheFieldsWithTheInputKeptAndNothingWritten(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	good := w.draft("Kept Merchant")
	tomorrowPlus := time.Now().UTC().AddDate(0, 0, 3).Format(expenses.DateLayout)
	tests := []struct {
		name  string
		field string // the form field, and the key of the change
		value string
		want  string // part of the message beside the field
	}{
		{"negative amount", "amount", "-12.00", "more than zero"},
		{"zero amount", "amount", "0", "more than zero"},
		{"amount that is not a number", "amount", "twelve", "as a number"},
		{"absurd amount", "amount", "99999999", "cannot be more than"},
		{"too many decimals", "amount", "12.345", "at most 2 decimals"},
		{"decimal comma", "amount", "12,50", "Use a dot"},
		{"date in the future", "spent_on", tomorrowPlus, "future"},
		{"date that is not a date", "spent_on", "31/02/2026", "YYYY-MM-DD"},
		{"unknown category", "category_id", "999999", "Choose one of the categories"},
		{"deactivated category", "category_id", idString(w.cats["Telephone"].ID), "no longer in use"},
		{"missing merchant", "merchant", "  ", "Enter the merchant"},
		{"unsupported currency", "currency", "XYZ", "supported currencies"},
	}
	// Telephone is the category the demo retires; retire it here too.
	w.DB.Model(&models.Category{}).Where("id = ?", w.cats["Telephone"].ID).Update("active", false)
	before := w.count(t, "expenses")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{
				"_csrf": {b.CSRF(expensepaths.ExpensesNew)}, "spent_on": {good.SpentOn}, "category_id": {good.CategoryID},
				"amount": {"42.50"}, "currency": {"EUR"}, "merchant": {"Kept Merchant"},
				"description": {"Kept description"}, "intent": {"submit"},
			}
			form.Set(tt.field, tt.value)
			res := b.PostForm(expensepaths.Expenses, form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			if msg := doc.Find("#f-" + tt.field + "-error").Text(); !strings.Contains(msg, tt.want) {
				t.Errorf("message beside %s = %q, want it to say %q", tt.field, msg, tt.want)
			}
			if tt.field != "merchant" {
				if v := doc.Find(`input[name="merchant"]`).AttrOr("value", ""); v != "Kept Merchant" {
					t.Errorf("merchant not kept: %q", v)
				}
			}
			if tt.field != "amount" {
				if v := doc.Find(`input[name="amount"]`).AttrOr("value", ""); v != "42.50" {
					t.Errorf("amount not kept: %q", v)
				}
			} else if v := doc.Find(`input[name="amount"]`).AttrOr("value", ""); v != tt.value {
				t.Errorf("the wrong amount is not shown for correction: %q", v)
			}
			if v := doc.Find(`textarea[name="description"]`).Text(); v != "Kept description" {
				t.Errorf("description not kept: %q", v)
			}
			if tt.field != "category_id" {
				if v := doc.Find(`select[name="category_id"] option[selected]`).AttrOr("value", ""); v != good.CategoryID {
					t.Errorf("category not kept: %q", v)
				}
			}
		})
	}
	if after := w.count(t, "expenses"); after != before {
		t.Errorf("bad input wrote %d expenses", after-before)
	}
}

func TestEditingKeepsTheInputOnErrorsAndSavesValidChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusRejected)
	b := w.browser(t, employee)
	page := b.Get(expensepaths.ExpenseEdit(e.ID))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("edit form: status %d", page.StatusCode)
	}
	d := expenses.DraftOf(e)
	form := url.Values{"spent_on": {d.SpentOn}, "category_id": {d.CategoryID}, "currency": {"EUR"},
		"merchant": {"Corrected merchant"}, "description": {"Now with the right date"}, "intent": {"save"}, "amount": {"abc"}}
	res := b.SubmitOn(page, `form[data-testid="expense-form"]`, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if v := doc.Find(`input[name="merchant"]`).AttrOr("value", ""); v != "Corrected merchant" {
		t.Errorf("merchant not kept: %q", v)
	}
	if after := w.stored(t, e.ID); after.Merchant != e.Merchant || after.Version != e.Version {
		t.Error("an invalid edit changed the expense")
	}
	form.Set("amount", "55.00")
	form.Set("intent", "submit")
	res = b.SubmitOn(res, `form[data-testid="expense-form"]`, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	after := w.stored(t, e.ID)
	if after.Merchant != "Corrected merchant" || after.AmountMinor != 5500 || after.Status != models.StatusSubmitted {
		t.Errorf("after save and submit: %q %d %q", after.Merchant, after.AmountMinor, after.Status)
	}
}

func TestEditFormStillOffersTheExpensesOwnDeactivatedCategory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := w.draft(uniqueMerchant("Vodafone"))
	d.CategoryID = idString(w.cats["Telephone"].ID)
	// The demo retires Telephone; bring it back for the new expense.
	w.DB.Model(&models.Category{}).Where("id = ?", w.cats["Telephone"].ID).Update("active", true)
	e := w.expenseWith(t, employee, models.StatusDraft, d)
	w.DB.Model(&models.Category{}).Where("id = ?", w.cats["Telephone"].ID).Update("active", false)
	b := w.browser(t, employee)
	edit := b.Get(expensepaths.ExpenseEdit(e.ID)).Doc(t)
	if sel := edit.Find(`select[name="category_id"] option[selected]`); sel.AttrOr("value", "") != d.CategoryID ||
		!strings.Contains(sel.Text(), "no longer in use") {
		t.Errorf("edit form: selected category %q %q", sel.AttrOr("value", ""), sel.Text())
	}
	fresh := b.Get(expensepaths.ExpensesNew).Doc(t)
	if fresh.Find(`select[name="category_id"] option[value="`+d.CategoryID+`"]`).Length() != 0 {
		t.Error("the new-expense form offers a deactivated category")
	}
}

func TestReceiptUploadAcceptsARealPNGAndServesItBackPrivately(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	img := pngBytes(t)
	merchant := uniqueMerchant("Receipt shop")
	d := w.draft(merchant)
	res := multipartPost(t, b, w.URL, expensepaths.Expenses, url.Values{
		"_csrf": {b.CSRF(expensepaths.ExpensesNew)}, "spent_on": {d.SpentOn}, "category_id": {d.CategoryID},
		"amount": {"19.99"}, "currency": {"EUR"}, "merchant": {merchant}, "intent": {"save"},
	}, `C:\Users\emily\Pictures\Quittung "März".png`, img)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", res.StatusCode, res.Body)
	}
	var e models.Expense
	w.DB.Where("merchant = ?", merchant).Take(&e)
	if !e.HasReceipt {
		t.Fatal("receipt not stored")
	}
	page := b.Get(expensepaths.Expense(e.ID)).Doc(t)
	if src := page.Find(`[data-testid="receipt"] img`).AttrOr("src", ""); src != expensepaths.ExpenseReceipt(e.ID) {
		t.Errorf("no inline preview of the image: %q", src)
	}
	got := b.Get(expensepaths.ExpenseReceipt(e.ID))
	if got.StatusCode != http.StatusOK || !bytes.Equal([]byte(got.Body), img) {
		t.Fatalf("receipt: status %d, %d bytes", got.StatusCode, len(got.Body))
	}
	for header, want := range map[string]string{
		"Content-Type":            "image/png",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, no-store",
		"Content-Security-Policy": "sandbox",
	} {
		if v := got.Header.Get(header); v != want {
			t.Errorf("%s = %q, want %q", header, v, want)
		}
	}
	cd := got.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `inline; filename="Quittung `) || strings.Contains(cd, `\`) || strings.Count(cd, `"`) != 2 ||
		!strings.Contains(cd, "filename*=UTF-8''Quittung%20M%C3%A4rz.png") {
		t.Errorf("Content-Disposition = %q", cd)
	}
}

// A file that starts with %PDF- is accepted as a PDF whatever follows, so a
// PDF that is also an HTML page must not run as the app when opened.
func TestReceiptPDFIsServedSandboxedSoAPolyglotCannotActAsTheApp(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	e := w.expense(t, employee, models.StatusDraft)
	polyglot := []byte("%PDF-1.4\n<html><body><script>fetch('/profile')</script></body></html>\n%%EOF\n")
	res := multipartPost(t, b, w.URL, expensepaths.ExpenseReceipt(e.ID), url.Values{
		"_csrf": {b.CSRF(expensepaths.Expense(e.ID))}, "version": {idString(uint(e.Version))},
	}, "invoice.pdf", polyglot)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("attach: status %d", res.StatusCode)
	}
	got := b.Get(expensepaths.ExpenseReceipt(e.ID))
	if got.StatusCode != http.StatusOK {
		t.Fatalf("receipt: status %d", got.StatusCode)
	}
	for header, want := range map[string]string{
		"Content-Type":            "application/pdf",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox",
	} {
		if v := got.Header.Get(header); v != want {
			t.Errorf("%s = %q, want %q", header, v, want)
		}
	}
	if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	// The expense page links the PDF rather than previewing it, and names it.
	doc := b.Get(expensepaths.Expense(e.ID)).Doc(t)
	if href := doc.Find(`[data-testid="receipt-link"]`).AttrOr("href", ""); href != expensepaths.ExpenseReceipt(e.ID) {
		t.Errorf("receipt link %q", href)
	}
	if !strings.Contains(doc.Find(`[data-testid="receipt"]`).Text(), "invoice.pdf") {
		t.Error("the page does not name the receipt")
	}
}

func TestReceiptUploadRefusesAProgramNamedLikeAnImage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	e := w.expense(t, employee, models.StatusDraft)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 512)...)
	res := multipartPost(t, b, w.URL, expensepaths.ExpenseReceipt(e.ID), url.Values{
		"_csrf": {b.CSRF(expensepaths.Expense(e.ID))}, "version": {idString(uint(e.Version))},
	}, "x.png", exe)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	if msg := res.Doc(t).Find("#f-receipt-error").Text(); !strings.Contains(msg, "is a program") {
		t.Errorf("message beside the receipt = %q", msg)
	}
	var n int64
	w.DB.Table("receipts").Where("expense_id = ?", e.ID).Count(&n)
	if n != 0 || w.stored(t, e.ID).HasReceipt {
		t.Error("the program was stored")
	}
}

func TestReceiptUploadRefusesFilesOverFiveMegabytes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	before := w.count(t, "expenses")
	big := append(pngBytes(t), bytes.Repeat([]byte{0}, expenses.MaxReceiptBytes)...)
	d := w.draft("Too big")
	res := multipartPost(t, b, w.URL, expensepaths.Expenses, url.Values{
		"_csrf": {b.CSRF(expensepaths.ExpensesNew)}, "spent_on": {d.SpentOn}, "category_id": {d.CategoryID},
		"amount": {"19.99"}, "currency": {"EUR"}, "merchant": {"Too big"}, "intent": {"save"},
	}, "scan.png", big)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-receipt-error").Text(); !strings.Contains(msg, "“scan.png” is larger than 5 MB.") {
		t.Errorf("message beside the receipt = %q", msg)
	}
	if v := doc.Find(`input[name="merchant"]`).AttrOr("value", ""); v != "Too big" {
		t.Errorf("input not kept: %q", v)
	}
	if hint := doc.Find("#f-receipt-hint").Text(); !strings.Contains(hint, "5 MB") {
		t.Errorf("the form does not say the limit: %q", hint)
	}
	if after := w.count(t, "expenses"); after != before {
		t.Error("an expense was written")
	}
	// Far above the limit, the body itself is refused.
	huge := bytes.Repeat([]byte{0}, expenses.MaxReceiptBytes+2<<20)
	res = multipartPost(t, b, w.URL, expensepaths.Expenses, url.Values{"_csrf": {b.CSRF(expensepaths.ExpensesNew)}}, "huge.png", huge)
	if res.StatusCode != http.StatusRequestEntityTooLarge && res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("huge upload: status %d", res.StatusCode)
	}
}
