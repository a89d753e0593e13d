package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/models"
)

func approvalItem(doc *goquery.Document, id uint) *goquery.Selection {
	return doc.Find(`[data-testid="approval-item"][data-id="` + idString(id) + `"]`)
}

func TestApprovalsQueueListsTheTeamsSubmittedExpensesWithDecisionButtons(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	mine := w.expense(t, employee, models.StatusSubmitted)
	notMine := w.expense(t, finance, models.StatusSubmitted) // Helen's report
	draft := w.expense(t, employee, models.StatusDraft)
	doc := w.browser(t, manager).Get(expensepaths.Approvals).Doc(t)
	item := approvalItem(doc, mine.ID)
	if item.Length() != 1 {
		t.Fatal("a report's submitted expense is missing from the queue")
	}
	if item.Find(`[data-action="approve"]`).Length() != 1 || item.Find(`[data-action="reject"]`).Length() != 1 {
		t.Error("the item has no approve and reject buttons")
	}
	if approvalItem(doc, notMine.ID).Length() != 0 || approvalItem(doc, draft.ID).Length() != 0 {
		t.Error("the queue shows expenses that are not the manager's to decide")
	}
	if btn := item.Find(`[data-action="approve"]`); btn.AttrOr("hx-post", "") != expensepaths.ExpenseAction(mine.ID, expensepaths.ActionApprove) ||
		btn.AttrOr("formaction", "") != expensepaths.ExpenseAction(mine.ID, expensepaths.ActionApprove) {
		t.Error("approve works neither with htmx nor without JavaScript")
	}
}

func TestApprovalsQueueDecidesInPlaceWithHtmx(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	page := b.Get(expensepaths.Approvals).Doc(t)
	tok := page.Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	htmxPost := func(action string, comment string) *goquery.Document {
		form := url.Values{"version": {idString(uint(e.Version))}, "return_to": {expensepaths.Approvals}, "comment": {comment}}
		req, _ := http.NewRequest(http.MethodPost, w.URL+expensepaths.ExpenseAction(e.ID, action), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", tok)
		res := b.Do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", action, res.StatusCode)
		}
		if strings.Contains(res.Body, "<html") {
			t.Fatalf("%s: answered with a whole page", action)
		}
		return res.Doc(t)
	}

	// Rejecting without a comment keeps the item, with the message beside
	// the field.
	doc := htmxPost(expensepaths.ActionReject, "")
	if msg := doc.Find("#f-comment-" + idString(e.ID) + "-error").Text(); !strings.Contains(msg, "Emily Carter") {
		t.Errorf("message beside the comment = %q", msg)
	}
	if doc.Find(`[data-action="approve"]`).Length() != 1 {
		t.Error("the buttons are gone after a failed rejection")
	}

	doc = htmxPost(expensepaths.ActionApprove, "Thanks")
	if got := doc.Find(`[data-testid="approval-outcome"] .badge`).AttrOr("data-status", ""); got != "approved" {
		t.Errorf("outcome %q", got)
	}
	if doc.Find(`#approvals-count[hx-swap-oob]`).Length() != 1 {
		t.Error("the count is not updated out of band")
	}
	if after := w.stored(t, e.ID); after.Status != models.StatusApproved {
		t.Errorf("status %q", after.Status)
	}

	// The same decision again (a second tab) says who was first.
	doc = htmxPost(expensepaths.ActionReject, "Too late")
	if msg := doc.Find(`[data-testid="approval-problem"]`).Text(); !strings.Contains(msg, "Already approved by Marcus Reed") {
		t.Errorf("problem %q", msg)
	}
}

func TestApprovalsQueueWorksWithoutJavaScript(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	page := b.Get(expensepaths.Approvals).Doc(t)
	item := approvalItem(page, e.ID)
	rejectURL := item.Find(`[data-action="reject"]`).AttrOr("formaction", "")
	form := url.Values{}
	item.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})

	// The Reject button without a comment: the queue again, the message in
	// the item.
	form.Set("comment", "")
	res := b.PostForm(rejectURL, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if doc.Find(`h1`).Text() != "Approvals" {
		t.Error("not the approvals page")
	}
	if msg := approvalItem(doc, e.ID).Find(".field-error").Text(); !strings.Contains(msg, "Say why") {
		t.Errorf("message in the item = %q", msg)
	}

	// With a comment: back to the queue with a confirmation, the item gone.
	form.Set("comment", "Please attach the receipt.")
	res = b.PostForm(rejectURL, form)
	if res.StatusCode != http.StatusSeeOther || res.Location() != expensepaths.Approvals {
		t.Fatalf("status %d, location %q", res.StatusCode, res.Location())
	}
	doc = b.Follow(res.Location()).Doc(t)
	if msg := flashes(doc, "success"); !strings.Contains(msg, "Rejected Emily Carter") {
		t.Errorf("flash %q", msg)
	}
	if approvalItem(doc, e.ID).Length() != 0 {
		t.Error("the rejected expense is still in the queue")
	}
	if after := w.stored(t, e.ID); after.Status != models.StatusRejected {
		t.Errorf("status %q", after.Status)
	}
}

func TestReimbursingSelectedExpensesFlashesWhatHappenedToEach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.expense(t, employee, models.StatusApproved)
	bExp := w.expense(t, liam, models.StatusApproved)
	own := w.expense(t, finance, models.StatusApproved)
	b := w.browser(t, finance)
	page := b.Get(expensepaths.Reimbursements)
	doc := page.Doc(t)
	if doc.Find(`input[data-select-all="ids"]`).Length() != 1 {
		t.Error("no select-all checkbox")
	}
	row := func(id uint) *goquery.Selection {
		return doc.Find(`[data-testid="reimburse-row"][data-id="` + idString(id) + `"]`)
	}
	if row(a.ID).Find(`input[name="ids"]`).Length() != 1 {
		t.Error("an approved expense cannot be ticked")
	}
	if r := row(own.ID); r.Find(`input[name="ids"]`).Length() != 0 || !strings.Contains(r.Text(), "cannot reimburse your own") {
		t.Error("finance is offered to pay themselves")
	}
	// A colleague pays one of them while the page is open.
	if _, err := w.svc.Reimburse(w.ctx, w.person(t, finance2), bExp.ID, bExp.Version); err != nil {
		t.Fatal(err)
	}
	res := b.SubmitOn(page, `form[data-testid="reimburse-form"]`, url.Values{
		"ids": {idString(a.ID), idString(bExp.ID), idString(own.ID)},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	after := b.Follow(res.Location()).Doc(t)
	if ok := flashes(after, "success"); !strings.Contains(ok, "Reimbursed 1 expense: €42.50") {
		t.Errorf("success flash %q", ok)
	}
	failed := flashes(after, "error")
	for _, want := range []string{"2 expenses were not reimbursed", "#" + idString(bExp.ID) + ": Already reimbursed by Daniel Okafor",
		"#" + idString(own.ID) + ": You cannot reimburse your own expense"} {
		if !strings.Contains(failed, want) {
			t.Errorf("error flash %q lacks %q", failed, want)
		}
	}
	if w.stored(t, a.ID).Status != models.StatusReimbursed || w.stored(t, own.ID).Status != models.StatusApproved {
		t.Error("wrong statuses after the run")
	}
	// Nothing ticked.
	res = b.SubmitOn(b.Get(expensepaths.Reimbursements), `form[data-testid="reimburse-form"]`, url.Values{"ids": nil})
	if msg := flashes(b.Follow(res.Location()).Doc(t), "error"); !strings.Contains(msg, "Tick at least one") {
		t.Errorf("empty run: %q", msg)
	}
}

func TestAdminManagesCategoriesWithMessagesBesideTheFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, admin)
	page := b.Get(expensepaths.AdminCategories)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("status %d", page.StatusCode)
	}
	name := uniqueMerchant("Wellbeing")
	res := b.SubmitOn(page, `form[data-testid="add-category-form"]`, url.Values{"name": {name}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: status %d", res.StatusCode)
	}
	var cat models.Category
	w.DB.Where("name = ?", name).Take(&cat)

	// A duplicate, in another case: the message beside the field, the input kept.
	res = b.Submit(expensepaths.AdminCategories, `form[data-testid="add-category-form"]`, url.Values{"name": {strings.ToUpper(name)}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate: status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-name-error").Text(); !strings.Contains(msg, "already exists") {
		t.Errorf("message beside the name = %q", msg)
	}
	if v := doc.Find(`form[data-testid="add-category-form"] input[name="name"]`).AttrOr("value", ""); v != strings.ToUpper(name) {
		t.Errorf("input not kept: %q", v)
	}

	// Renaming onto another category's name: the message on that row.
	rename := `tr[data-id="` + idString(cat.ID) + `"] form[data-testid="rename-form"]`
	res = b.Submit(expensepaths.AdminCategories, rename, url.Values{"name": {"travel"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("rename onto a duplicate: status %d", res.StatusCode)
	}
	if msg := res.Doc(t).Find(`tr[data-id="` + idString(cat.ID) + `"] .field-error`).Text(); !strings.Contains(msg, "already exists") {
		t.Errorf("rename message = %q", msg)
	}
	res = b.Submit(expensepaths.AdminCategories, rename, url.Values{"name": {name + " & sport"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: status %d", res.StatusCode)
	}

	// Deactivate: gone from the new-expense form; reactivate: back.
	active := `tr[data-id="` + idString(cat.ID) + `"] form.inline-form`
	if res := b.Submit(expensepaths.AdminCategories, active, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: status %d", res.StatusCode)
	}
	form := w.browser(t, employee).Get(expensepaths.ExpensesNew).Doc(t)
	if form.Find(`select[name="category_id"] option[value="`+idString(cat.ID)+`"]`).Length() != 0 {
		t.Error("a deactivated category is offered")
	}
	if res := b.Submit(expensepaths.AdminCategories, active, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate: status %d", res.StatusCode)
	}
	w.DB.Where("id = ?", cat.ID).Take(&cat)
	if !cat.Active || cat.Name != name+" & sport" {
		t.Errorf("category now %+v", cat)
	}

	// Not an administrator: refused even when posting directly.
	mgr := w.browser(t, manager)
	res = mgr.PostForm(expensepaths.AdminCategories, url.Values{"_csrf": {mgr.CSRF("/profile")}, "name": {"Sneaky"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("manager adding a category: status %d", res.StatusCode)
	}
	var n int64
	w.DB.Model(&models.Category{}).Where("name = ?", "Sneaky").Count(&n)
	if n != 0 {
		t.Error("a manager added a category")
	}
}

func TestDashboardShowsEachRoleItsFiguresAndAnAccessibleChart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.expense(t, employee, models.StatusSubmitted)
	w.expense(t, employee, models.StatusApproved)
	w.expense(t, employee, models.StatusDraft)

	doc := w.browser(t, employee).Get(paths.Home).Doc(t)
	cards := doc.Find(`[data-testid="status-totals"] [data-status]`)
	if cards.Length() != len(models.AllStatuses()) {
		t.Errorf("%d status cards", cards.Length())
	}
	submitted := doc.Find(`[data-testid="status-totals"] [data-status="submitted"]`).Text()
	if !strings.Contains(submitted, "€") || !strings.Contains(submitted, "expense") {
		t.Errorf("submitted card %q", submitted)
	}
	chart := doc.Find(`[data-testid="monthly-chart"] svg`)
	if chart.AttrOr("role", "") != "img" || chart.Find("title").First().Text() == "" {
		t.Error("the chart is not an accessible image with a title")
	}
	if doc.Find(`[data-testid="chart-table"].sr-only tbody tr`).Length() != 12 {
		t.Error("the chart's numbers are not in a table for screen readers")
	}
	if doc.Find(`[data-testid="monthly-chart"] [style]`).Length() != 0 || strings.Contains(doc.Find("main").Text(), "style=") {
		t.Error("inline styles break the Content-Security-Policy")
	}
	if doc.Find(`[data-testid="pending-approvals"]`).Length() != 0 || doc.Find(`[data-testid="awaiting-reimbursement"]`).Length() != 0 {
		t.Error("an employee sees the queues of other roles")
	}
	if doc.Find(`[data-testid="recent-activity"] .activity-item`).Length() == 0 {
		t.Error("no recent activity")
	}

	mgr := w.browser(t, manager).Get(paths.Home).Doc(t)
	if p := mgr.Find(`[data-testid="pending-approvals"]`); p.Length() != 1 || p.Find(".mini-list li").Length() == 0 {
		t.Error("the manager does not see the pending approvals")
	}
	fin := w.browser(t, finance).Get(paths.Home).Doc(t)
	if p := fin.Find(`[data-testid="awaiting-reimbursement"]`); p.Length() != 1 || !strings.Contains(p.Text(), "€") {
		t.Error("finance does not see the amount awaiting reimbursement")
	}
}
