package expenses_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// race runs both functions at the same moment and returns their errors.
func race(a, b func() error) (errA, errB error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; errA = a() }()
	go func() { defer wg.Done(); <-start; errB = b() }()
	close(start)
	wg.Wait()
	return errA, errB
}

// lineUp makes each write of svc wait (briefly) until two actors are
// about to write, so that both have read the same version before either
// writes, the worst case for optimistic concurrency. On PostgreSQL both
// get there, and the loser's guarded UPDATE waits for the winner's commit
// and then matches no row. SQLite serialises the two transactions from
// their start, so the wait times out and the loser reads the new version.
// It returns how many writes were attempted.
func lineUp(svc *expenses.Service) *atomic.Int32 {
	var mu sync.Mutex
	arrived := 0
	both := make(chan struct{})
	var attempts atomic.Int32
	expenses.SetBeforeWrite(svc, func() {
		attempts.Add(1)
		mu.Lock()
		arrived++
		if arrived == 2 {
			close(both)
		}
		mu.Unlock()
		select {
		case <-both:
		case <-time.After(300 * time.Millisecond):
		}
	})
	return &attempts
}

// TestConcurrentApproveAndRejectExactlyOneWins has a manager approve and
// reject the same expense at the same moment (two browser tabs), many
// times over, on a real file database. Exactly one must win each time;
// the other must get a ConflictError naming what happened, and the history
// must hold exactly one decision.
func TestConcurrentApproveAndRejectExactlyOneWins(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for round := range 5 {
			x := e.expenseOf(e.c.Owner, models.StatusSubmitted)
			attempts := lineUp(e.svc)
			errA, errB := race(
				func() error { _, err := e.svc.Approve(e.ctx, e.c.Manager, x.ID, x.Version, ""); return err },
				func() error { _, err := e.svc.Reject(e.ctx, e.c.Manager, x.ID, x.Version, "No receipt."); return err },
			)
			expenses.SetBeforeWrite(e.svc, nil)
			checkOneWinner(t, round, errA, errB)
			checkAttempts(t, db, attempts)
			decisions := 0
			for _, ev := range e.events(x.ID) {
				if ev.Action == models.EventApproved || ev.Action == models.EventRejected {
					decisions++
				}
			}
			if got := e.reload(x.ID); decisions != 1 || got.Version != x.Version+1 {
				t.Errorf("round %d: %d decisions recorded, version %d", round, decisions, got.Version)
			}
		}
	})
}

// TestConcurrentReimbursementsByTwoFinancePeopleExactlyOneWins has two
// members of finance reimburse the same expense at the same moment.
func TestConcurrentReimbursementsByTwoFinancePeopleExactlyOneWins(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for round := range 5 {
			x := e.expenseOf(e.c.Owner, models.StatusApproved)
			attempts := lineUp(e.svc)
			errA, errB := race(
				func() error { _, err := e.svc.Reimburse(e.ctx, e.c.Finance, x.ID, x.Version); return err },
				func() error { _, err := e.svc.Reimburse(e.ctx, e.c.Finance2, x.ID, x.Version); return err },
			)
			expenses.SetBeforeWrite(e.svc, nil)
			checkOneWinner(t, round, errA, errB)
			checkAttempts(t, db, attempts)
			n := 0
			for _, ev := range e.events(x.ID) {
				if ev.Action == models.EventReimbursed {
					n++
				}
			}
			if n != 1 {
				t.Errorf("round %d: reimbursed %d times", round, n)
			}
		}
	})
}

// TestConcurrentBatchAndSingleReimbursementPayOnce races ReimburseMany (no
// versions: its guard is the status) against a single reimbursement.
func TestConcurrentBatchAndSingleReimbursementPayOnce(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		for round := range 5 {
			x := e.expenseOf(e.c.Owner, models.StatusApproved)
			attempts := lineUp(e.svc)
			var results []expenses.Result
			errA, errB := race(
				func() error { _, err := e.svc.Reimburse(e.ctx, e.c.Finance, x.ID, x.Version); return err },
				func() (err error) {
					results, err = e.svc.ReimburseMany(e.ctx, e.c.Finance2, []uint{x.ID})
					if err == nil {
						err = results[0].Err
					}
					return err
				},
			)
			expenses.SetBeforeWrite(e.svc, nil)
			checkOneWinner(t, round, errA, errB)
			checkAttempts(t, db, attempts)
		}
	})
}

// checkAttempts checks that the race took the path the database implies:
// on PostgreSQL both actors reached the guarded UPDATE (which then let only
// one through), on SQLite only the first did.
func checkAttempts(t *testing.T, db *gorm.DB, attempts *atomic.Int32) {
	t.Helper()
	want := int32(1)
	if db.Dialector.Name() == "postgres" {
		want = 2
	}
	if got := attempts.Load(); got != want {
		t.Errorf("%d actors reached the UPDATE on %s, want %d", got, db.Dialector.Name(), want)
	}
}

func checkOneWinner(t *testing.T, round int, errA, errB error) {
	t.Helper()
	if (errA == nil) == (errB == nil) {
		t.Fatalf("round %d: want exactly one winner, got %v and %v", round, errA, errB)
	}
	loser := errA
	if loser == nil {
		loser = errB
	}
	var ce *expenses.ConflictError
	if !errors.As(loser, &ce) {
		t.Fatalf("round %d: the loser got %v, want ConflictError", round, loser)
	}
	if !strings.HasPrefix(ce.Error(), "Already ") || ce.By == "" {
		t.Errorf("round %d: conflict message %q does not say who won", round, ce.Error())
	}
}
