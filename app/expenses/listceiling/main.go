// Command listceiling serves the load script's ceiling: the expense list
// page's component (views/expenses List) rendering the first 25 of
// everyone's expenses, as finance sees them, from memory, in a bare echo
// handler: no database, session, middleware or request log per request,
// and the app's garbage collector setting.
// What a signed-in list page costs above this is the price of everything
// but rendering. It reads the rows once at start from the database the app
// would use (DATABASE_URL, or SQLITE_PATH for SQLite).
//
//	SQLITE_PATH=/tmp/load.db go run ./app/expenses/listceiling -addr 127.0.0.1:18901
//
// app/loadtest -ceiling builds and starts it by itself. It lives in the
// demo's folder because it renders the demo's page; the template's load
// script only runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18901", "address to listen on (loopback)")
	email := flag.String("email", "finance@example.com", "whose view of the list to render")
	flag.Parse()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300) // the app's own default (main.go), so that both collect alike
	}
	if err := run(*addr, *email); err != nil {
		fmt.Fprintln(os.Stderr, "listceiling:", err)
		os.Exit(1)
	}
}

func run(addr, email string) error {
	ctx := context.Background()
	sqlitePath := os.Getenv("SQLITE_PATH")
	if sqlitePath == "" {
		sqlitePath = "data/expenses.db"
	}
	db, err := database.Open(os.Getenv("DATABASE_URL"), sqlitePath, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	roles := models.BaseRoles().With(models.ExpenseRoles()...)
	var u models.User
	if err := db.Where("email = ?", email).Take(&u).Error; err != nil {
		return fmt.Errorf("find %s: %w", email, err)
	}
	v, err := people.NewService(db, roles).Viewer(ctx, u.ID)
	if err != nil {
		return err
	}
	svc := expenses.NewService(db)
	page, err := svc.List(ctx, v, expenses.Filter{Scope: expenses.ScopeAll})
	if err != nil {
		return err
	}
	cats, err := svc.ListCategories(ctx, false)
	if err != nil {
		return err
	}
	l := expenseviews.ListPage{Filter: page.Filter, Total: page.Total, TotalPages: page.TotalPages,
		TotalIsLowerBound: page.TotalIsLowerBound, CanCreate: true}
	for _, c := range cats {
		l.Categories = append(l.Categories, expenseviews.Option{Value: fmt.Sprint(c.ID), Label: c.Name})
	}
	for i := range page.Items {
		l.Rows = append(l.Rows, expenseviews.RowOf(&page.Items[i]))
	}
	p := layouts.Page{Title: "Expenses", AppName: "Company Expenses", Env: "development", CSRFToken: "ceiling", Path: "/expenses",
		Viewer: &layouts.Viewer{ID: v.UserID, Name: v.DisplayName(), Email: v.User.Email, Initials: models.Initials(v.DisplayName()),
			AccountKind: "Local account", Roles: roles.Labels(&v.User)}}
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close() // from here on, memory only
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/expenses", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(http.StatusOK)
		return expenseviews.List(p, l).Render(c.Request().Context(), c.Response())
	})
	return e.Start(addr)
}
