// Package module is the seam between the template and the domains that plug
// into it. The expenses demo is one such domain; a fork adds its own the same
// way and can delete the demo without touching the template.
//
// A Module is a plain struct of what a domain adds, every field optional:
// pages (routes, menu entries, the home page), and, in later fields, its
// tables (their migrations), start-up steps, roles, seed data and
// development identities. The template reads the fields it knows at start-up
// and never imports a module's package: app/app.go builds the list of
// modules (one visible line per module) and hands it to the parts of the
// template that use it.
//
// Why a struct of fields and not an interface with many methods: a domain
// fills only what it has, the zero value means "nothing", and a reader sees
// everything a module may change by reading this one type. Why no
// registration through init(): a tutorial must be able to point at the one
// line that plugs a module in, and deleting that line must unplug it.
package module

import (
	"context"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/seed"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// Module is one domain plugged into the template.
type Module struct {
	// Name names the module in logs and errors ("expenses").
	Name string

	// Roles are the roles the module adds to the template's (employee and
	// admin), with their labels; screens list them before admin.
	Roles []models.RoleDef

	// Schema is the module's tables as versioned migrations (goose SQL
	// files per dialect, database.Schema); nil when it has none. They run
	// after the template's and the SSO module's, module by module.
	Schema *database.Schema

	// Steps run after every schema is migrated, at every start
	// (database.Step): checks and repairs of the module's data, never
	// schema changes. On PostgreSQL they run under the migration lock; on
	// SQLite, which serves one instance, after it.
	Steps []database.Step

	// Seed is what the module adds to the development seed; nil adds
	// nothing.
	Seed *Seed

	// Pages builds the module's HTTP side once the template's web
	// application exists, handing it the Host it renders through. Nil
	// means the module has no pages.
	Pages func(h Host) Pages
}

// Seed is a module's part of the development seed, which runs once, into an
// empty database, in one transaction.
type Seed struct {
	// Roster, when set, is seeded instead of the template's few people
	// (seed.Template): a module with roles of its own seeds its whole
	// company, the template's demo accounts included. The first module
	// with a roster wins.
	Roster *seed.Roster
	// Data fills the module's tables for the people just seeded, in the
	// seed's transaction tx.
	Data func(ctx context.Context, tx *gorm.DB, people []models.Employee) error
}

// RosterOf is the company to seed: the first module's roster, or the
// template's.
func RosterOf(mods []Module) seed.Roster {
	for _, m := range mods {
		if m.Seed != nil && m.Seed.Roster != nil {
			return *m.Seed.Roster
		}
	}
	return seed.Template()
}

// Pages is a module's HTTP side.
type Pages struct {
	// Routes registers the module's routes on g, the group of pages that
	// need a signed-in, active person (with the template's middleware:
	// no-store, the signed-in person loaded, CSRF). All of a module's
	// routes are listed in this one function.
	Routes func(g *echo.Group)

	// BodyLimits gives route patterns (as echo names them, e.g.
	// "/expenses/:id") a body limit other than the template's 1 MB, in
	// echo's notation ("11M"), for uploads. The template applies them
	// before any middleware reads the body (the CSRF check parses forms),
	// which a route's own middleware could not.
	BodyLimits map[string]string

	// Menu returns the module's entries of the navigation widget's main
	// menu for the signed-in person v, with their badge counts. It is the
	// one place of a module's menu entries; each entry must appear
	// exactly when its route would let v in.
	Menu func(c echo.Context, v *models.Employee) []layouts.MenuItem

	// Home, when set, replaces the template's plain home page (GET /) with
	// the module's dashboard. The first module that sets it wins.
	Home echo.HandlerFunc
}

// Host is what the template's web application offers a module's handlers,
// so that their pages look and behave like the template's own: the master
// layout's view model, rendering, flash messages, and the 403 page.
type Host interface {
	// Render writes comp as the response with status.
	Render(c echo.Context, status int, comp templ.Component) error
	// Page builds the view model of the master layout (title, viewer,
	// menu, CSRF token, flashes).
	Page(c echo.Context, title string) layouts.Page
	// Flash shows msg on the next page the person sees.
	Flash(c echo.Context, kind layouts.FlashKind, msg string)
	// Forbidden answers 403 with reason, inside the master layout.
	Forbidden(c echo.Context, reason string) error
	// Viewer is the signed-in person (nil on public pages).
	Viewer(c echo.Context) *models.Employee
	// People is the template's people service (with every module's roles).
	People() *people.Service
	// BaseURL is the app's public URL (links in mail), and AppName its name.
	BaseURL() string
	AppName() string
}

// RolesOf returns the template's roles with every module's added.
func RolesOf(mods []Module) models.Roles {
	rs := models.BaseRoles()
	for _, m := range mods {
		rs = rs.With(m.Roles...)
	}
	return rs
}

// MigrationsOf returns every module's schema and start-up steps, module by
// module, for database.Migrate.
func MigrationsOf(mods []Module) database.Migrations {
	var m database.Migrations
	for _, mod := range mods {
		if mod.Schema != nil {
			m.Schemas = append(m.Schemas, *mod.Schema)
		}
		m.Steps = append(m.Steps, mod.Steps...)
	}
	return m
}
