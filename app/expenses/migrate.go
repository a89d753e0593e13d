package expenses

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/models"
)

// MigrationSteps are the expenses domain's start-up steps, for
// database.Migrate to run after creating the tables, under its migration
// lock (app/app.go hands them over).
func MigrationSteps() []database.Step {
	return []database.Step{
		{Name: "expense tables", Run: func(db *gorm.DB) error { return db.AutoMigrate(models.ExpenseModels()...) }},
		{Name: "retired expense indexes", Run: dropRetiredIndexes},
		{Name: "expense totals", Run: checkTotals},
		{Name: "dashboard totals", Run: checkDashboardTotals},
		{Name: "expense text search index", Run: setUpSearch},
	}
}

// retiredIndexes are indexes of models.Expense that newer ones replaced.
// AutoMigrate creates the new ones but never drops anything, so the old
// ones would go on costing every write, and might still tempt a planner.
var retiredIndexes = []string{
	"idx_expenses_spent", // by idx_expenses_spent_id
}

func dropRetiredIndexes(db *gorm.DB) error {
	m := db.Migrator()
	for _, name := range retiredIndexes {
		if !m.HasIndex(&models.Expense{}, name) {
			continue
		}
		if err := m.DropIndex(&models.Expense{}, name); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return nil
}
