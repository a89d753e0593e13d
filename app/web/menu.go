package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// menu builds the navigation widget's main menu for the signed-in person.
// This is the one place of the template's menu entries; a module adds its
// own in its Pages.Menu (the expenses demo: app/expenses/pages/expense_routes.go),
// shown after the home entry. Each entry appears only for the people the
// server would let through.
func (a *Application) menu(c echo.Context, v *models.Employee, current string) []layouts.MenuItem {
	// The home entry says what GET / shows: a module's dashboard, or the
	// template's plain home page.
	home := "Home"
	for _, p := range a.modules {
		if p.Home != nil {
			home = "Dashboard"
			break
		}
	}
	items := []layouts.MenuItem{
		{Label: home, URL: paths.Home},
	}
	// Each module's entries, from its one Menu function (app/module).
	for _, p := range a.modules {
		if p.Menu != nil {
			items = append(items, p.Menu(c, v)...)
		}
	}
	if policy.Can(v, policy.ManageUsers) {
		items = append(items, layouts.MenuItem{Label: "People", URL: paths.AdminUsers})
	}
	if policy.Can(v, policy.ManageSettings) {
		items = append(items, layouts.MenuItem{Label: "Settings", URL: paths.AdminSettings},
			layouts.MenuItem{Label: "Mail", URL: paths.AdminMail})
	}
	if policy.Can(v, policy.ManageUsers) {
		items = append(items, layouts.MenuItem{Label: "Audit log", URL: paths.AdminAudit})
	}
	for i := range items {
		u := items[i].URL
		items[i].Active = current == u || (u != paths.Home && strings.HasPrefix(current, u+"/"))
	}
	return items
}
