package web

import (
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// uploadRoutes are the routes that accept a receipt and so get a larger body
// limit than the rest.
var uploadRoutes = map[string]bool{}

// expenseRoutes registers the expenses pages.
func (a *Application) expenseRoutes(g *echo.Group) {}

// expenseMenu returns the expenses entries of the main menu, with pending
// counts.
func (a *Application) expenseMenu(c echo.Context, v *models.Employee) []layouts.MenuItem {
	return nil
}
