package expenses_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/models"
)

// operation is one arrow of the workflow, run as actor on x.
type operation struct {
	name  string
	run   func(e *env, actor *models.Employee, x *models.Expense) (*models.Expense, error)
	to    func(models.Status) models.Status
	event models.EventAction
}

func operations() []operation {
	same := func(s models.Status) models.Status { return s }
	to := func(s models.Status) func(models.Status) models.Status {
		return func(models.Status) models.Status { return s }
	}
	return []operation{
		{"update", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			d := e.draft()
			d.Amount = "99.00"
			return e.svc.Update(e.ctx, a, x.ID, x.Version, d, false)
		}, same, models.EventEdited},
		{"delete", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return nil, e.svc.Delete(e.ctx, a, x.ID, x.Version)
		}, nil, ""},
		{"attach receipt", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return e.svc.AttachReceipt(e.ctx, a, x.ID, x.Version, expenses.Upload{Name: "r.png", Data: pngBytes()})
		}, same, models.EventReceiptAttached},
		{"submit", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return e.svc.Submit(e.ctx, a, x.ID, x.Version)
		}, to(models.StatusSubmitted), models.EventSubmitted},
		{"approve", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return e.svc.Approve(e.ctx, a, x.ID, x.Version, "")
		}, to(models.StatusApproved), models.EventApproved},
		{"reject", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return e.svc.Reject(e.ctx, a, x.ID, x.Version, "Wrong category.")
		}, to(models.StatusRejected), models.EventRejected},
		{"reimburse", func(e *env, a *models.Employee, x *models.Expense) (*models.Expense, error) {
			return e.svc.Reimburse(e.ctx, a, x.ID, x.Version)
		}, to(models.StatusReimbursed), models.EventReimbursed},
	}
}

// TestEveryTransitionForEveryRoleIsAllowedOrRefusedAsSpecified runs every
// operation on an expense in every status as every kind of person. Only
// these succeed: the owner updates, deletes, attaches a receipt to and
// submits drafts and rejected expenses; the owner's manager approves and
// rejects submitted ones; finance reimburses approved ones. A success moves
// the status, bumps the version and writes one history entry naming the
// actor; a refusal is ErrNotFound for those who may not even see the
// expense, NotAllowedError for the others, and writes nothing.
func TestEveryTransitionForEveryRoleIsAllowedOrRefusedAsSpecified(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		c := e.c
		inactiveOwner := *c.Owner
		inactiveOwner.User.Active = false
		actors := map[string]*models.Employee{
			"owner": c.Owner, "owner's manager": c.Manager, "other manager": c.OtherManager,
			"finance": c.Finance, "admin": c.Admin, "peer": c.Peer, "inactive colleague": c.Inactive,
			"owner, deactivated": &inactiveOwner,
		}
		ownersHands := []models.Status{models.StatusDraft, models.StatusRejected}
		allowed := map[string]map[string][]models.Status{
			"update":         {"owner": ownersHands},
			"delete":         {"owner": ownersHands},
			"attach receipt": {"owner": ownersHands},
			"submit":         {"owner": ownersHands},
			"approve":        {"owner's manager": {models.StatusSubmitted}},
			"reject":         {"owner's manager": {models.StatusSubmitted}},
			"reimburse":      {"finance": {models.StatusApproved}},
		}
		canSee := func(who string, s models.Status) bool {
			switch who {
			case "owner":
				return true
			case "owner's manager", "finance", "admin":
				return s != models.StatusDraft
			}
			return false
		}
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range actors {
				if !yield(k) {
					return
				}
			}
		})
		for _, op := range operations() {
			for _, status := range models.AllStatuses() {
				x := e.expenseOf(c.Owner, status)
				// The one allowed actor, if any, goes last: the refusals
				// must all see the expense untouched.
				order := slices.Clone(names)
				slices.SortStableFunc(order, func(a, b string) int {
					return boolCmp(slices.Contains(allowed[op.name][a], status), slices.Contains(allowed[op.name][b], status))
				})
				for _, who := range order {
					actor := actors[who]
					before := e.events(x.ID)
					got, err := op.run(e, actor, x)
					if slices.Contains(allowed[op.name][who], status) {
						checkApplied(t, e, op, who, actor, x, got, err, len(before))
						continue
					}
					var na *expenses.NotAllowedError
					switch {
					case !canSee(who, status) && !errors.Is(err, expenses.ErrNotFound):
						t.Errorf("%s: %s on %s: want ErrNotFound, got %v", op.name, who, status, err)
					case canSee(who, status) && !errors.As(err, &na):
						t.Errorf("%s: %s on %s: want NotAllowedError, got %v", op.name, who, status, err)
					}
					if after := e.events(x.ID); len(after) != len(before) {
						t.Errorf("%s: %s on %s was refused but wrote history: %+v", op.name, who, status, after[len(before):])
					}
					if now := e.reload(x.ID); now.Version != x.Version || now.Status != x.Status || now.HasReceipt != x.HasReceipt {
						t.Errorf("%s: %s on %s was refused but changed the expense", op.name, who, status)
					}
				}
			}
		}
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func checkApplied(t *testing.T, e *env, op operation, who string, actor *models.Employee, x, got *models.Expense, err error, eventsBefore int) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %s on %s: %v", op.name, who, x.Status, err)
		return
	}
	if op.to == nil { // delete
		var n int64
		e.db.Model(&models.Expense{}).Where("id = ?", x.ID).Count(&n)
		if n != 0 || len(e.events(x.ID)) != 0 {
			t.Errorf("delete left the expense (%d) or its history behind", n)
		}
		return
	}
	if want := op.to(x.Status); got.Status != want || got.Version != x.Version+1 {
		t.Errorf("%s: %s on %s: now %s v%d, want %s v%d", op.name, who, x.Status, got.Status, got.Version, want, x.Version+1)
	}
	evs := e.events(x.ID)
	if len(evs) != eventsBefore+1 {
		t.Fatalf("%s wrote %d events, want 1", op.name, len(evs)-eventsBefore)
	}
	last := evs[len(evs)-1]
	if last.ActorID != actor.UserID || last.Action != op.event || last.FromStatus != x.Status || last.ToStatus != got.Status {
		t.Errorf("%s recorded %+v", op.name, last)
	}
}

func TestCreateSavesDraftWithCreatedEvent(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x, err := e.svc.Create(e.ctx, e.c.Owner, e.draft(), false)
	if err != nil {
		t.Fatal(err)
	}
	if x.Status != models.StatusDraft || x.Version != 1 || x.AmountMinor != 1250 || x.Currency != "EUR" ||
		!x.SpentOn.Equal(day(2026, 3, 10)) || x.Category.Name != "Travel" || x.Employee.UserID != e.c.Owner.UserID {
		t.Errorf("created %+v", x)
	}
	evs := e.events(x.ID)
	if len(evs) != 1 || evs[0].Action != models.EventCreated || evs[0].ToStatus != models.StatusDraft || evs[0].ActorID != e.c.Owner.UserID {
		t.Errorf("history %+v", evs)
	}
}

func TestCreateAndSubmitWritesBothEventsInOneGo(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x, err := e.svc.Create(e.ctx, e.c.Owner, e.draft(), true)
	if err != nil {
		t.Fatal(err)
	}
	evs := e.events(x.ID)
	if x.Status != models.StatusSubmitted || x.Version != 2 || len(evs) != 2 || evs[1].Action != models.EventSubmitted {
		t.Errorf("got %s v%d with %+v", x.Status, x.Version, evs)
	}
}

func TestCreateAndSubmitWithoutManagerIsRefusedAndSavesNothing(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	loner := expensestest.Employee(t, e.db, "loner@example.com", "Lou Loner", nil, models.RoleEmployee)
	_, err := e.svc.Create(e.ctx, loner, e.draft(), true)
	var na *expenses.NotAllowedError
	if !errors.As(err, &na) || !strings.Contains(na.Reason, "no manager") {
		t.Fatalf("got %v", err)
	}
	var n int64
	e.db.Model(&models.Expense{}).Count(&n)
	if n != 0 {
		t.Errorf("%d expenses saved", n)
	}
}

func TestCreateRefusesInvalidDraftAndWritesNothing(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	d := e.draft()
	d.Amount = "-5"
	d.Merchant = ""
	_, err := e.svc.Create(e.ctx, e.c.Owner, d, true)
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || fe["amount"] == "" || fe["merchant"] == "" {
		t.Fatalf("got %v", err)
	}
	var n int64
	e.db.Model(&models.ExpenseEvent{}).Count(&n)
	if n != 0 {
		t.Errorf("%d events written", n)
	}
}

func TestCreateNeedsTheEmployeeRole(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	auditor := expensestest.Employee(t, e.db, "auditor@example.com", "Aud Itor", &e.c.Manager.UserID, models.RoleFinance)
	_, err := e.svc.Create(e.ctx, auditor, e.draft(), false)
	var na *expenses.NotAllowedError
	if !errors.As(err, &na) {
		t.Fatalf("got %v", err)
	}
}

func TestUpdateRecordsWhichFieldsChangedAndNothingWhenUnchanged(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusDraft)
	same, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, expenses.DraftOf(x), false)
	if err != nil || same.Version != x.Version || len(e.events(x.ID)) != 1 {
		t.Fatalf("unchanged form: v%d, %d events, %v", same.Version, len(e.events(x.ID)), err)
	}
	d := expenses.DraftOf(x)
	d.Amount, d.Merchant = "15", "SNCF"
	got, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, false)
	if err != nil {
		t.Fatal(err)
	}
	evs := e.events(x.ID)
	if got.AmountMinor != 1500 || got.Merchant != "SNCF" || got.Version != 2 || evs[1].Comment != "Changed amount, merchant." {
		t.Errorf("got %+v, history %+v", got, evs)
	}
}

func TestUpdateKeepsACategoryDeactivatedSinceButRefusesSwitchingToOne(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusDraft)
	// The expense was filed under Telephone while it was still active.
	e.db.Model(&models.Expense{}).Where("id = ?", x.ID).Update("category_id", e.c.Telephone.ID)
	x = e.reload(x.ID)
	d := expenses.DraftOf(x)
	d.Description = "Roaming"
	if _, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, false); err != nil {
		t.Fatalf("keeping the deactivated category: %v", err)
	}
	y := e.expenseOf(e.c.Owner, models.StatusDraft)
	d = expenses.DraftOf(y)
	d.CategoryID = itoa(e.c.Telephone.ID)
	_, err := e.svc.Update(e.ctx, e.c.Owner, y.ID, y.Version, d, false)
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["category_id"], "no longer in use") {
		t.Errorf("switching to a deactivated category: %v", err)
	}
}

func TestUpdateWithStaleVersionIsAConflictNotALostUpdate(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusDraft)
	d := e.draft()
	d.Amount = "20"
	if _, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, false); err != nil {
		t.Fatal(err)
	}
	d.Amount = "30" // the second browser tab still shows version 1
	_, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, false)
	var ce *expenses.ConflictError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Error(), "Changed by Erin Employee on 15 Mar 2026 at 10:00 UTC") {
		t.Fatalf("got %v", err)
	}
	if e.reload(x.ID).AmountMinor != 2000 {
		t.Error("the stale update overwrote the first")
	}
}

// TestUpdateAndSubmitWritesTheEditAndTheSubmissionInOneGo is the edit
// form's "Save and submit": the changes, the submission and both history
// entries, with the rollup counting the edited amount as submitted.
func TestUpdateAndSubmitWritesTheEditAndTheSubmissionInOneGo(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for _, status := range []models.Status{models.StatusDraft, models.StatusRejected} {
			x := e.expenseOf(e.c.Owner, status)
			before := len(e.events(x.ID))
			d := expenses.DraftOf(x)
			d.Amount, d.Currency, d.SpentOn = "77.00", "GBP", "2026-02-27"
			got, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, true)
			if err != nil {
				t.Fatalf("%s: %v", status, err)
			}
			if got.Status != models.StatusSubmitted || got.Version != x.Version+2 || got.AmountMinor != 7700 || got.Currency != "GBP" {
				t.Errorf("%s: now %s v%d %d %s, want submitted v%d 7700 GBP",
					status, got.Status, got.Version, got.AmountMinor, got.Currency, x.Version+2)
			}
			evs := e.events(x.ID)[before:]
			if len(evs) != 2 ||
				evs[0].Action != models.EventEdited || evs[0].FromStatus != status || evs[0].ToStatus != status ||
				evs[0].Comment != "Changed date, amount." ||
				evs[1].Action != models.EventSubmitted || evs[1].FromStatus != status || evs[1].ToStatus != models.StatusSubmitted {
				t.Errorf("%s: history %+v, want edited then submitted", status, evs)
			}
			checkRollup(t, db, "after update and submit of a "+string(status)+" expense")
		}
		// A form sent back unchanged is only submitted.
		x := e.expenseOf(e.c.Owner, models.StatusDraft)
		got, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, expenses.DraftOf(x), true)
		if err != nil || got.Status != models.StatusSubmitted || got.Version != x.Version+1 {
			t.Fatalf("unchanged form: %+v, %v", got, err)
		}
		if evs := e.events(x.ID); len(evs) != 2 || evs[1].Action != models.EventSubmitted {
			t.Errorf("unchanged form: history %+v, want created then submitted", evs)
		}
		checkRollup(t, db, "after submitting an unchanged form")
	})
}

// TestUpdateAndSubmitRefusedForAnEmployeeWithoutManagerWritesNothing: the
// submission is refused, and so is the edit that came with it.
func TestUpdateAndSubmitRefusedForAnEmployeeWithoutManagerWritesNothing(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		loner := expensestest.Employee(t, db, "loner@example.com", "Lou Loner", nil, models.RoleEmployee)
		x, err := e.svc.Create(e.ctx, loner, e.draft(), false)
		if err != nil {
			t.Fatal(err)
		}
		d := expenses.DraftOf(x)
		d.Amount, d.Merchant = "99.00", "Changed merchant"
		d.Receipt = &expenses.Upload{Name: "r.png", Data: pngBytes()}
		_, err = e.svc.Update(e.ctx, loner, x.ID, x.Version, d, true)
		var na *expenses.NotAllowedError
		if !errors.As(err, &na) || na.Action != policy.SubmitExpense || !strings.Contains(na.Reason, "no manager") {
			t.Fatalf("got %v, want a refused submission", err)
		}
		now := e.reload(x.ID)
		if now.Version != x.Version || now.Status != models.StatusDraft || now.AmountMinor != x.AmountMinor ||
			now.Merchant != x.Merchant || now.HasReceipt {
			t.Errorf("the refused update changed the draft: %+v", now)
		}
		if evs := e.events(x.ID); len(evs) != 1 {
			t.Errorf("the refused update wrote history: %+v", evs)
		}
		var receipts int64
		db.Model(&models.Receipt{}).Where("expense_id = ?", x.ID).Count(&receipts)
		if receipts != 0 {
			t.Error("the refused update stored the receipt")
		}
		checkRollup(t, db, "after a refused update and submit")
	})
}

func TestUpdateAndSubmitWithInvalidInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusDraft)
	d := expenses.DraftOf(x)
	d.Amount = "-1"
	_, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, true)
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || fe["amount"] == "" {
		t.Fatalf("got %v, want a message beside the amount", err)
	}
	if now := e.reload(x.ID); now.Version != x.Version || now.Status != models.StatusDraft || len(e.events(x.ID)) != 1 {
		t.Errorf("invalid input changed the draft: %+v", now)
	}
}

func TestDeleteRemovesHistoryAndReceiptWithTheExpense(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		x := e.expenseOf(e.c.Owner, models.StatusRejected)
		x, err := e.svc.AttachReceipt(e.ctx, e.c.Owner, x.ID, x.Version, expenses.Upload{Name: "r.png", Data: pngBytes()})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Delete(e.ctx, e.c.Owner, x.ID, x.Version); err != nil {
			t.Fatal(err)
		}
		var events, receipts int64
		db.Model(&models.ExpenseEvent{}).Where("expense_id = ?", x.ID).Count(&events)
		db.Model(&models.Receipt{}).Where("expense_id = ?", x.ID).Count(&receipts)
		if events != 0 || receipts != 0 {
			t.Errorf("left %d events and %d receipts", events, receipts)
		}
	})
}

func TestRejectedExpenseCanBeCorrectedAndResubmitted(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusRejected)
	d := expenses.DraftOf(x)
	d.Description = "Train, receipt attached"
	x, err := e.svc.Update(e.ctx, e.c.Owner, x.ID, x.Version, d, false)
	if err != nil {
		t.Fatal(err)
	}
	if x, err = e.svc.Submit(e.ctx, e.c.Owner, x.ID, x.Version); err != nil {
		t.Fatal(err)
	}
	if x, err = e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, "Thanks"); err != nil {
		t.Fatal(err)
	}
	var actions []models.EventAction
	for _, ev := range e.events(x.ID) {
		actions = append(actions, ev.Action)
	}
	want := []models.EventAction{models.EventCreated, models.EventSubmitted, models.EventRejected, models.EventEdited, models.EventSubmitted, models.EventApproved}
	if !slices.Equal(actions, want) {
		t.Errorf("history %v, want %v", actions, want)
	}
}

func TestRejectRequiresACommentAndWritesNothingWithoutOne(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusSubmitted)
	_, err := e.svc.Reject(e.ctx, e.c.Manager, x.ID, x.Version, "   ")
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || fe["comment"] != "Say why, so that Erin Employee knows what to correct." {
		t.Fatalf("got %v", err)
	}
	if len(e.events(x.ID)) != 2 || e.reload(x.ID).Status != models.StatusSubmitted {
		t.Error("a rejection without comment changed something")
	}
	got, err := e.svc.Reject(e.ctx, e.c.Manager, x.ID, x.Version, "Alcohol is not reimbursable.")
	if err != nil || got.Status != models.StatusRejected {
		t.Fatalf("with a comment: %v", err)
	}
	evs := e.events(x.ID)
	if evs[len(evs)-1].Comment != "Alcohol is not reimbursable." {
		t.Errorf("comment not recorded: %+v", evs[len(evs)-1])
	}
}

func TestApproveKeepsTheOptionalComment(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusSubmitted)
	if _, err := e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, " Within budget. "); err != nil {
		t.Fatal(err)
	}
	evs := e.events(x.ID)
	if evs[len(evs)-1].Comment != "Within budget." {
		t.Errorf("comment %q", evs[len(evs)-1].Comment)
	}
}

func TestConflictMessageSaysWhoActedFirstAndWhen(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusSubmitted)
	if _, err := e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Reject(e.ctx, e.c.Manager, x.ID, x.Version, "Too expensive")
	msg, ok := expenses.UserMessage(err)
	if !ok || msg != "Already approved by Maria Manager on 15 Mar 2026 at 10:00 UTC. Nothing was changed." {
		t.Errorf("got %q (%v)", msg, err)
	}
}

func TestGetOfSomeoneElsesExpenseIsNotFoundNotForbidden(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	draft := e.expenseOf(e.c.Owner, models.StatusDraft)
	submitted := e.expenseOf(e.c.Owner, models.StatusSubmitted)
	cases := []struct {
		who     *models.Employee
		x       *models.Expense
		visible bool
	}{
		{e.c.Owner, draft, true},
		{e.c.Peer, draft, false},
		{e.c.Peer, submitted, false},
		{e.c.Manager, draft, false}, // drafts are private, even to the manager
		{e.c.Manager, submitted, true},
		{e.c.OtherManager, submitted, false},
		{e.c.Finance, draft, false},
		{e.c.Finance, submitted, true},
		{e.c.Admin, submitted, true},
	}
	for _, tc := range cases {
		_, err := e.svc.Get(e.ctx, tc.who, tc.x.ID)
		_, herr := e.svc.History(e.ctx, tc.who, tc.x.ID)
		if tc.visible && (err != nil || herr != nil) {
			t.Errorf("%s cannot see %s expense: %v %v", tc.who.FullName, tc.x.Status, err, herr)
		}
		if !tc.visible && (!errors.Is(err, expenses.ErrNotFound) || !errors.Is(herr, expenses.ErrNotFound)) {
			t.Errorf("%s gets %v / %v for a %s expense, want ErrNotFound", tc.who.FullName, err, herr, tc.x.Status)
		}
	}
	if _, err := e.svc.Get(e.ctx, e.c.Owner, 999999); !errors.Is(err, expenses.ErrNotFound) {
		t.Errorf("missing expense: %v", err)
	}
	if msg, _ := expenses.UserMessage(fmt.Errorf("wrapped: %w", expenses.ErrNotFound)); msg == "" {
		t.Error("ErrNotFound has no user message")
	}
}

func TestReimburseManyReportsEachExpenseAndPaysTheRest(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ok1 := e.expenseOf(e.c.Owner, models.StatusApproved)
		ok2 := e.expenseOf(e.c.Peer, models.StatusApproved)
		own := e.expenseOf(e.c.Finance, models.StatusApproved)
		notYet := e.expenseOf(e.c.Owner, models.StatusSubmitted)
		paid := e.expenseOf(e.c.Owner, models.StatusReimbursed)
		draft := e.expenseOf(e.c.Owner, models.StatusDraft)
		results, err := e.svc.ReimburseMany(e.ctx, e.c.Finance, []uint{ok2.ID, ok1.ID, own.ID, notYet.ID, paid.ID, draft.ID, 424242, ok1.ID})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint]expenses.Result{}
		for _, r := range results {
			byID[r.ID] = r
		}
		if len(results) != 7 {
			t.Errorf("%d results for 7 distinct ids", len(results))
		}
		for _, x := range []*models.Expense{ok1, ok2} {
			if r := byID[x.ID]; r.Err != nil || r.Expense.Status != models.StatusReimbursed || e.reload(x.ID).Status != models.StatusReimbursed {
				t.Errorf("expense %d: %+v", x.ID, r)
			}
		}
		var ce *expenses.ConflictError
		if r := byID[paid.ID]; !errors.As(r.Err, &ce) || !strings.HasPrefix(ce.Error(), "Already reimbursed by Fiona Finance") {
			t.Errorf("already paid: %v, want ConflictError naming who paid", r.Err)
		}
		var na *expenses.NotAllowedError
		for _, x := range []*models.Expense{own, notYet} {
			if r := byID[x.ID]; !errors.As(r.Err, &na) {
				t.Errorf("expense %d (%s): %v, want NotAllowedError", x.ID, x.Status, r.Err)
			}
		}
		for _, id := range []uint{draft.ID, 424242} {
			if r := byID[id]; !errors.Is(r.Err, expenses.ErrNotFound) {
				t.Errorf("expense %d: %v, want ErrNotFound", id, r.Err)
			}
		}
		if e.reload(own.ID).Status != models.StatusApproved {
			t.Error("finance reimbursed their own expense")
		}
	})
}

func TestReimburseManyRefusesHugeBatches(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	ids := make([]uint, expenses.MaxBatch+1)
	for i := range ids {
		ids[i] = uint(i + 1)
	}
	_, err := e.svc.ReimburseMany(e.ctx, e.c.Finance, ids)
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) {
		t.Errorf("got %v", err)
	}
}

func TestUserMessageSortsUserErrorsFromFaults(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		expenses.ErrNotFound,
		expenses.FieldErrors{"amount": "Enter the amount."},
		&expenses.NotAllowedError{Action: policy.ApproveExpense, Reason: "No."},
		&expenses.ConflictError{},
		fmt.Errorf("wrapped: %w", expenses.FieldErrors{"x": "y"}),
	} {
		if msg, ok := expenses.UserMessage(err); !ok || msg == "" {
			t.Errorf("%v is not a user error", err)
		}
	}
	if _, ok := expenses.UserMessage(errors.New("disk full")); ok {
		t.Error("a fault counts as a user error")
	}
}
