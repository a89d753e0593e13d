package pages

// The caches of the menu's badges and of the categories, tested from
// inside the package with a hand-moved clock, so that "stale for at most
// the TTL" is checked exactly rather than by sleeping.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/cache"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// cacheWorld is the pages' handlers on a small company, with caches that
// read their time from clock.
type cacheWorld struct {
	a     *Handlers
	svc   *expenses.Service
	c     *expensestest.Company
	clock time.Time
	ctx   context.Context
}

func newCacheWorld(t *testing.T, db *gorm.DB) *cacheWorld {
	t.Helper()
	w := &cacheWorld{svc: expenses.NewService(db), c: expensestest.NewCompany(t, db), ctx: context.Background(),
		clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	w.a = New(nil, slog.New(slog.DiscardHandler), w.svc, nil)
	now := func() time.Time { return w.clock }
	w.a.badges = cache.NewTTL[string, pendingCountsResult](badgeTTL, badgeCacheSize, now)
	w.a.categories = cache.NewTTL[struct{}, []models.Category](categoryTTL, 1, now)
	return w
}

// request is a fresh request's context, as each page view gets.
func (w *cacheWorld) request() echo.Context {
	return echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/expenses", nil), httptest.NewRecorder())
}

// submitted creates a submitted expense of owner's, as another instance
// would: straight through the service, not through this module's routes.
func (w *cacheWorld) submitted(t *testing.T, owner *models.Employee) *models.Expense {
	t.Helper()
	e, err := w.svc.Create(w.ctx, owner, expenses.Draft{
		SpentOn:    time.Now().UTC().AddDate(0, 0, -3).Format(expenses.DateLayout),
		CategoryID: strconv.FormatUint(uint64(w.c.Travel.ID), 10),
		Amount:     "42.50", Currency: "EUR", Merchant: "Deutsche Bahn",
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (w *cacheWorld) approved(t *testing.T, owner *models.Employee) {
	t.Helper()
	e := w.submitted(t, owner)
	if _, err := w.svc.Approve(w.ctx, w.c.Manager, e.ID, e.Version, ""); err != nil {
		t.Fatal(err)
	}
}

// menu returns what the menu's badges show v on a new page.
func (w *cacheWorld) menu(t *testing.T, v *models.Employee) (approvals, reimbursements int64) {
	t.Helper()
	approvals, reimbursements, err := w.a.menuCounts(w.request(), v)
	if err != nil {
		t.Fatal(err)
	}
	return approvals, reimbursements
}

func (w *cacheWorld) fresh(t *testing.T, v *models.Employee) (approvals, reimbursements int64) {
	t.Helper()
	approvals, reimbursements, err := w.svc.Counts(w.ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	return approvals, reimbursements
}

func TestMenuBadgesShowAChangeElsewhereWithinTheirTTL(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newCacheWorld(t, db)
		w.submitted(t, w.c.Owner)
		if n, _ := w.menu(t, w.c.Manager); n != 1 {
			t.Fatalf("manager's approvals badge %d, want 1", n)
		}
		w.submitted(t, w.c.Peer) // on another instance
		w.clock = w.clock.Add(badgeTTL - time.Millisecond)
		if n, _ := w.menu(t, w.c.Manager); n != 1 {
			t.Errorf("within the TTL the badge reads %d: the cache is not used", n)
		}
		w.clock = w.clock.Add(time.Millisecond)
		if n, _ := w.menu(t, w.c.Manager); n != 2 {
			t.Errorf("at the TTL the badge reads %d, want 2", n)
		}
	})
}

func TestMenuBadgesShowAChangeThroughTheModulesRoutesAtOnce(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newCacheWorld(t, db)
		w.approved(t, w.c.Owner)
		if _, n := w.menu(t, w.c.Finance); n != 1 {
			t.Fatalf("finance's reimbursements badge %d, want 1", n)
		}
		// An approval through the module's own route, as the manager's
		// POST runs it: wrapped in changed.
		submit := w.a.changed(func(echo.Context) error {
			w.approved(t, w.c.Peer)
			return nil
		})
		if err := submit(w.request()); err != nil {
			t.Fatal(err)
		}
		if _, n := w.menu(t, w.c.Finance); n != 2 {
			t.Errorf("right after the change the badge reads %d, want 2", n)
		}
	})
}

func TestMenuBadgesAreNeverSharedBetweenPeople(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newCacheWorld(t, db)
		c := w.c
		// Two managers with the same roles but different teams: two wait
		// for Manager, one for OtherManager. Two finance people who may
		// pay everyone's approved expenses but their own: Finance two,
		// Finance2 three.
		w.submitted(t, c.Owner)
		w.submitted(t, c.Peer)
		w.submitted(t, c.Outsider)
		w.approved(t, c.Owner)
		w.approved(t, c.Finance2)
		w.approved(t, c.Finance)
		w.approved(t, c.Finance)
		// Each reads the cache after everyone else has filled it.
		people := []*models.Employee{c.Finance, c.Manager, c.OtherManager, c.Finance2, c.Owner, c.Admin}
		for range 2 {
			for _, v := range people {
				wantA, wantR := w.fresh(t, v)
				if a, r := w.menu(t, v); a != wantA || r != wantR {
					t.Errorf("%s's badges read %d approvals, %d to pay; theirs are %d, %d", v.User.Email, a, r, wantA, wantR)
				}
			}
		}
		a1, _ := w.fresh(t, c.Manager)
		a2, _ := w.fresh(t, c.OtherManager)
		_, r1 := w.fresh(t, c.Finance)
		_, r2 := w.fresh(t, c.Finance2)
		if a1 != 2 || a2 != 1 || r1 != 2 || r2 != 3 {
			t.Errorf("setup: %d and %d waiting for the managers, %d and %d to pay for finance; want 2, 1, 2, 3", a1, a2, r1, r2)
		}
	})
}

func TestPageCountersAreReadForTheRequestAndItsMenuShowsTheSame(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newCacheWorld(t, db)
		w.approved(t, w.c.Owner)
		w.menu(t, w.c.Finance)  // the cache holds 1
		w.approved(t, w.c.Peer) // elsewhere, within the TTL
		c := w.request()
		_, payable, err := w.a.pendingCounts(c, w.c.Finance) // the dashboard's "ready to pay"
		if err != nil {
			t.Fatal(err)
		}
		if payable != 2 {
			t.Errorf("the page's counter reads %d, want the fresh 2", payable)
		}
		if _, badge, _ := w.a.menuCounts(c, w.c.Finance); badge != payable {
			t.Errorf("the same page's badge reads %d, its counter %d", badge, payable)
		}
	})
}

func TestCategoryOptionsShowARenameHereAtOnceAndElsewhereWithinTheirTTL(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newCacheWorld(t, db)
		labels := func() []string {
			opts, err := w.a.categoryOptions(w.ctx, false, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range opts {
				out = append(out, o.Label)
			}
			return out
		}
		rename := func(id uint, name string) {
			if err := db.Model(&models.Category{}).Where("id = ?", id).Update("name", name).Error; err != nil {
				t.Fatal(err)
			}
		}
		if got := labels(); !slices.Contains(got, "Travel") {
			t.Fatalf("options %q lack Travel", got)
		}
		rename(w.c.Travel.ID, "Journeys") // by an administrator on another instance
		if got := labels(); !slices.Contains(got, "Travel") {
			t.Errorf("within the TTL the options read %q: the cache is not used", got)
		}
		w.clock = w.clock.Add(categoryTTL)
		if got := labels(); !slices.Contains(got, "Journeys") {
			t.Errorf("at the TTL the options read %q, want Journeys", got)
		}
		// Here, through the module's category route.
		renameHere := w.a.changed(func(echo.Context) error { rename(w.c.Meals.ID, "Food"); return nil })
		if err := renameHere(w.request()); err != nil {
			t.Fatal(err)
		}
		if got := labels(); !slices.Contains(got, "Food") {
			t.Errorf("right after a rename here the options read %q, want Food", got)
		}
	})
}
