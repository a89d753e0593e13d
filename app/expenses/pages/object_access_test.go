package pages_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// These tests carry every id a request can name to people who may not use
// it, and take app/policy as the oracle of who may: the server must answer
// exactly as the policy decides, whatever the page offered.

// accessWorld is a demo company with a spread of expenses (owners × states)
// and browsers signed in as the people who try them.
type accessWorld struct {
	*world
	expenses []*models.Expense
	people   map[string]*apptest.Browser
	tokens   map[string]string
}

// accessOwners own the sample expenses: Emily and Liam report to Marcus,
// Olivia to Sofia (another team), and Marcus and Fiona own theirs too, so
// that "never your own" is tried.
var accessOwners = []string{employee, liam, "olivia.johnson@example.com", manager, finance}

// accessActors try them: each demo role, the SSO person, and Sofia, a
// manager of another team.
var accessActors = []string{employee, manager, finance, admin, liam, "sofia.martinez@example.com"}

func newAccessWorld(t *testing.T) *accessWorld {
	t.Helper()
	w := &accessWorld{world: newWorld(t), people: map[string]*apptest.Browser{}, tokens: map[string]string{}}
	for _, owner := range accessOwners {
		u := w.person(t, owner)
		for _, st := range []models.Status{models.StatusDraft, models.StatusSubmitted, models.StatusApproved, models.StatusRejected} {
			var id uint
			w.DB.Raw("SELECT id FROM expenses WHERE employee_id = ? AND status = ? ORDER BY id LIMIT 1", u.UserID, st).Scan(&id)
			if id == 0 {
				id = w.expense(t, owner, st).ID
			}
			w.expenses = append(w.expenses, w.load(t, id))
		}
	}
	for _, who := range accessActors {
		if who == liam {
			w.people[who] = signInAs(t, w.world, asSSO)
		} else {
			w.people[who] = w.browser(t, who)
		}
		w.tokens[who] = csrfFor(t, w.people[who])
	}
	return w
}

// load reads an expense the way the policy needs it: with its Employee.
func (w *world) load(t *testing.T, id uint) *models.Expense {
	t.Helper()
	var e models.Expense
	if err := w.DB.Preload("Employee").Preload("Category").Where("id = ?", id).Take(&e).Error; err != nil {
		t.Fatalf("load expense %d: %v", id, err)
	}
	return &e
}

func describe(e *models.Expense) string {
	return fmt.Sprintf("expense %d (%s, owner %d)", e.ID, e.Status, e.EmployeeID)
}

func TestExpensePagesOpenExactlyForThePeopleThePolicyLetsSeeThem(t *testing.T) {
	t.Parallel()
	w := newAccessWorld(t)
	checked := map[bool]int{}
	for _, who := range accessActors {
		me, b := w.person(t, who), w.people[who]
		for _, e := range w.expenses {
			canView := policy.Can(me, policy.ViewExpense, e)
			checked[canView]++
			res := b.Get("/expenses/" + idString(e.ID))
			switch {
			case canView && res.StatusCode != http.StatusOK:
				t.Errorf("%s GET %s: %d, want 200 (the policy lets them see it)", who, describe(e), res.StatusCode)
			case !canView && res.StatusCode != http.StatusNotFound:
				t.Errorf("%s GET %s: %d, want 404 (the policy does not let them see it, nor learn it exists)", who, describe(e), res.StatusCode)
			}
			if !canView && strings.Contains(res.Body, e.Merchant) {
				t.Errorf("%s GET %s: the refusal shows its merchant %q", who, describe(e), e.Merchant)
			}
			edit := b.Get("/expenses/" + idString(e.ID) + "/edit")
			canEdit := policy.Can(me, policy.EditExpense, e)
			if canEdit != (edit.StatusCode == http.StatusOK) {
				t.Errorf("%s GET %s edit form: %d, policy says edit=%v", who, describe(e), edit.StatusCode, canEdit)
			}
			if !canView && edit.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s edit form: %d, want 404 for an expense they may not see", who, describe(e), edit.StatusCode)
			}
		}
	}
	if checked[true] < 10 || checked[false] < 10 {
		t.Errorf("the sample tried too few allowed (%d) or refused (%d) views to prove anything", checked[true], checked[false])
	}
}

// expenseAction is a POST on one expense and the policy action that guards
// it, with the form a person allowed to act would send.
type expenseAction struct {
	path   string
	action policy.Action
	form   func(w *accessWorld, e *models.Expense) url.Values
}

var expenseActions = []expenseAction{
	{"submit", policy.SubmitExpense, nil},
	{"approve", policy.ApproveExpense, nil},
	{"reject", policy.RejectExpense, func(*accessWorld, *models.Expense) url.Values {
		return url.Values{"comment": {"Please attach the receipt."}}
	}},
	{"reimburse", policy.ReimburseExpense, nil},
	{"delete", policy.DeleteExpense, nil},
	{"", policy.EditExpense, func(w *accessWorld, e *models.Expense) url.Values {
		return url.Values{"spent_on": {e.SpentOn.Format("2006-01-02")}, "category_id": {idString(w.cats["Meals"].ID)},
			"amount": {"1.00"}, "currency": {"EUR"}, "merchant": {"Changed by someone else"}, "description": {"x"}}
	}},
}

// Every refused action leaves the expense exactly as it was and answers 404
// to someone who may not see the expense, 403 to someone who may.
func TestExpenseActionsThePolicyRefusesChangeNothingAndAnswer403Or404(t *testing.T) {
	t.Parallel()
	w := newAccessWorld(t)
	refused := 0
	for _, who := range accessActors {
		me, b := w.person(t, who), w.people[who]
		for _, e := range w.expenses {
			for _, a := range expenseActions {
				if policy.Can(me, a.action, e) {
					continue // allowed: the inventory and the workflow tests do these
				}
				refused++
				form := url.Values{"_csrf": {w.tokens[who]}, "version": {strconv.Itoa(e.Version)}}
				if a.form != nil {
					for k, v := range a.form(w, e) {
						form[k] = v
					}
				}
				target := "/expenses/" + idString(e.ID)
				if a.path != "" {
					target += "/" + a.path
				}
				res := b.PostForm(target, form)
				want := http.StatusForbidden
				if !policy.Can(me, policy.ViewExpense, e) {
					want = http.StatusNotFound
				}
				if res.StatusCode != want {
					t.Errorf("%s POST %s on %s: %d, want %d (%s)", who, target, describe(e), res.StatusCode, want,
						policy.Decide(me, a.action, e).Reason)
				}
				after := w.stored(t, e.ID)
				if after == nil || after.Status != e.Status || after.Version != e.Version || after.Merchant != e.Merchant {
					t.Fatalf("%s POST %s on %s, which the policy refuses, changed it: %+v", who, target, describe(e), after)
				}
			}
		}
	}
	if refused < 100 {
		t.Errorf("only %d refused actions tried; the sample lost its variety", refused)
	}
}

// A receipt opens for exactly the people who may see its expense; attaching
// one to someone else's expense is refused and stores nothing.
func TestReceiptsOpenAndAttachExactlyAsThePolicySays(t *testing.T) {
	t.Parallel()
	w := newAccessWorld(t)
	o := demoIDs(t, w.world)
	e := w.load(t, o.withReceipt.ID)
	draft := w.load(t, o.draftReceipt.ID)
	for _, who := range accessActors {
		me, b := w.person(t, who), w.people[who]
		res := b.Get("/expenses/" + idString(e.ID) + "/receipt")
		if can := policy.Can(me, policy.ViewReceipt, e); can != (res.StatusCode == http.StatusOK) {
			t.Errorf("%s GET receipt of %s: %d, policy says view=%v", who, describe(e), res.StatusCode, can)
		}
		if policy.Can(me, policy.AttachReceipt, draft) {
			continue
		}
		up := multipartPost(t, b, w.URL, "/expenses/"+idString(draft.ID)+"/receipt",
			url.Values{"_csrf": {w.tokens[who]}, "version": {strconv.Itoa(draft.Version)}}, "evil.png", pngBytes(t))
		if up.StatusCode != http.StatusNotFound && up.StatusCode != http.StatusForbidden {
			t.Errorf("%s attaching a receipt to %s: %d, want 403/404", who, describe(draft), up.StatusCode)
		}
		if after := w.stored(t, draft.ID); after.HasReceipt || after.Version != draft.Version {
			t.Fatalf("%s attached a receipt to someone else's %s", who, describe(draft))
		}
	}
}

// Every row of a list or an export is one the policy lets the person see,
// whatever scope the query string asks for, and a person's own expenses
// are all there.
func TestExpenseListsAndCSVExportHoldOnlyRowsThePolicyLetsThePersonSee(t *testing.T) {
	t.Parallel()
	w := newAccessWorld(t)
	queries := []string{"", "?scope=mine", "?scope=team", "?scope=all", "?scope=all&status=draft",
		"?scope=team&status=draft", "?scope=everyone", "?scope=all&per_page=1000"}
	for _, who := range accessActors {
		me, b := w.person(t, who), w.people[who]
		for _, q := range queries {
			res := b.Get("/expenses/export.csv" + q)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s export %s: %d", who, q, res.StatusCode)
				continue
			}
			rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
			if err != nil || len(rows) == 0 || rows[0][0] != "ID" {
				t.Fatalf("%s export %s: not the CSV expected: %v", who, q, err)
			}
			for _, r := range rows[1:] {
				id, err := strconv.ParseUint(r[0], 10, 32)
				if err != nil {
					t.Fatalf("%s export %s: row id %q", who, q, r[0])
				}
				if e := w.load(t, uint(id)); !policy.Can(me, policy.ViewExpense, e) {
					t.Errorf("%s export %s holds %s, which the policy does not let them see", who, q, describe(e))
				}
			}
			page := b.Get("/expenses" + q)
			if page.StatusCode != http.StatusOK {
				t.Errorf("%s list %s: %d", who, q, page.StatusCode)
				continue
			}
			page.Doc(t).Find(`a[href^="/expenses/"]`).Each(func(_ int, s *goquery.Selection) {
				href := strings.TrimPrefix(s.AttrOr("href", ""), "/expenses/")
				id, err := strconv.ParseUint(href, 10, 32)
				if err != nil {
					return // new, export, edit links
				}
				if e := w.load(t, uint(id)); !policy.Can(me, policy.ViewExpense, e) {
					t.Errorf("%s list %s links %s, which the policy does not let them see", who, q, describe(e))
				}
			})
		}
	}
}

// An employee's export, filtered for a colleague's category and text, still
// holds their own rows only: filters narrow what the person may see and
// never widen it.
func TestEmployeeCSVExportFilteredForAColleagueHoldsOnlyTheirOwnRows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	colleague := w.expense(t, liam, models.StatusApproved)
	mine := w.expense(t, employee, models.StatusApproved)
	b := w.browser(t, employee)
	emily := w.person(t, employee)
	for _, q := range []string{
		"?scope=all&q=" + url.QueryEscape(colleague.Merchant),
		"?scope=team&q=" + url.QueryEscape(colleague.Merchant),
		"?scope=all&category=" + idString(colleague.CategoryID),
		"?scope=all&employee=" + idString(colleague.EmployeeID),
	} {
		res := b.Get("/expenses/export.csv" + q)
		rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("export %s: %v", q, err)
		}
		for _, r := range rows[1:] {
			if r[2] != emily.FullName {
				t.Errorf("export %s as Emily holds a row of %s: %v", q, r[2], r)
			}
		}
	}
	// The control: her own row is found by the same kind of filter.
	res := b.Get("/expenses/export.csv?q=" + url.QueryEscape(mine.Merchant))
	if !strings.Contains(res.Body, mine.Merchant) {
		t.Errorf("Emily's export lacks her own %q", mine.Merchant)
	}
}

// Bulk reimbursement pays exactly the ticked expenses the policy lets the
// person pay: their own, drafts, submitted and already paid ones are named
// ids in the form but stay as they were.
func TestBulkReimbursementPaysOnlyTheTickedExpensesThePolicyAllows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fiona := w.person(t, finance)
	candidates := []*models.Expense{
		w.expense(t, employee, models.StatusApproved), // may pay
		w.expense(t, finance, models.StatusApproved),  // her own
		w.expense(t, employee, models.StatusDraft),
		w.expense(t, employee, models.StatusSubmitted),
		w.expense(t, liam, models.StatusRejected),
		w.expense(t, liam, models.StatusReimbursed),
	}
	form := url.Values{"_csrf": {""}}
	b := w.browser(t, finance)
	form.Set("_csrf", csrfFor(t, b))
	want := map[uint]bool{}
	for _, e := range candidates {
		form.Add("ids", idString(e.ID))
		want[e.ID] = policy.Can(fiona, policy.ReimburseExpense, w.load(t, e.ID))
	}
	form.Add("ids", "999999") // no such expense
	res := b.PostForm("/reimbursements", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk reimbursement: %d", res.StatusCode)
	}
	paid := 0
	for _, e := range candidates {
		after := w.stored(t, e.ID)
		got := after.Status == models.StatusReimbursed && e.Status != models.StatusReimbursed
		if got != want[e.ID] {
			t.Errorf("%s: reimbursed=%v, policy says %v", describe(e), got, want[e.ID])
		}
		if got {
			paid++
		}
		if !want[e.ID] && after.Version != e.Version {
			t.Errorf("%s changed although the policy refuses to pay it", describe(e))
		}
	}
	if paid != 1 {
		t.Errorf("paid %d expenses, want exactly the one the policy allows", paid)
	}
}

// The category of an expense must be one the form offers: an inactive or
// unknown category id is refused next to the field, and nothing is saved.
func TestExpenseFormRefusesACategoryIdItDoesNotOffer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, employee)
	inactive := w.cats["Telephone"]
	if err := w.DB.Model(&models.Category{}).Where("id = ?", inactive.ID).Update("active", false).Error; err != nil {
		t.Fatal(err)
	}
	for _, cat := range []string{idString(inactive.ID), "999999", "-1", "1 OR 1=1"} {
		merchant := uniqueMerchant("Category probe")
		res := b.Submit("/expenses/new", `form[action="/expenses"]`, url.Values{
			"spent_on": {"2026-01-15"}, "category_id": {cat}, "amount": {"12.00"}, "currency": {"EUR"},
			"merchant": {merchant}, "description": {"probe"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("category %q: %d, want 422", cat, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if doc.Find(".field-invalid #f-category_id").Length() != 1 {
			t.Errorf("category %q: no message next to the category field", cat)
		}
		if got := doc.Find(`input[name="merchant"]`).AttrOr("value", ""); got != merchant {
			t.Errorf("category %q: the merchant typed was not kept (%q)", cat, got)
		}
		var n int64
		w.DB.Model(&models.Expense{}).Where("merchant = ?", merchant).Count(&n)
		if n != 0 {
			t.Errorf("category %q: an expense was saved", cat)
		}
	}
}

// The admin user form's manager and department ids must name a real
// department and an active manager other than the person: anything else is
// refused next to its field, with the rest of the input kept, and nothing
// is saved.
func TestAdminUserFormRefusesManagerAndDepartmentIdsItDoesNotOffer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser(t, admin)
	emily, noah := w.person(t, employee), w.person(t, "noah.kim@example.com")
	if err := w.DB.Exec("UPDATE users SET active = ? WHERE id = ?", false, w.person(t, "sofia.martinez@example.com").UserID).Error; err != nil {
		t.Fatal(err)
	}
	sofia := w.person(t, "sofia.martinez@example.com")
	cases := []struct{ field, value string }{
		{"manager_id", idString(emily.UserID)}, // herself
		{"manager_id", idString(noah.UserID)},  // not a manager
		{"manager_id", idString(sofia.UserID)}, // deactivated manager
		{"manager_id", "999999"},
		{"manager_id", "abc"},
		{"department_id", "999999"},
		{"department_id", "0"},
	}
	for _, tc := range cases {
		page := "/admin/users/" + idString(emily.UserID)
		res := b.Submit(page, `form[action="`+page+`"]`, url.Values{tc.field: {tc.value}, "full_name": {"Emily Carter-Probe"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s=%s: %d, want 422", tc.field, tc.value, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if doc.Find(".field-invalid [name=\""+tc.field+"\"]").Length() == 0 {
			t.Errorf("%s=%s: no message next to the field", tc.field, tc.value)
		}
		if got := doc.Find(`input[name="full_name"]`).AttrOr("value", ""); got != "Emily Carter-Probe" {
			t.Errorf("%s=%s: the name typed was not kept (%q)", tc.field, tc.value, got)
		}
		after := w.person(t, employee)
		if after.FullName != emily.FullName || deref(after.ManagerID) != deref(emily.ManagerID) ||
			deref(after.DepartmentID) != deref(emily.DepartmentID) {
			t.Errorf("%s=%s: Emily changed although the form was refused", tc.field, tc.value)
		}
	}
}

// deref is the id a nullable reference holds, 0 for none.
func deref(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}
