package expensesmodule

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

// seedExpenses fills the demo company with a year of expenses in every state,
// ending today. The random source is fixed, so every fresh start shows the
// same company (only the dates move with the calendar).
func seedExpenses(ctx context.Context, db *gorm.DB, emps []models.Employee) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	if err := expenses.SeedDemo(ctx, db, rng, emps, time.Now().UTC()); err != nil {
		return fmt.Errorf("seed demo expenses: %w", err)
	}
	return nil
}
