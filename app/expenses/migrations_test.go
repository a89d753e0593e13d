package expenses_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

// searchIndex is what the migrations add beyond the models on purpose: the
// text search index (search.go), an FTS4 table and its shadow tables on
// SQLite, trigram indexes on PostgreSQL.
var searchIndex = []dbtest.Extra{
	{Table: "expense_search"}, {Table: "expense_search_content"}, {Table: "expense_search_segments"},
	{Table: "expense_search_segdir"}, {Table: "expense_search_docsize"}, {Table: "expense_search_stat"},
	{Table: "expenses", Index: "idx_expenses_merchant_trgm"}, {Table: "expenses", Index: "idx_expenses_description_trgm"},
}

func allModels() []any { return append(database.CoreModels(), models.ExpenseModels()...) }

// The schema test of the demo's tables: what its migrations create is what
// gorm makes of models.ExpenseModels, on both databases. A model that
// gains a field without a migration fails it.
func TestExpenseMigrationsCreateTheSchemaOfTheModels(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		migrated := empty()
		if err := database.Migrate(context.Background(), migrated, expenses.Migrations()); err != nil {
			t.Fatal(err)
		}
		compareWithModels(t, migrated, empty())
		if migrated.Dialector.Name() == "postgres" && !migrated.Migrator().HasIndex(&models.Expense{}, "idx_expenses_merchant_trgm") {
			t.Error("no trigram index on PostgreSQL (is pg_trgm installed?)")
		}
	})
}

// A database of the auto-migrating versions adopts the demo's baseline:
// Migrate succeeds, records it and leaves the schema that of the models,
// with the text search index added.
func TestExpenseTablesOfTheAutoMigratingVersionAdoptTheBaseline(t *testing.T) {
	t.Parallel()
	dbtest.EachEngine(t, func(t *testing.T, empty func() *gorm.DB) {
		old := empty()
		if err := old.AutoMigrate(allModels()...); err != nil {
			t.Fatal(err)
		}
		if err := database.Migrate(context.Background(), old, expenses.Migrations()); err != nil {
			t.Fatalf("Migrate a database of the auto-migrating version: %v", err)
		}
		compareWithModels(t, old, empty())
	})
}

func compareWithModels(t *testing.T, migrated, reference *gorm.DB) {
	t.Helper()
	if err := reference.AutoMigrate(allModels()...); err != nil {
		t.Fatal(err)
	}
	diff := dbtest.SchemaDiff(dbtest.Introspect(t, migrated), dbtest.Introspect(t, reference), searchIndex...)
	if len(diff) > 0 {
		t.Errorf("the migrated schema differs from the models:\n%s", strings.Join(diff, "\n"))
	}
}

func TestExpenseMigrationFilesOnlyAddUnlessNamedAsContractSteps(t *testing.T) {
	t.Parallel()
	problems, err := dbtest.LintMigrations(expenses.Schema())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
