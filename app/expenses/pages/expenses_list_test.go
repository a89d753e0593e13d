package pages_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/models"
)

func rowMerchants(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="expense-row"] .merchant-cell a`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func TestExpenseListFiltersSortsAndPaginatesWithDeepLinks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tag := uniqueMerchant("Zeta list")
	for i, amount := range []string{"10.00", "30.00", "20.00"} {
		d := w.draft(tag + " " + strconv.Itoa(i))
		d.Amount = amount
		w.expenseWith(t, employee, models.StatusSubmitted, d)
	}
	w.expenseWith(t, employee, models.StatusDraft, w.draft(tag+" draft"))
	b := w.browser(t, employee)

	q := url.Values{"q": {tag}, "status": {"submitted"}, "sort": {"amount"}, "dir": {"asc"}}
	doc := b.Get(expensepaths.ExpensesFiltered(q)).Doc(t)
	if got := rowMerchants(doc); !slices.Equal(got, []string{tag + " 0", tag + " 2", tag + " 1"}) {
		t.Errorf("filtered by text and status, sorted by amount: %v", got)
	}
	if v := doc.Find(`input[name="q"]`).AttrOr("value", ""); v != tag {
		t.Errorf("search field = %q", v)
	}
	if v := doc.Find(`select[name="status"] option[selected]`).AttrOr("value", ""); v != "submitted" {
		t.Errorf("status filter = %q", v)
	}
	// The amount header sorts the other way now and keeps the filters.
	href := doc.Find(`th a[data-sort="amount"]`).AttrOr("href", "")
	u, _ := url.Parse(href)
	if u.Query().Get("dir") != "desc" || u.Query().Get("q") != tag || u.Query().Get("status") != "submitted" {
		t.Errorf("amount header links to %q", href)
	}
	if doc.Find(`th[aria-sort="ascending"]`).Length() != 1 {
		t.Error("the sorted column is not marked for screen readers")
	}

	// One per page: three pages, each with a link to the next.
	q.Set("per_page", "1")
	page1 := b.Get(expensepaths.ExpensesFiltered(q)).Doc(t)
	if got := strings.TrimSpace(page1.Find(`[data-testid="result-count"]`).Text()); got != "1–1 of 3 expenses" {
		t.Errorf("summary %q", got)
	}
	next := page1.Find(`a[rel="next"]`).AttrOr("href", "")
	if got := rowMerchants(b.Get(next).Doc(t)); !slices.Equal(got, []string{tag + " 2"}) {
		t.Errorf("page 2 (%s): %v", next, got)
	}

	// Nothing found: a helpful message and a way out.
	empty := b.Get(expensepaths.ExpensesFiltered(url.Values{"q": {"no such merchant anywhere"}})).Doc(t)
	if msg := empty.Find(`[data-testid="empty-state"]`).Text(); !strings.Contains(msg, "No expenses match these filters") ||
		empty.Find(`[data-testid="empty-state"] a`).Length() == 0 {
		t.Errorf("empty state %q", msg)
	}
}

func TestScopeTabsAreOfferedAsThePolicyAllows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tabs := func(who string) []string {
		var out []string
		w.browser(t, who).Get(expensepaths.Expenses).Doc(t).Find(`[data-testid="scope-tabs"] a`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-scope", ""))
		})
		return out
	}
	for who, want := range map[string][]string{
		employee: nil,
		manager:  {"mine", "team"},
		finance:  {"mine", "all"},
		admin:    {"mine", "all"},
	} {
		if got := tabs(who); !slices.Equal(got, want) {
			t.Errorf("%s sees tabs %v, want %v", who, got, want)
		}
	}
	// A scope without a tab falls back to one's own expenses.
	mine := w.expense(t, manager, models.StatusSubmitted)
	doc := w.browser(t, employee).Get(expensepaths.Expenses + "?scope=all&q=" + url.QueryEscape(mine.Merchant)).Doc(t)
	if got := rowMerchants(doc); len(got) != 0 {
		t.Errorf("employee listing everyone sees %v", got)
	}
}

func TestFilteringWithHtmxReturnsOnlyTheResultsFragment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	req, _ := http.NewRequest(http.MethodGet, w.URL+expensepaths.Expenses+"?scope=team&q="+url.QueryEscape(e.Merchant), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "expense-results")
	res := b.Do(req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, shell := range []string{"<html", "<head", `data-testid="navigation-widget"`, `data-testid="filter-form"`} {
		if strings.Contains(res.Body, shell) {
			t.Errorf("fragment contains %s", shell)
		}
	}
	doc := res.Doc(t)
	if got := rowMerchants(doc); !slices.Equal(got, []string{e.Merchant}) {
		t.Errorf("fragment rows %v", got)
	}
	if doc.Find(`#scope-tabs[hx-swap-oob]`).Length() != 1 {
		t.Error("the scope tabs are not updated out of band")
	}
	if doc.Find(`#sort-fields[hx-swap-oob] input[name="sort"]`).AttrOr("value", "") != "date" {
		t.Error("the filter form's sort fields are not updated out of band")
	}
	if vary := strings.Join(res.Header.Values("Vary"), ", "); !strings.Contains(vary, "HX-Request") {
		t.Errorf("Vary = %q", vary)
	}
	// The same URL without htmx (a reload, a shared link) is the whole page.
	full := b.Get(expensepaths.Expenses + "?scope=team&q=" + url.QueryEscape(e.Merchant))
	if !strings.Contains(full.Body, "<html") || len(rowMerchants(full.Doc(t))) != 1 {
		t.Error("the deep link does not render the whole page")
	}
	// The filter form is wired to fetch the fragment and push the URL.
	form := full.Doc(t).Find(`form[data-testid="filter-form"]`)
	if form.AttrOr("hx-get", "") != expensepaths.Expenses || form.AttrOr("hx-target", "") != "#expense-results" || form.AttrOr("hx-push-url", "") != "true" {
		t.Error("the filter form is not wired for htmx")
	}
	if form.AttrOr("hx-history", "") != "false" {
		t.Error("htmx would keep the expenses in its localStorage history cache")
	}
	// The back button after htmx pushed the URL asks for the whole page.
	req, _ = http.NewRequest(http.MethodGet, w.URL+expensepaths.Expenses+"?scope=team", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-History-Restore-Request", "true")
	if res := b.Do(req); !strings.Contains(res.Body, "<html") {
		t.Error("a history restore got a fragment")
	}
}

func TestCSVExportHasTheHeaderOnlyTheFilteredRowsAndNeutralisedFormulas(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tag := uniqueMerchant("csvtag")
	formula := "=HYPERLINK(\"http://evil.example\",\"" + tag + "\")"
	for _, m := range []string{formula, tag + " plain", "@SUM(1+1) " + tag} {
		w.expenseWith(t, employee, models.StatusSubmitted, w.draft(m))
	}
	w.expenseWith(t, employee, models.StatusDraft, w.draft(tag+" draft"))
	w.expense(t, employee, models.StatusSubmitted) // does not match the text
	b := w.browser(t, employee)

	list := b.Get(expensepaths.ExpensesFiltered(url.Values{"q": {tag}, "status": {"submitted"}})).Doc(t)
	href := list.Find(`[data-testid="export-csv"]`).AttrOr("href", "")
	u, _ := url.Parse(href)
	if u.Path != expensepaths.ExpensesExport || u.Query().Get("q") != tag || u.Query().Get("status") != "submitted" {
		t.Fatalf("export link %q does not carry the filter", href)
	}
	res := b.Get(href)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="expenses-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != "ID,Date,Employee,Category,Merchant,Description,Amount,Currency,Status,Receipt" {
		t.Errorf("header %v", records[0])
	}
	var merchants []string
	for _, r := range records[1:] {
		merchants = append(merchants, r[4])
		if r[8] != "Submitted" || r[2] != "Emily Carter" {
			t.Errorf("row %v", r)
		}
	}
	slices.Sort(merchants)
	want := []string{"'" + formula, "'@SUM(1+1) " + tag, tag + " plain"}
	slices.Sort(want)
	if !slices.Equal(merchants, want) {
		t.Errorf("exported merchants %q, want %q", merchants, want)
	}
}

func TestMenuShowsPendingCountsToManagerAndFinanceOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.expense(t, employee, models.StatusSubmitted)
	w.expense(t, liam, models.StatusSubmitted)
	w.expense(t, employee, models.StatusApproved)
	w.expense(t, finance, models.StatusApproved) // Fiona may not pay herself
	menu := func(who string) map[string]string {
		out := map[string]string{}
		w.browser(t, who).Get(paths.Home).Doc(t).Find("nav.mainmenu a").Each(func(_ int, s *goquery.Selection) {
			badge := strings.TrimSpace(s.Find(".count-badge").Text())
			label := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Text()), badge))
			out[label] = badge
		})
		return out
	}
	wantApprovals, _, _ := w.svc.Counts(w.ctx, w.person(t, manager))
	_, wantReimburse, _ := w.svc.Counts(w.ctx, w.person(t, finance))
	if wantApprovals < 2 || wantReimburse < 1 {
		t.Fatalf("setup: %d approvals, %d reimbursements", wantApprovals, wantReimburse)
	}
	m := menu(manager)
	if b, ok := m["Approvals"]; !ok || b != strconv.FormatInt(wantApprovals, 10) {
		t.Errorf("manager's Approvals badge %q (present %v), want %d", b, ok, wantApprovals)
	}
	if _, ok := m["Reimbursements"]; ok {
		t.Error("manager sees Reimbursements")
	}
	f := menu(finance)
	if b, ok := f["Reimbursements"]; !ok || b != strconv.FormatInt(wantReimburse, 10) {
		t.Errorf("finance's Reimbursements badge %q (present %v), want %d", b, ok, wantReimburse)
	}
	if _, ok := f["Approvals"]; ok {
		t.Error("finance sees Approvals")
	}
	e := menu(employee)
	for _, label := range []string{"Approvals", "Reimbursements", "People", "Categories"} {
		if _, ok := e[label]; ok {
			t.Errorf("employee sees %s", label)
		}
	}
	if _, ok := e["Expenses"]; !ok {
		t.Error("employee has no Expenses entry")
	}
	a := menu(admin)
	for _, label := range []string{"People", "Categories", "Expenses"} {
		if _, ok := a[label]; !ok {
			t.Errorf("admin has no %s entry", label)
		}
	}
	// Each entry opens; an entry not shown is refused.
	for who, paths := range map[string][]string{
		employee: {"/approvals", "/reimbursements", "/admin/categories"},
		manager:  {"/reimbursements", "/admin/categories"},
		finance:  {"/approvals"},
	} {
		b := w.browser(t, who)
		for _, p := range paths {
			if res := b.Get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: status %d, want 403", who, p, res.StatusCode)
			}
		}
	}
}

func TestExpenseURLBuildersMatchTheirRoutePatterns(t *testing.T) {
	t.Parallel()
	fill := func(pattern string) string { return strings.Replace(pattern, ":id", "42", 1) }
	for _, tt := range []struct{ got, want string }{
		{expensepaths.ExpenseEdit(42), fill(expensepaths.ExpenseEditPattern)},
		{expensepaths.ExpenseReceipt(42), fill(expensepaths.ExpenseReceiptPattern)},
		{expensepaths.ExpenseAction(42, expensepaths.ActionSubmit), fill(expensepaths.ExpenseSubmitPattern)},
		{expensepaths.ExpenseAction(42, expensepaths.ActionApprove), fill(expensepaths.ExpenseApprovePattern)},
		{expensepaths.ExpenseAction(42, expensepaths.ActionReject), fill(expensepaths.ExpenseRejectPattern)},
		{expensepaths.ExpenseAction(42, expensepaths.ActionReimburse), fill(expensepaths.ExpenseReimbursePattern)},
		{expensepaths.ExpenseAction(42, expensepaths.ActionDelete), fill(expensepaths.ExpenseDeletePattern)},
		{expensepaths.AdminCategory(42), fill(expensepaths.AdminCategoryPattern)},
		{expensepaths.AdminCategoryActive(42), fill(expensepaths.AdminCategoryActivePattern)},
		{expensepaths.ExpensesFiltered(url.Values{"q": {"a b"}}), "/expenses?q=a+b"},
		{expensepaths.ExpensesExportFiltered(nil), expensepaths.ExpensesExport},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
