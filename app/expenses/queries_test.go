package expenses_test

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensestest"
	"github.com/company-expenses/company-expenses/models"
)

// listWorld is a handful of expenses with known dates, amounts and
// merchants, for checking filters and sort orders exactly.
type listWorld struct {
	*env
	a, b, l, d, x, f, g, h models.Expense
}

func newListWorld(t *testing.T, db *gorm.DB) *listWorld {
	e := newEnv(t, db)
	w := &listWorld{env: e}
	o, p := e.c.Owner, e.c.Peer
	w.a = e.insert(o, e.c.Travel, day(2026, 3, 1), 1250, "EUR", "Deutsche Bahn", models.StatusDraft)
	w.b = e.insert(o, e.c.Meals, day(2026, 2, 10), 4500, "EUR", "Trattoria Roma", models.StatusSubmitted)
	e.db.Model(&w.b).Update("description", "Lunch, 100% team_building")
	w.l = e.insert(o, e.c.Travel, day(2026, 1, 5), 30000, "EUR", "lufthansa", models.StatusApproved)
	w.d = e.insert(o, e.c.Meals, day(2025, 12, 20), 800, "GBP", "Pret A Manger", models.StatusReimbursed)
	w.x = e.insert(o, e.c.Travel, day(2026, 3, 2), 2000, "USD", "Uber", models.StatusRejected)
	w.f = e.insert(p, e.c.Meals, day(2026, 3, 3), 999, "EUR", "Starbucks", models.StatusSubmitted)
	w.g = e.insert(p, e.c.Meals, day(2026, 3, 4), 100, "EUR", "Secret draft", models.StatusDraft)
	w.h = e.insert(e.c.Outsider, e.c.Travel, day(2026, 3, 5), 5000, "EUR", "Outsider Inc", models.StatusSubmitted)
	return w
}

func ids(xs ...models.Expense) []uint {
	out := make([]uint, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}

func (w *listWorld) list(t *testing.T, actor *models.Employee, f expenses.Filter) []uint {
	t.Helper()
	f.PerPage = expenses.MaxPerPage
	p, err := w.svc.List(w.ctx, actor, f)
	if err != nil {
		t.Fatal(err)
	}
	return ids(p.Items...)
}

func sortedIDs(xs ...models.Expense) []uint { return slices.Sorted(slices.Values(ids(xs...))) }

func TestListScopesNeverShowMoreThanTheActorMayView(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newListWorld(t, db)
		c := w.c
		cases := []struct {
			name  string
			actor *models.Employee
			scope expenses.Scope
			want  []uint
		}{
			{"owner, mine", c.Owner, expenses.ScopeMine, sortedIDs(w.a, w.b, w.l, w.d, w.x)},
			{"owner, team (not a manager)", c.Owner, expenses.ScopeTeam, nil},
			{"owner, all", c.Owner, expenses.ScopeAll, sortedIDs(w.a, w.b, w.l, w.d, w.x)},
			{"manager, team: reports' non-drafts", c.Manager, expenses.ScopeTeam, sortedIDs(w.b, w.l, w.d, w.x, w.f)},
			{"manager, mine", c.Manager, expenses.ScopeMine, nil},
			{"other manager, team", c.OtherManager, expenses.ScopeTeam, sortedIDs(w.h)},
			{"finance, all: every non-draft", c.Finance, expenses.ScopeAll, sortedIDs(w.b, w.l, w.d, w.x, w.f, w.h)},
			{"admin, all: every non-draft", c.Admin, expenses.ScopeAll, sortedIDs(w.b, w.l, w.d, w.x, w.f, w.h)},
			{"peer, all", c.Peer, expenses.ScopeAll, sortedIDs(w.f, w.g)},
			{"inactive, all", c.Inactive, expenses.ScopeAll, nil},
		}
		for _, tc := range cases {
			got := slices.Sorted(slices.Values(w.list(t, tc.actor, expenses.Filter{Scope: tc.scope})))
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestListFiltersByStatusCategoryDatesAndTextIgnoringCase(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newListWorld(t, db)
		fin, own := w.c.Finance, w.c.Owner
		cases := []struct {
			name  string
			actor *models.Employee
			f     expenses.Filter
			want  []uint
		}{
			{"submitted", fin, expenses.Filter{Scope: expenses.ScopeAll, Status: models.StatusSubmitted}, sortedIDs(w.b, w.f, w.h)},
			{"meals", fin, expenses.Filter{Scope: expenses.ScopeAll, CategoryID: w.c.Meals.ID}, sortedIDs(w.b, w.d, w.f)},
			{"dates inclusive", own, expenses.Filter{From: day(2026, 3, 1), To: day(2026, 3, 2)}, sortedIDs(w.a, w.x)},
			{"from only", own, expenses.Filter{From: day(2026, 2, 10)}, sortedIDs(w.a, w.b, w.x)},
			{"to only", own, expenses.Filter{To: day(2026, 1, 5)}, sortedIDs(w.l, w.d)},
			{"text ignores case", own, expenses.Filter{Text: "LUFT"}, sortedIDs(w.l)},
			{"text in description", own, expenses.Filter{Text: "lunch"}, sortedIDs(w.b)},
			{"percent is literal", own, expenses.Filter{Text: "100%"}, sortedIDs(w.b)},
			{"underscore is literal", own, expenses.Filter{Text: "m_b"}, sortedIDs(w.b)},
			{"combined", fin, expenses.Filter{Scope: expenses.ScopeAll, CategoryID: w.c.Meals.ID, Status: models.StatusSubmitted, Text: "star"}, sortedIDs(w.f)},
		}
		for _, tc := range cases {
			got := slices.Sorted(slices.Values(w.list(t, tc.actor, tc.f)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestListSortsByEveryWhitelistedKeyBothWays(t *testing.T) {
	t.Parallel()
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newListWorld(t, db)
		cases := []struct {
			sort expenses.Sort
			asc  []uint
		}{
			{expenses.SortDate, ids(w.d, w.l, w.b, w.a, w.x)},
			{expenses.SortAmount, ids(w.d, w.a, w.x, w.b, w.l)},
			{expenses.SortMerchant, ids(w.a, w.l, w.d, w.b, w.x)},
		}
		for _, tc := range cases {
			if got := w.list(t, w.c.Owner, expenses.Filter{Sort: tc.sort}); !slices.Equal(got, tc.asc) {
				t.Errorf("%s ascending: got %v, want %v", tc.sort, got, tc.asc)
			}
			desc := slices.Clone(tc.asc)
			slices.Reverse(desc)
			if got := w.list(t, w.c.Owner, expenses.Filter{Sort: tc.sort, Desc: true}); !slices.Equal(got, desc) {
				t.Errorf("%s descending: got %v, want %v", tc.sort, got, desc)
			}
		}
		// Statuses sort in workflow order, not alphabetically.
		if got, want := w.list(t, w.c.Owner, expenses.Filter{Sort: expenses.SortStatus}), ids(w.a, w.b, w.l, w.x, w.d); !slices.Equal(got, want) {
			t.Errorf("status: got %v, want %v", got, want)
		}
		// The zero Filter is newest first.
		if got, want := w.list(t, w.c.Owner, expenses.Filter{}), ids(w.x, w.a, w.b, w.l, w.d); !slices.Equal(got, want) {
			t.Errorf("default: got %v, want %v", got, want)
		}
	})
}

func TestListPaginatesWithTotals(t *testing.T) {
	t.Parallel()
	w := newListWorld(t, expensestest.SQLite(t))
	all := w.list(t, w.c.Owner, expenses.Filter{})
	var seen []uint
	for page := 1; page <= 3; page++ {
		p, err := w.svc.List(w.ctx, w.c.Owner, expenses.Filter{Page: page, PerPage: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 5 || p.TotalPages != 3 || p.Page != page || p.PerPage != 2 || p.HasPrev() != (page > 1) || p.HasNext() != (page < 3) {
			t.Errorf("page %d: %+v", page, p)
		}
		seen = append(seen, ids(p.Items...)...)
	}
	if !slices.Equal(seen, all) {
		t.Errorf("pages hold %v, the list %v", seen, all)
	}
	p, _ := w.svc.List(w.ctx, w.c.Owner, expenses.Filter{PerPage: 100000})
	if p.PerPage != expenses.MaxPerPage {
		t.Errorf("per page %d not capped", p.PerPage)
	}
	if len(p.Items) > 0 && (p.Items[0].Employee.UserID != w.c.Owner.UserID || p.Items[0].Category.Name == "") {
		t.Error("items lack Employee or Category")
	}
}

func TestParseFilterReadsWhatValuesWritesAndIgnoresJunk(t *testing.T) {
	t.Parallel()
	f := expenses.Filter{Scope: expenses.ScopeTeam, Status: models.StatusApproved, CategoryID: 7, From: day(2026, 1, 1),
		To: day(2026, 1, 31), Text: "taxi", Sort: expenses.SortAmount, Desc: false, Page: 3, PerPage: 50}
	if got := expenses.ParseFilter(f.Values()); got != f {
		t.Errorf("round trip: %+v, want %+v", got, f)
	}
	junk := url.Values{"scope": {"everyone"}, "status": {"paid"}, "category": {"x"}, "from": {"yesterday"},
		"sort": {"amount_minor; DROP TABLE expenses"}, "page": {"-4"}, "per_page": {"1000000"}}
	got := expenses.ParseFilter(junk)
	want := expenses.Filter{Scope: expenses.ScopeMine, Sort: expenses.SortDate, Desc: true, Page: 1, PerPage: expenses.MaxPerPage}
	if got != want {
		t.Errorf("junk: %+v, want %+v", got, want)
	}
	if s := expenses.ParseFilter(url.Values{"sort": {"merchant"}}); s.Desc {
		t.Error("merchants should start A→Z")
	}
	if s := f.SortedBy(expenses.SortAmount); !s.Desc || s.Page != 1 {
		t.Errorf("clicking the current sort column flips it: %+v", s)
	}
}

// notListed are the columns lists do not read (withPeopleAndCategories):
// the rest of each model's columns must be loaded as gorm loads them.
var notListed = map[string][]string{
	"expenses":   {"created_at", "updated_at"},
	"employees":  {"is_local_user", "department_id", "avatar_url", "job_title"},
	"categories": {"active"},
	"users":      nil, // not joined: Employee.User stays zero
}

// listed keeps of e what the list loads: e with the columns of notListed
// zeroed, and no User.
func listed(e models.Expense) models.Expense {
	e.CreatedAt, e.UpdatedAt = time.Time{}, time.Time{}
	e.Employee = models.Employee{UserID: e.Employee.UserID, FullName: e.Employee.FullName, ManagerID: e.Employee.ManagerID}
	e.Category = models.Category{ID: e.Category.ID, Name: e.Category.Name}
	return e
}

// TestListLoadsWhatListsShowOfExpensesEmployeesAndCategories compares a
// list's items with gorm's full load of the same expenses, with the
// columns of notListed zeroed; and it fails when one of the models gains a
// column that is neither read nor in notListed, so that nobody adds a
// column the lists silently leave empty.
func TestListLoadsWhatListsShowOfExpensesEmployeesAndCategories(t *testing.T) {
	t.Parallel()
	for _, m := range []any{&models.Expense{}, &models.Employee{}, &models.Category{}} {
		sch, err := schema.Parse(m, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range sch.DBNames {
			read := strings.Contains(", "+expenses.ListColumns+",", " "+sch.Table+"."+col+",") ||
				(sch.Table == "employees" && col == "user_id") || (sch.Table == "categories" && col == "id")
			if !read && !slices.Contains(notListed[sch.Table], col) {
				t.Errorf("%s.%s: add it to listColumns and listFields or to notListed", sch.Table, col)
			}
		}
	}
	expensestest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		w := newListWorld(t, db)
		// Every Employee column non-zero, so that one left out shows.
		dept := models.Department{Name: "Sales"}
		if err := db.Create(&dept).Error; err != nil {
			t.Fatal(err)
		}
		err := db.Model(&models.Employee{}).Where("user_id = ?", w.c.Owner.UserID).Updates(map[string]any{
			"department_id": dept.ID, "avatar_url": "https://example.com/a.png", "job_title": "Engineer", "is_local_user": false,
		}).Error
		if err != nil {
			t.Fatal(err)
		}
		db.Model(&w.b).Updates(map[string]any{"has_receipt": true, "version": 3})
		for _, sort := range []expenses.Sort{expenses.SortDate, expenses.SortAmount} {
			p, err := w.svc.List(w.ctx, w.c.Finance, expenses.Filter{Scope: expenses.ScopeAll, Sort: sort, PerPage: expenses.MaxPerPage})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 6 {
				t.Fatalf("%s: %d items, want 6", sort, len(p.Items))
			}
			var want []models.Expense
			if err := db.Joins("Employee").Joins("Category").Where("expenses.id IN ?", ids(p.Items...)).Find(&want).Error; err != nil {
				t.Fatal(err)
			}
			for _, got := range p.Items {
				i := slices.IndexFunc(want, func(e models.Expense) bool { return e.ID == got.ID })
				if i < 0 {
					t.Fatalf("%s: expense %d not found by gorm", sort, got.ID)
				}
				if w := listed(want[i]); !reflect.DeepEqual(got, w) {
					t.Errorf("%s: the list loads\n%+v\ngorm loads, of what lists read,\n%+v", sort, got, w)
				}
				if got.Employee.ManagerID == nil && want[i].Employee.ManagerID != nil {
					t.Errorf("%s: expense %d: no manager loaded, which policy needs", sort, got.ID)
				}
			}
		}
	})
}

// TestFilterQueryIsWhatValuesEncodes checks the list's fast link builder
// against url.Values.Encode for filters with every field set or not,
// including text that needs escaping and values normalized away.
func TestFilterQueryIsWhatValuesEncodes(t *testing.T) {
	t.Parallel()
	texts := []string{"", "Bahn", "a b&c=d", "100% ünïcode/?#", "  trimmed  "}
	dates := []time.Time{{}, day(2026, 3, 1)}
	for _, sc := range []expenses.Scope{expenses.ScopeMine, expenses.ScopeTeam, expenses.ScopeAll, "bogus"} {
		for _, st := range []models.Status{"", models.StatusSubmitted, "bogus"} {
			for _, so := range []expenses.Sort{expenses.SortDate, expenses.SortMerchant, ""} {
				for i, text := range texts {
					f := expenses.Filter{
						Scope: sc, Status: st, Sort: so, Desc: i%2 == 0, Text: text,
						CategoryID: uint(i % 3), From: dates[i%2], To: dates[(i+1)%2],
						Page: i - 1, PerPage: []int{0, 25, 50, 1000, 10}[i],
					}
					if got, want := f.Query(), f.Values().Encode(); got != want {
						t.Errorf("%+v:\nQuery  %s\nEncode %s", f, got, want)
					}
				}
			}
		}
	}
}
