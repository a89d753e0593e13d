package expenses

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// bulkBatch is the number of rows per INSERT. 1,000 expenses of 14 columns
// stay well below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const bulkBatch = 1000

// SeedBulk inserts n expenses spread over the year before now, for
// benchmarks and load tests: random claimants among employees (nil: all
// employees with the employee role), random categories, amounts and
// statuses, and one history event each for the latest step. It writes in
// one transaction with multi-row INSERTs, the rollup (totals.go) included,
// so 100,000 expenses take a few seconds on SQLite. The histories are
// deliberately thin; use SeedDemo for believable data.
func SeedBulk(ctx context.Context, db *gorm.DB, n int, rng *rand.Rand, employees []models.Employee, now time.Time) error {
	now = now.UTC()
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cats, err := EnsureCategories(ctx, tx)
		if err != nil {
			return err
		}
		people, err := loadPeople(tx, employees)
		if err != nil {
			return err
		}
		var claimants []person
		var finance []uint
		for _, p := range people {
			if p.User.HasRole(models.RoleEmployee) {
				claimants = append(claimants, p)
			}
			if p.User.HasRole(models.RoleFinance) {
				finance = append(finance, p.UserID)
			}
		}
		if len(claimants) == 0 {
			return errors.New("seed bulk expenses: no employee has the employee role")
		}
		d := &demo{rng: rng, now: now, categories: cats, kinds: catalogue()}
		t := totals{}
		for start := 0; start < n; start += bulkBatch {
			size := min(bulkBatch, n-start)
			exps := make([]models.Expense, size)
			evs := make([]models.ExpenseEvent, size)
			for i := range exps {
				p := claimants[rng.IntN(len(claimants))]
				spentOn := now.AddDate(0, 0, -rng.IntN(365)).Truncate(24 * time.Hour)
				k := d.pickKind(spentOn)
				e := &exps[i]
				*e = models.Expense{EmployeeID: p.UserID, CategoryID: cats[k.category].ID, SpentOn: spentOn,
					CreatedAt: spentOn.Add(18 * time.Hour), Version: 1}
				d.describe(e, k)
				e.Status, evs[i] = bulkStatus(rng, p, finance, k.category)
				evs[i].At = e.CreatedAt.Add(time.Duration(rng.IntN(72)) * time.Hour)
				if evs[i].At.After(now) || e.CreatedAt.After(now) {
					e.CreatedAt, evs[i].At = now, now
				}
				e.UpdatedAt = evs[i].At
				if e.Status != models.StatusDraft {
					e.Version = 2
				}
			}
			if err := tx.Omit(clause.Associations).CreateInBatches(&exps, bulkBatch).Error; err != nil {
				return fmt.Errorf("insert expenses %d–%d: %w", start, start+size, err)
			}
			for i := range evs {
				evs[i].ExpenseID = exps[i].ID
				t.add(&exps[i], 1)
			}
			if err := tx.Omit(clause.Associations).CreateInBatches(&evs, bulkBatch).Error; err != nil {
				return fmt.Errorf("insert history %d–%d: %w", start, start+size, err)
			}
		}
		return t.apply(tx)
	})
}

// bulkStatus draws a status, mostly settled ones as in a real year, and the
// event of its latest step by someone who may plausibly have taken it.
func bulkStatus(rng *rand.Rand, p person, finance []uint, category string) (models.Status, models.ExpenseEvent) {
	ev := func(action models.EventAction, actor uint, from, to models.Status) models.ExpenseEvent {
		return models.ExpenseEvent{Action: action, ActorID: actor, FromStatus: from, ToStatus: to}
	}
	if p.approver == 0 {
		return models.StatusDraft, ev(models.EventCreated, p.UserID, "", models.StatusDraft)
	}
	switch r := rng.IntN(100); {
	case r < 8:
		return models.StatusDraft, ev(models.EventCreated, p.UserID, "", models.StatusDraft)
	case r < 20:
		return models.StatusSubmitted, ev(models.EventSubmitted, p.UserID, models.StatusDraft, models.StatusSubmitted)
	case r < 25:
		rejected := ev(models.EventRejected, p.approver, models.StatusSubmitted, models.StatusRejected)
		comments := rejectionComments(category)
		rejected.Comment = comments[rng.IntN(len(comments))]
		return models.StatusRejected, rejected
	case r < 35 || len(finance) == 0:
		return models.StatusApproved, ev(models.EventApproved, p.approver, models.StatusSubmitted, models.StatusApproved)
	}
	payer := finance[rng.IntN(len(finance))]
	if payer == p.UserID {
		return models.StatusApproved, ev(models.EventApproved, p.approver, models.StatusSubmitted, models.StatusApproved)
	}
	return models.StatusReimbursed, ev(models.EventReimbursed, payer, models.StatusApproved, models.StatusReimbursed)
}
