package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/paths"
)

func TestWrongMethodOnAKnownPageAnswers405InsideTheMasterLayout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	me := w.person(t, employee)
	tests := []struct {
		method, path, allow string
	}{
		{http.MethodPut, expensepaths.Expenses, "GET, POST"},
		{http.MethodDelete, expensepaths.Expense(1), "GET, POST"},
		{http.MethodPatch, paths.Profile, "GET"},
		{http.MethodPost, expensepaths.ExpenseEdit(1), "GET"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, w.URL+tt.path, strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := b.Do(req)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tt.method, tt.path, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: the 405 page lacks the pages' headers: %v", tt.method, tt.path, res.Header)
		}
		doc := res.Doc(t)
		if msg := doc.Find(`[data-testid="error-page"]`).Text(); !strings.Contains(msg, "This page does not accept that kind of request.") {
			t.Errorf("%s %s: error page says %q", tt.method, tt.path, msg)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="profile-name"]`).Text()); got != me.FullName {
			t.Errorf("%s %s: navigation widget shows %q, want %q", tt.method, tt.path, got, me.FullName)
		}
	}
}

func TestOptionsOnAKnownPageListsTheAllowedMethods(t *testing.T) {
	t.Parallel()
	srv := demoApp(t, apptest.Options{})
	b := srv.Browser(t)
	req, err := http.NewRequest(http.MethodOptions, srv.URL+expensepaths.Expenses, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := b.Do(req)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Allow") != "GET, POST" {
		t.Errorf("OPTIONS %s: status %d, Allow %q; want 204 and GET, POST", expensepaths.Expenses, res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestPostWithoutCSRFTokenToAnExpensePageIsStillAnExpiredForm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	before := w.count(t, "expenses")
	d := w.draft("No token")
	res := b.PostForm(expensepaths.Expenses, url.Values{"spent_on": {d.SpentOn}, "category_id": {d.CategoryID},
		"amount": {"1.00"}, "currency": {"EUR"}, "merchant": {"No token"}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 400 or 403", res.StatusCode)
	}
	if !strings.Contains(res.Body, "Form expired") {
		t.Error("the page does not say the form expired")
	}
	if after := w.count(t, "expenses"); after != before {
		t.Error("an expense was written without a token")
	}
}
