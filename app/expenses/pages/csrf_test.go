package pages_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
)

// The CSRF protection through the demo's routes; app/web/csrf_test.go
// tests it through the template's.

func TestCSRFCookiePlantedFromASiblingSubdomainCannotForgeAnExpense(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	victim := w.browser(t, employee)
	plantCookies(t, victim, w.URL)
	d := w.draft(uniqueMerchant("Forged"))
	before := w.count(t, "expenses")
	res := postSameSite(t, victim, w.URL+expensepaths.Expenses, url.Values{
		"_csrf": {plantedToken}, "spent_on": {d.SpentOn}, "category_id": {d.CategoryID},
		"amount": {d.Amount}, "currency": {d.Currency}, "merchant": {d.Merchant},
	})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("forged expense: status %d, want 403", res.StatusCode)
	}
	if w.count(t, "expenses") != before {
		t.Error("the forged expense was stored")
	}
}
