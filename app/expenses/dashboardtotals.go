package expenses

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/models"
)

// The dashboard rollup. ExpenseTotal has a row per employee, month,
// category, status and currency, so a manager's chart added up the rows of
// every report and a person's status tiles the rows of every month: the
// more expenses, the more rows (849 for one employee at 100,000 expenses).
// The dashboard rollup has a row per figure a dashboard shows instead, for
// each scope it shows them in (a person's own, a manager's team, the
// company; models.DashboardScope):
//
//   - models.DashboardStatusTotal: one status tile, per status and currency;
//   - models.DashboardMonthTotal: one cell of the monthly chart, per month,
//     category and currency, claimed expenses only;
//   - models.DashboardCurrencyTotal: the chart's cells of one month and
//     currency added up, for the chart's choice of currencies.
//
// So a dashboard reads at most 5 × currencies tile rows and 12 × categories
// × currencies chart rows per scope, however many expenses and people there
// are. It is derived from the same changes as ExpenseTotal (totals.apply,
// in the same transaction, through dashboardCells) and checked and rebuilt
// with it.
//
// A team is whoever models.DashboardTeamMember lists under the manager: a
// copy of employees.manager_id, because the template moves people between
// managers without knowing this rollup (an administrator's edit, SCIM, a
// directory sync). Reading a team's figures first compares the copy with
// employees.manager_id (syncTeam, one small query) and, when someone moved,
// moves their figures from the old team's rows to the new team's in one
// transaction. Writes add to the team the copy names, so the team rows
// always equal the sum over the copy's members.

// statusCell is the key of a models.DashboardStatusTotal row.
type statusCell struct {
	Scope    models.DashboardScope
	OwnerID  uint
	Status   models.Status
	Currency string
}

func (k statusCell) compare(o statusCell) int {
	return cmp.Or(strings.Compare(string(k.Scope), string(o.Scope)), cmp.Compare(k.OwnerID, o.OwnerID),
		strings.Compare(string(k.Status), string(o.Status)), strings.Compare(k.Currency, o.Currency))
}

// monthCell is the key of a models.DashboardMonthTotal row.
type monthCell struct {
	Scope      models.DashboardScope
	OwnerID    uint
	Month      int
	CategoryID uint
	Currency   string
}

func (k monthCell) compare(o monthCell) int {
	return cmp.Or(strings.Compare(string(k.Scope), string(o.Scope)), cmp.Compare(k.OwnerID, o.OwnerID),
		cmp.Compare(k.Month, o.Month), cmp.Compare(k.CategoryID, o.CategoryID), strings.Compare(k.Currency, o.Currency))
}

// currencyCell is the key of a models.DashboardCurrencyTotal row.
type currencyCell struct {
	Scope    models.DashboardScope
	OwnerID  uint
	Month    int
	Currency string
}

func (k currencyCell) compare(o currencyCell) int {
	return cmp.Or(strings.Compare(string(k.Scope), string(o.Scope)), cmp.Compare(k.OwnerID, o.OwnerID),
		cmp.Compare(k.Month, o.Month), strings.Compare(k.Currency, o.Currency))
}

// currencyCells adds up changes to chart cells per scope, month and
// currency: the changes to models.DashboardCurrencyTotal that go with them.
func currencyCells(months map[monthCell]amounts) map[currencyCell]amounts {
	out := make(map[currencyCell]amounts, len(months))
	for k, a := range months {
		ck := currencyCell{k.Scope, k.OwnerID, k.Month, k.Currency}
		out[ck] = out[ck].plus(a)
	}
	return out
}

var (
	statusRollup = rollupTable[statusCell, models.DashboardStatusTotal]{
		name:    "dashboard_status_totals",
		columns: []string{"scope", "owner_id", "status", "currency"},
		compare: statusCell.compare,
		row: func(k statusCell, a amounts) models.DashboardStatusTotal {
			return models.DashboardStatusTotal{Scope: k.Scope, OwnerID: k.OwnerID, Status: k.Status, Currency: k.Currency,
				Count: a.count, SumMinor: a.sum}
		},
		values: func(k statusCell) []any { return []any{k.Scope, k.OwnerID, k.Status, k.Currency} },
		fields: func(k *statusCell) []any { return []any{&k.Scope, &k.OwnerID, &k.Status, &k.Currency} },
	}
	monthRollup = rollupTable[monthCell, models.DashboardMonthTotal]{
		name:    "dashboard_month_totals",
		columns: []string{"scope", "owner_id", "month", "category_id", "currency"},
		compare: monthCell.compare,
		row: func(k monthCell, a amounts) models.DashboardMonthTotal {
			return models.DashboardMonthTotal{Scope: k.Scope, OwnerID: k.OwnerID, Month: k.Month, CategoryID: k.CategoryID,
				Currency: k.Currency, Count: a.count, SumMinor: a.sum}
		},
		values: func(k monthCell) []any { return []any{k.Scope, k.OwnerID, k.Month, k.CategoryID, k.Currency} },
		fields: func(k *monthCell) []any { return []any{&k.Scope, &k.OwnerID, &k.Month, &k.CategoryID, &k.Currency} },
	}
	currencyRollup = rollupTable[currencyCell, models.DashboardCurrencyTotal]{
		name:    "dashboard_currency_totals",
		columns: []string{"scope", "owner_id", "month", "currency"},
		compare: currencyCell.compare,
		row: func(k currencyCell, a amounts) models.DashboardCurrencyTotal {
			return models.DashboardCurrencyTotal{Scope: k.Scope, OwnerID: k.OwnerID, Month: k.Month, Currency: k.Currency,
				Count: a.count, SumMinor: a.sum}
		},
		values: func(k currencyCell) []any { return []any{k.Scope, k.OwnerID, k.Month, k.Currency} },
		fields: func(k *currencyCell) []any { return []any{&k.Scope, &k.OwnerID, &k.Month, &k.Currency} },
	}
)

// isClaim reports whether the monthly chart counts an expense in status s:
// drafts are not claims yet, rejected ones were refused.
func isClaim(s models.Status) bool { return slices.Contains(claimed, s) }

// dashboardCells turns changes to ExpenseTotal rows into the changes to
// the dashboard rollup: each counts for its employee, for the company and,
// unless it is a draft, for the team teams names (employee → manager).
func dashboardCells(t totals, teams map[uint]uint) (map[statusCell]amounts, map[monthCell]amounts) {
	status := map[statusCell]amounts{}
	months := map[monthCell]amounts{}
	for k, a := range t {
		scopes := [3]struct {
			scope models.DashboardScope
			owner uint
		}{{models.DashboardPerson, k.EmployeeID}, {models.DashboardCompany, 0}, {models.DashboardTeam, teams[k.EmployeeID]}}
		for _, sc := range scopes {
			if sc.scope == models.DashboardTeam && (sc.owner == 0 || k.Status == models.StatusDraft) {
				continue // no team, or a draft, which the manager cannot see
			}
			sk := statusCell{sc.scope, sc.owner, k.Status, k.Currency}
			status[sk] = status[sk].plus(a)
			if isClaim(k.Status) {
				mk := monthCell{sc.scope, sc.owner, k.Month, k.CategoryID, k.Currency}
				months[mk] = months[mk].plus(a)
			}
		}
	}
	return status, months
}

// teamsOf returns the team (manager) each of the employees of keys counts
// in, from models.DashboardTeamMember. On PostgreSQL it first takes a share
// lock on the employees' rows, which syncTeam takes exclusively: a write
// and a move of the same person's figures to another team take turns, so
// neither adds to a team the other has just left. (SQLite has one writer at
// a time anyway.)
func teamsOf(tx *gorm.DB, keys []totalKey) (map[uint]uint, error) {
	ids := make([]uint, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.EmployeeID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	teams := map[uint]uint{}
	for batch := range slices.Chunk(ids, rollupBatch) {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT user_id FROM employees WHERE user_id IN ? ORDER BY user_id FOR SHARE", batch).Error; err != nil {
				return nil, fmt.Errorf("lock employees: %w", err)
			}
		}
		members, err := scanRows(tx.Raw("SELECT employee_id, manager_id FROM dashboard_team_members WHERE employee_id IN ?", batch),
			func(m *models.DashboardTeamMember) []any { return []any{&m.EmployeeID, &m.ManagerID} })
		if err != nil {
			return nil, fmt.Errorf("read team members: %w", err)
		}
		for _, m := range members {
			teams[m.EmployeeID] = m.ManagerID
		}
	}
	return teams, nil
}

// reportsWhere selects the employees who are in a team: those with a
// manager, unless they are recorded as their own (policy.ReportsOf
// excludes them from their own team too).
const reportsWhere = "manager_id IS NOT NULL AND manager_id <> user_id"

// teamMoved reports whether the dashboard's copy of managerID's team
// differs from the employees table: someone joined or left it.
func teamMoved(db *gorm.DB, managerID uint) (bool, error) {
	var n int64
	err := db.Raw("SELECT (SELECT COUNT(*) FROM employees e WHERE e.manager_id = ? AND e.user_id <> ? AND NOT EXISTS "+
		"(SELECT 1 FROM dashboard_team_members m WHERE m.employee_id = e.user_id AND m.manager_id = ?))"+
		" + (SELECT COUNT(*) FROM dashboard_team_members m WHERE m.manager_id = ? AND NOT EXISTS "+
		"(SELECT 1 FROM employees e WHERE e.user_id = m.employee_id AND e.manager_id = ?))",
		managerID, managerID, managerID, managerID, managerID).Row().Scan(&n)
	if err != nil {
		return false, fmt.Errorf("compare team of %d: %w", managerID, err)
	}
	return n > 0, nil
}

// syncTeam brings the dashboard's copy of managerID's team in line with
// the employees table before the team's figures are read (see the top of
// this file). It costs one query when nobody moved, and none when ctx comes
// from SyncTeamsOnce and the team was brought up to date in it already.
func (s *Service) syncTeam(ctx context.Context, managerID uint) error {
	once, _ := ctx.Value(syncedTeamsKey{}).(*syncedTeams)
	if once != nil && once.done(managerID) {
		return nil
	}
	db := s.db.WithContext(ctx)
	moved, err := teamMoved(db, managerID)
	if err == nil && moved {
		err = db.Transaction(func(tx *gorm.DB) error { return moveTeamMembers(tx, managerID) })
	}
	if err == nil && once != nil {
		once.add(managerID)
	}
	return err
}

// SyncTeamsOnce returns a context in which each team is brought up to date
// with the employees table (syncTeam) at most once, for one request: a
// manager's dashboard reads the team's figures for the badge and for the
// chart, and comparing the team twice cost a query each time. A move
// between the two reads shows at the next request, as one just after the
// request would.
func SyncTeamsOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, syncedTeamsKey{}, &syncedTeams{})
}

type syncedTeamsKey struct{}

// syncedTeams are the managers whose teams a SyncTeamsOnce context has
// brought up to date.
type syncedTeams struct {
	mu       sync.Mutex
	managers []uint
}

func (t *syncedTeams) done(managerID uint) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Contains(t.managers, managerID)
}

func (t *syncedTeams) add(managerID uint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.managers = append(t.managers, managerID)
}

// moveTeamMembers moves everyone who joined or left managerID's team, by
// the employees table, into their current team in the dashboard rollup:
// their own figures (the person rows, drafts left out) leave the team they
// were counted in and join the one they are in now.
func moveTeamMembers(tx *gorm.DB, managerID uint) error {
	lock := ""
	if tx.Dialector.Name() == "postgres" {
		lock = " FOR NO KEY UPDATE" // see teamsOf
	}
	if tx.Dialector.Name() == "postgres" {
		// The start-up rebuild locks this table before the employees
		// rows (rebuildTotals, teamsOf); take the locks in that order
		// too, or the two would deadlock.
		if err := tx.Exec("LOCK TABLE dashboard_team_members IN ROW EXCLUSIVE MODE").Error; err != nil {
			return fmt.Errorf("lock team members: %w", err)
		}
	}
	var ids []uint
	err := tx.Raw("SELECT user_id FROM employees WHERE (manager_id = ? AND user_id <> ?)"+
		" OR user_id IN (SELECT employee_id FROM dashboard_team_members WHERE manager_id = ?) ORDER BY user_id"+lock,
		managerID, managerID, managerID).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("lock team of %d: %w", managerID, err)
	}
	// Members whose employee row is gone (a SCIM hard delete) are in the
	// copy only; they leave the team too, or teamMoved would stay true and
	// every read of this team would open a transaction.
	var gone []uint
	if err := tx.Raw("SELECT m.employee_id FROM dashboard_team_members m WHERE m.manager_id = ?"+
		" AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.user_id = m.employee_id)", managerID).Scan(&gone).Error; err != nil {
		return fmt.Errorf("read departed team members of %d: %w", managerID, err)
	}
	ids = append(ids, gone...)
	if len(ids) == 0 {
		return nil
	}
	// Read after the lock, so that no write or other move is half-way.
	want := map[uint]uint{}
	current, err := scanRows(tx.Raw("SELECT user_id, manager_id FROM employees WHERE user_id IN ? AND "+reportsWhere, ids),
		func(m *models.DashboardTeamMember) []any { return []any{&m.EmployeeID, &m.ManagerID} })
	if err != nil {
		return fmt.Errorf("read managers: %w", err)
	}
	for _, m := range current {
		want[m.EmployeeID] = m.ManagerID
	}
	had := map[uint]uint{}
	members, err := scanRows(tx.Raw("SELECT employee_id, manager_id FROM dashboard_team_members WHERE employee_id IN ?", ids),
		func(m *models.DashboardTeamMember) []any { return []any{&m.EmployeeID, &m.ManagerID} })
	if err != nil {
		return fmt.Errorf("read team members: %w", err)
	}
	for _, m := range members {
		had[m.EmployeeID] = m.ManagerID
	}
	var moved []uint
	for _, id := range ids {
		if want[id] != had[id] {
			moved = append(moved, id)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	status := map[statusCell]amounts{}
	months := map[monthCell]amounts{}
	tiles, err := scanRows(tx.Raw("SELECT owner_id, status, currency, count, sum_minor FROM dashboard_status_totals"+
		" WHERE scope = ? AND owner_id IN ? AND status <> ?", models.DashboardPerson, moved, models.StatusDraft),
		func(r *models.DashboardStatusTotal) []any {
			return []any{&r.OwnerID, &r.Status, &r.Currency, &r.Count, &r.SumMinor}
		})
	if err != nil {
		return fmt.Errorf("read figures of moved people: %w", err)
	}
	for _, r := range tiles {
		a := amounts{r.Count, r.SumMinor}
		if old := had[r.OwnerID]; old != 0 {
			k := statusCell{models.DashboardTeam, old, r.Status, r.Currency}
			status[k] = status[k].plus(amounts{-a.count, -a.sum})
		}
		if now := want[r.OwnerID]; now != 0 {
			k := statusCell{models.DashboardTeam, now, r.Status, r.Currency}
			status[k] = status[k].plus(a)
		}
	}
	cells, err := scanRows(tx.Raw("SELECT owner_id, month, category_id, currency, count, sum_minor FROM dashboard_month_totals"+
		" WHERE scope = ? AND owner_id IN ?", models.DashboardPerson, moved),
		func(r *models.DashboardMonthTotal) []any {
			return []any{&r.OwnerID, &r.Month, &r.CategoryID, &r.Currency, &r.Count, &r.SumMinor}
		})
	if err != nil {
		return fmt.Errorf("read figures of moved people: %w", err)
	}
	for _, r := range cells {
		a := amounts{r.Count, r.SumMinor}
		if old := had[r.OwnerID]; old != 0 {
			k := monthCell{models.DashboardTeam, old, r.Month, r.CategoryID, r.Currency}
			months[k] = months[k].plus(amounts{-a.count, -a.sum})
		}
		if now := want[r.OwnerID]; now != 0 {
			k := monthCell{models.DashboardTeam, now, r.Month, r.CategoryID, r.Currency}
			months[k] = months[k].plus(a)
		}
	}
	if err := statusRollup.apply(tx, status); err != nil {
		return err
	}
	if err := monthRollup.apply(tx, months); err != nil {
		return err
	}
	if err := currencyRollup.apply(tx, currencyCells(months)); err != nil {
		return err
	}
	if err := tx.Exec("DELETE FROM dashboard_team_members WHERE employee_id IN ?", moved).Error; err != nil {
		return fmt.Errorf("update team members: %w", err)
	}
	var joined []models.DashboardTeamMember
	for _, id := range moved {
		if want[id] != 0 {
			joined = append(joined, models.DashboardTeamMember{EmployeeID: id, ManagerID: want[id]})
		}
	}
	if len(joined) > 0 {
		if err := tx.Create(&joined).Error; err != nil {
			return fmt.Errorf("update team members: %w", err)
		}
	}
	return nil
}

// fillTeamMembers copies every team from the employees table into the
// dashboard's copy, which must be empty: the first step of a rebuild.
func fillTeamMembers(tx *gorm.DB) error {
	err := tx.Exec("INSERT INTO dashboard_team_members (employee_id, manager_id) SELECT user_id, manager_id FROM employees WHERE " +
		reportsWhere).Error
	if err != nil {
		return fmt.Errorf("fill team members: %w", err)
	}
	return nil
}

// dashboardDiffs compares the dashboard rollup with what want (ExpenseTotal
// rows) and teams (employee → manager) say it must hold, and describes each
// difference.
func dashboardDiffs(tx *gorm.DB, want totals, teams map[uint]uint) ([]string, error) {
	wantStatus, wantMonths := dashboardCells(want, teams)
	diffs, err := statusRollup.diffs(tx, nonZero(wantStatus))
	if err != nil {
		return nil, err
	}
	d, err := monthRollup.diffs(tx, nonZero(wantMonths))
	if err != nil {
		return nil, err
	}
	diffs = append(diffs, d...)
	d, err = currencyRollup.diffs(tx, nonZero(currencyCells(wantMonths)))
	return append(diffs, d...), err
}

// nonZero drops the keys whose changes cancel out, which the tables do not
// hold.
func nonZero[K comparable](m map[K]amounts) map[K]amounts {
	maps.DeleteFunc(m, func(_ K, a amounts) bool { return a == (amounts{}) })
	return m
}

// readTeams reads employee → manager from the dashboard's copy (from
// "dashboard_team_members") or from the employees table ("employees").
func readTeams(tx *gorm.DB, from string) (map[uint]uint, error) {
	q := "SELECT employee_id, manager_id FROM dashboard_team_members"
	if from == "employees" {
		q = "SELECT user_id, manager_id FROM employees WHERE " + reportsWhere
	}
	rows, err := scanRows(tx.Raw(q), func(m *models.DashboardTeamMember) []any { return []any{&m.EmployeeID, &m.ManagerID} })
	if err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	teams := make(map[uint]uint, len(rows))
	for _, m := range rows {
		teams[m.EmployeeID] = m.ManagerID
	}
	return teams, nil
}

// checkDashboardTotals is a start-up step (see MigrationSteps), after
// checkTotals: it compares the dashboard rollup with ExpenseTotal and the
// teams of the employees table, reading all three rollup tables (tens of
// thousands of rows at 100,000 expenses, not the expenses themselves),
// and rebuilds every rollup when they differ: a database from before the
// dashboard rollup, people moved while no manager looked, or an older
// instance that wrote expenses during a rolling upgrade.
func checkDashboardTotals(db *gorm.DB) error {
	var diffs []string
	err := snapshot(db, func(tx *gorm.DB) error {
		people, err := personRollup.read(tx)
		if err != nil {
			return err
		}
		want := totals(people)
		teams, err := readTeams(tx, "employees")
		if err != nil {
			return err
		}
		recorded, err := readTeams(tx, "dashboard_team_members")
		if err != nil {
			return err
		}
		if !maps.Equal(teams, recorded) {
			diffs = append(diffs, "teams moved")
		}
		d, err := dashboardDiffs(tx, want, teams)
		diffs = append(diffs, d...)
		return err
	})
	if err != nil || len(diffs) == 0 {
		return err
	}
	return db.Transaction(rebuildTotals)
}
