package pages_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// gone marks an expense that no longer exists after the action.
const gone models.Status = "(deleted)"

func TestEveryWorkflowTransitionIsAllowedForTheRightRoleAndRefusedOtherwise(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	edit := func(e *models.Expense) url.Values {
		d := w.draft("Edited merchant")
		return url.Values{"spent_on": {d.SpentOn}, "category_id": {d.CategoryID}, "amount": {"99.00"},
			"currency": {"EUR"}, "merchant": {"Edited merchant"}, "description": {""}, "intent": {"save"}}
	}
	tests := []struct {
		name   string
		who    string
		owner  string
		status models.Status
		action string // an expensepaths.Action*, "edit" or "receipt"
		extra  func(*models.Expense) url.Values
		// wantCode is the answer; want the status afterwards (for refusals,
		// the status must be unchanged).
		wantCode int
		want     models.Status
	}{
		// Employees: their own drafts and rejected expenses.
		{"employee submits own draft", employee, employee, models.StatusDraft, expensepaths.ActionSubmit, nil, 303, models.StatusSubmitted},
		{"employee resubmits own rejected expense", employee, employee, models.StatusRejected, expensepaths.ActionSubmit, nil, 303, models.StatusSubmitted},
		{"employee edits own draft", employee, employee, models.StatusDraft, "edit", edit, 303, models.StatusDraft},
		{"employee deletes own rejected expense", employee, employee, models.StatusRejected, expensepaths.ActionDelete, nil, 303, gone},
		{"employee may not edit own submitted expense", employee, employee, models.StatusSubmitted, "edit", edit, 403, models.StatusSubmitted},
		{"employee may not delete own approved expense", employee, employee, models.StatusApproved, expensepaths.ActionDelete, nil, 403, models.StatusApproved},
		{"employee may not approve own expense", employee, employee, models.StatusSubmitted, expensepaths.ActionApprove, nil, 403, models.StatusSubmitted},
		{"employee may not reimburse own expense", employee, employee, models.StatusApproved, expensepaths.ActionReimburse, nil, 403, models.StatusApproved},
		{"employee may not submit a colleague's draft", employee, liam, models.StatusDraft, expensepaths.ActionSubmit, nil, 404, models.StatusDraft},

		// Managers: their direct reports' submitted expenses, never their own.
		{"manager approves a report's expense", manager, employee, models.StatusSubmitted, expensepaths.ActionApprove, nil, 303, models.StatusApproved},
		{"manager rejects a report's expense with a comment", manager, employee, models.StatusSubmitted, expensepaths.ActionReject,
			func(*models.Expense) url.Values { return url.Values{"comment": {"Wrong date."}} }, 303, models.StatusRejected},
		{"manager submits own draft", manager, manager, models.StatusDraft, expensepaths.ActionSubmit, nil, 303, models.StatusSubmitted},
		{"manager may not approve own expense", manager, manager, models.StatusSubmitted, expensepaths.ActionApprove, nil, 403, models.StatusSubmitted},
		{"manager may not approve someone else's report", manager, finance, models.StatusSubmitted, expensepaths.ActionApprove, nil, 404, models.StatusSubmitted},
		{"manager may not approve a report's expense twice", manager, employee, models.StatusApproved, expensepaths.ActionApprove, nil, 403, models.StatusApproved},
		{"manager may not edit a report's expense", manager, employee, models.StatusRejected, "edit", edit, 403, models.StatusRejected},
		{"manager may not reimburse", manager, employee, models.StatusApproved, expensepaths.ActionReimburse, nil, 403, models.StatusApproved},
		{"manager may not see a report's draft", manager, employee, models.StatusDraft, expensepaths.ActionApprove, nil, 404, models.StatusDraft},

		// Finance: approved expenses of others.
		{"finance reimburses an approved expense", finance, employee, models.StatusApproved, expensepaths.ActionReimburse, nil, 303, models.StatusReimbursed},
		{"finance submits own draft", finance, finance, models.StatusDraft, expensepaths.ActionSubmit, nil, 303, models.StatusSubmitted},
		{"finance may not reimburse own expense", finance, finance, models.StatusApproved, expensepaths.ActionReimburse, nil, 403, models.StatusApproved},
		{"finance may not approve", finance, employee, models.StatusSubmitted, expensepaths.ActionApprove, nil, 403, models.StatusSubmitted},
		{"finance may not reimburse twice", finance, employee, models.StatusReimbursed, expensepaths.ActionReimburse, nil, 403, models.StatusReimbursed},

		// Administrators: an employee for their own claims, no workflow step.
		{"admin submits own draft", admin, admin, models.StatusDraft, expensepaths.ActionSubmit, nil, 303, models.StatusSubmitted},
		{"admin may not approve", admin, employee, models.StatusSubmitted, expensepaths.ActionApprove, nil, 403, models.StatusSubmitted},
		{"admin may not reject", admin, employee, models.StatusSubmitted, expensepaths.ActionReject,
			func(*models.Expense) url.Values { return url.Values{"comment": {"No."}} }, 403, models.StatusSubmitted},
		{"admin may not reimburse", admin, employee, models.StatusApproved, expensepaths.ActionReimburse, nil, 403, models.StatusApproved},
		{"admin may not delete someone's rejected expense", admin, employee, models.StatusRejected, expensepaths.ActionDelete, nil, 403, models.StatusRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := w.expense(t, tt.owner, tt.status)
			b := w.browser(t, tt.who)
			path := expensepaths.ExpenseAction(e.ID, tt.action)
			if tt.action == "edit" {
				path = expensepaths.Expense(e.ID)
			}
			var extra url.Values
			if tt.extra != nil {
				extra = tt.extra(e)
			}
			res := post(t, b, path, e.Version, extra)
			if res.StatusCode != tt.wantCode {
				t.Fatalf("POST %s as %s: status %d, want %d", path, tt.who, res.StatusCode, tt.wantCode)
			}
			after := w.stored(t, e.ID)
			got := gone
			if after != nil {
				got = after.Status
			}
			if got != tt.want {
				t.Errorf("status afterwards %q, want %q", got, tt.want)
			}
			if tt.wantCode != http.StatusSeeOther && after != nil && after.Version != e.Version {
				t.Errorf("a refused action changed the expense (version %d → %d)", e.Version, after.Version)
			}
			if tt.wantCode == http.StatusForbidden {
				if msg := res.Doc(t).Find(`[data-testid="error-page"]`).Text(); !strings.Contains(msg, "Not allowed") {
					t.Errorf("403 page does not say why: %q", msg)
				}
			}
		})
	}
}

func TestEmployeeCreatesADraftOrSubmitsAtOnceFromTheForm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	for _, intent := range []string{"save", "submit"} {
		merchant := uniqueMerchant("Form " + intent)
		d := w.draft(merchant)
		res := b.Submit(expensepaths.ExpensesNew, `form[data-testid="expense-form"]`, url.Values{
			"spent_on": {d.SpentOn}, "category_id": {d.CategoryID}, "amount": {"1,234.50"}, "currency": {"EUR"},
			"merchant": {merchant}, "description": {"Two nights"}, "intent": {intent},
		})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/expenses/") {
			t.Fatalf("%s: status %d, location %q", intent, res.StatusCode, res.Location())
		}
		var e models.Expense
		w.DB.Where("merchant = ?", merchant).Take(&e)
		want := models.StatusDraft
		if intent == "submit" {
			want = models.StatusSubmitted
		}
		if e.Status != want || e.AmountMinor != 123450 {
			t.Errorf("%s: stored status %q amount %d", intent, e.Status, e.AmountMinor)
		}
		page := b.Follow(res.Location()).Doc(t)
		if f := flashes(page, "success"); f == "" {
			t.Errorf("%s: no confirmation on the expense page", intent)
		} else if intent == "submit" && !strings.Contains(f, "Marcus Reed") {
			t.Errorf("submit confirmation does not name the manager: %q", f)
		}
	}
}

// actionName is the data-action of each action's button or form.
var actionName = map[policy.Action]string{
	policy.EditExpense:      "edit",
	policy.DeleteExpense:    "delete",
	policy.SubmitExpense:    "submit",
	policy.ApproveExpense:   "approve",
	policy.RejectExpense:    "reject",
	policy.ReimburseExpense: "reimburse",
	policy.AttachReceipt:    "attach-receipt",
}

func TestDetailPageShowsExactlyTheButtonsThePolicyAllows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	viewers := []string{employee, manager, finance, admin}
	browsers := map[string]*testingBrowser{}
	for _, v := range viewers {
		browsers[v] = &testingBrowser{w.browser(t, v), w.person(t, v)}
	}
	for _, owner := range []string{employee, manager, finance} {
		for _, status := range models.AllStatuses() {
			e := w.expense(t, owner, status)
			// The policy needs the expense with its owner loaded.
			full, err := w.svc.Get(w.ctx, w.person(t, owner), e.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range viewers {
				tb := browsers[v]
				res := tb.b.Get(expensepaths.Expense(e.ID))
				canView := policy.Can(tb.me, policy.ViewExpense, full)
				if !canView {
					if res.StatusCode != http.StatusNotFound {
						t.Errorf("%s's %s expense seen by %s: status %d, want 404", owner, status, v, res.StatusCode)
					}
					continue
				}
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s's %s expense seen by %s: status %d", owner, status, v, res.StatusCode)
					continue
				}
				var want, got []string
				for action, name := range actionName {
					if policy.Can(tb.me, action, full) {
						want = append(want, name)
					}
				}
				res.Doc(t).Find("[data-action]").Each(func(_ int, s *goquery.Selection) {
					got = append(got, s.AttrOr("data-action", ""))
				})
				sort.Strings(want)
				sort.Strings(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s's %s expense seen by %s: buttons %v, policy allows %v", owner, status, v, got, want)
				}
			}
		}
	}
}

type testingBrowser struct {
	b  *apptest.Browser
	me *models.Employee
}

func TestSomeoneElsesExpenseIsNotFoundAndCannotBeActedOn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	marcusDraft := w.expense(t, manager, models.StatusDraft)
	emilyDraft := w.expense(t, employee, models.StatusDraft)
	emilySubmitted := w.expense(t, employee, models.StatusSubmitted)
	emp := w.browser(t, employee)
	withReceipt := w.expense(t, employee, models.StatusDraft)
	res := multipartPost(t, emp, w.URL, expensepaths.ExpenseReceipt(withReceipt.ID),
		url.Values{"_csrf": {emp.CSRF("/profile")}, "version": {idString(uint(withReceipt.Version))}}, "receipt.png", pngBytes(t))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("attach receipt: status %d", res.StatusCode)
	}
	submitted := post(t, emp, expensepaths.ExpenseAction(withReceipt.ID, expensepaths.ActionSubmit), withReceipt.Version+1, nil)
	if submitted.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: status %d", submitted.StatusCode)
	}

	colleague := w.browser(t, liam)
	mgr := w.browser(t, manager)
	for _, tc := range []struct {
		name string
		b    *apptest.Browser
		path string
		want int
	}{
		{"employee opens her manager's draft", emp, expensepaths.Expense(marcusDraft.ID), 404},
		{"employee opens the edit form of her manager's draft", emp, expensepaths.ExpenseEdit(marcusDraft.ID), 404},
		{"colleague opens a submitted expense", colleague, expensepaths.Expense(emilySubmitted.ID), 404},
		{"colleague downloads the receipt", colleague, expensepaths.ExpenseReceipt(withReceipt.ID), 404},
		{"manager opens a report's draft", mgr, expensepaths.Expense(emilyDraft.ID), 404},
		{"manager downloads the receipt of a report's submitted expense", mgr, expensepaths.ExpenseReceipt(withReceipt.ID), 200},
		{"an id that does not exist", emp, "/expenses/99999999", 404},
		{"an id that is not a number", emp, "/expenses/abc", 404},
	} {
		if res := tc.b.Get(tc.path); res.StatusCode != tc.want {
			t.Errorf("%s: GET %s status %d, want %d", tc.name, tc.path, res.StatusCode, tc.want)
		}
	}

	// Acting on what you cannot see is refused, and nothing changes.
	res = post(t, mgr, expensepaths.ExpenseAction(emilyDraft.ID, expensepaths.ActionApprove), emilyDraft.Version, nil)
	if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
		t.Errorf("manager approving a report's draft: status %d", res.StatusCode)
	}
	res = post(t, emp, expensepaths.ExpenseAction(marcusDraft.ID, expensepaths.ActionDelete), marcusDraft.Version, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("employee deleting her manager's draft: status %d", res.StatusCode)
	}
	for _, e := range []*models.Expense{emilyDraft, marcusDraft} {
		if after := w.stored(t, e.ID); after == nil || after.Version != e.Version || after.Status != models.StatusDraft {
			t.Errorf("expense %d changed: %+v", e.ID, after)
		}
	}
}

func TestConcurrentDecisionsOnOneExpenseLetExactlyOneWin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for round := range 3 {
		e := w.expense(t, employee, models.StatusSubmitted)
		// The same manager in two browsers, both looking at the same version.
		first, second := w.browser(t, manager), w.browser(t, manager)
		pages := []*apptest.Response{first.Get(expensepaths.Expense(e.ID)), second.Get(expensepaths.Expense(e.ID))}
		forms := []url.Values{{"comment": {"Looks fine."}}, {"comment": {"Please split the hotel and the meals."}}}
		actions := []string{expensepaths.ActionApprove, expensepaths.ActionReject}
		browsers := []*apptest.Browser{first, second}
		results := make([]*apptest.Response, 2)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range 2 {
			done.Add(1)
			go func() {
				defer done.Done()
				tok := pages[i].Doc(t).Find(`input[name="_csrf"]`).First().AttrOr("value", "")
				form := url.Values{"_csrf": {tok}, "version": {idString(uint(e.Version))}, "comment": forms[i]["comment"]}
				start.Wait()
				results[i] = browsers[i].PostForm(expensepaths.ExpenseAction(e.ID, actions[i]), form)
			}()
		}
		start.Done()
		done.Wait()
		var won, lost int
		for i, res := range results {
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("round %d, %s: status %d", round, actions[i], res.StatusCode)
			}
			page := browsers[i].Follow(res.Location()).Doc(t)
			switch {
			case flashes(page, "success") != "":
				won++
			case strings.Contains(flashes(page, "error"), "Already") && strings.Contains(flashes(page, "error"), "by Marcus Reed"):
				lost++
			default:
				t.Errorf("round %d, %s: neither success nor conflict message: %q", round, actions[i], page.Find(".flashes").Text())
			}
		}
		if won != 1 || lost != 1 {
			t.Errorf("round %d: %d won and %d saw the conflict, want exactly one each", round, won, lost)
		}
		var decisions int64
		w.DB.Model(&models.ExpenseEvent{}).Where("expense_id = ? AND action IN ?", e.ID,
			[]models.EventAction{models.EventApproved, models.EventRejected}).Count(&decisions)
		if decisions != 1 {
			t.Errorf("round %d: %d decisions recorded, want 1", round, decisions)
		}
	}
}

func TestAStaleFormShowsWhoActedFirstAsAFlashOnTheDetailPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	page := b.Get(expensepaths.Expense(e.ID))
	if _, err := w.svc.Approve(w.ctx, w.person(t, manager), e.ID, e.Version, ""); err != nil {
		t.Fatal(err)
	}
	// Reject from the page seen before the approval, as its button would.
	tok := page.Doc(t).Find(`form.decision-form input[name="_csrf"]`).AttrOr("value", "")
	res := b.PostForm(expensepaths.ExpenseAction(e.ID, expensepaths.ActionReject), url.Values{
		"_csrf": {tok}, "version": {idString(uint(e.Version))}, "comment": {"Not like this."}})
	if res.StatusCode != http.StatusSeeOther || res.Location() != expensepaths.Expense(e.ID) {
		t.Fatalf("status %d, location %q", res.StatusCode, res.Location())
	}
	msg := flashes(b.Follow(res.Location()).Doc(t), "error")
	if !strings.Contains(msg, "Already approved by Marcus Reed") {
		t.Errorf("flash %q, want “Already approved by Marcus Reed”", msg)
	}
	if after := w.stored(t, e.ID); after.Status != models.StatusApproved {
		t.Errorf("status %q", after.Status)
	}
}

func TestRejectingWithoutACommentShowsTheMessageBesideTheCommentField(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusSubmitted)
	b := w.browser(t, manager)
	res := post(t, b, expensepaths.ExpenseAction(e.ID, expensepaths.ActionReject), e.Version, url.Values{"comment": {"   "}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-comment-error").Text(); !strings.Contains(msg, "Emily Carter") {
		t.Errorf("message beside the comment = %q", msg)
	}
	if doc.Find(`[data-action="reject"]`).Length() != 1 {
		t.Error("the page came back without the reject button")
	}
	if after := w.stored(t, e.ID); after.Status != models.StatusSubmitted {
		t.Errorf("status %q", after.Status)
	}
}

func TestDetailPageShowsHistoryWithWhoWhatWhenAndComment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	e := w.expense(t, employee, models.StatusRejected)
	doc := w.browser(t, employee).Get(expensepaths.Expense(e.ID)).Doc(t)
	var events []string
	doc.Find(`[data-testid="history-event"]`).Each(func(_ int, s *goquery.Selection) {
		events = append(events, s.AttrOr("data-event", ""))
	})
	if strings.Join(events, ",") != "created,submitted,rejected" {
		t.Errorf("history %v", events)
	}
	last := doc.Find(`[data-testid="history-event"]`).Last().Text()
	for _, want := range []string{"Rejected", "Marcus Reed", "does not match", "UTC"} {
		if !strings.Contains(last, want) {
			t.Errorf("rejection entry lacks %q: %q", want, last)
		}
	}
	if note := doc.Find(`[data-testid="rejection-note"]`).Text(); !strings.Contains(note, "does not match") {
		t.Errorf("owner is not shown why it was rejected: %q", note)
	}
}
