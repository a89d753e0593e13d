// Package expensesmodule plugs the expenses demo into the template: it is
// the demo's one module.Module value, which app/app.go lists. Everything of
// the demo that the template uses goes through the value New returns, so
// deleting the line that calls New (and the demo's folders) leaves a plain
// starter; go run ./app/cmd/newproject -without-demo does exactly that.
package expensesmodule

import (
	"log/slog"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/notify"
	"github.com/company-expenses/company-expenses/app/expenses/pages"
	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/models"
)

// New returns the expenses demo as a module on db.
func New(db *gorm.DB, log *slog.Logger) module.Module {
	es := expenses.NewService(db)
	company := Company()
	schema := expenses.Schema()
	return module.Module{
		Name:   "expenses",
		Roles:  models.ExpenseRoles(),
		Schema: &schema,
		Steps:  expenses.MigrationSteps(),
		Seed:   &module.Seed{Roster: &company, Data: seedExpenses},
		Pages: func(h module.Host) module.Pages {
			// The pages' changes mail the people they concern; the seed's
			// do not (it uses es without the notifier).
			n := notify.New(h.BaseURL(), h.AppName())
			return pages.New(h, log, es.WithNotifier(n.Changed), h.People()).Pages()
		},
	}
}
