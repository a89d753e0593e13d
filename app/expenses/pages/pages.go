// Package pages is the HTTP side of the expenses demo: its routes, handlers
// and menu entries. It plugs into the template through module.Pages (see
// app/expenses/expensesmodule) and reaches the template only through
// module.Host, so the template never imports it.
//
// Handlers are methods on Handlers, which holds everything they may touch.
// The small helpers at the bottom of this file (render, page, flash,
// forbidden, viewer) forward to the host, so that handler bodies read the
// same as the template's own.
package pages

import (
	"log/slog"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// Handlers holds the dependencies of the expenses pages.
type Handlers struct {
	host     module.Host
	log      *slog.Logger
	expenses *expenses.Service
	people   *people.Service
	// badges are the menu's counts per person (counts.go), categories
	// the categories for the select boxes (expenses.go); the module's
	// unsafe routes drop both (changed).
	badges     *badgeCache
	categories *categoryCache
}

// New builds the expenses pages on host.
func New(host module.Host, log *slog.Logger, es *expenses.Service, ps *people.Service) *Handlers {
	return &Handlers{host: host, log: log, expenses: es, people: ps,
		badges: newBadgeCache(), categories: newCategoryCache()}
}

// Pages is what the expenses demo adds to the template's HTTP side.
func (a *Handlers) Pages() module.Pages {
	return module.Pages{
		Routes:     a.routes,
		BodyLimits: uploadLimits(),
		Menu:       a.menu,
		Home:       a.home,
	}
}

func (a *Handlers) render(c echo.Context, status int, comp templ.Component) error {
	return a.host.Render(c, status, comp)
}

func (a *Handlers) page(c echo.Context, title string) layouts.Page { return a.host.Page(c, title) }

func (a *Handlers) flash(c echo.Context, kind layouts.FlashKind, msg string) {
	a.host.Flash(c, kind, msg)
}

func (a *Handlers) forbidden(c echo.Context, reason string) error { return a.host.Forbidden(c, reason) }

// viewer is the signed-in person; every route of this package needs one.
func (a *Handlers) viewer(c echo.Context) *models.Employee { return a.host.Viewer(c) }
