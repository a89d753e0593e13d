package expenses

import (
	"embed"

	"github.com/company-expenses/company-expenses/app/database"
)

//go:embed migrations
var migrations embed.FS

// Schema is the expenses domain's tables (models.ExpenseModels) and its
// text search index, as goose SQL files per dialect (migrations/sqlite,
// migrations/postgres), recorded in schema_versions_expenses. They run
// after the template's, whose employees they reference.
func Schema() database.Schema { return database.EmbeddedSchema("expenses", migrations) }

// MigrationSteps are the expenses domain's start-up steps, for
// database.Migrate to run at every start after the schemas, under its
// migration lock (app/app.go hands them over): they repair the totals
// tables if they drifted from the expenses.
func MigrationSteps() []database.Step {
	return []database.Step{
		{Name: "expense totals", Run: checkTotals},
		{Name: "dashboard totals", Run: checkDashboardTotals},
	}
}

// Migrations are the domain's schema and start-up steps together, for
// database.Migrate and the test databases of app/database/dbtest.
func Migrations() database.Migrations {
	return database.Migrations{Schemas: []database.Schema{Schema()}, Steps: MigrationSteps()}
}
