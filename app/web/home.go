package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	homeviews "github.com/company-expenses/company-expenses/views/home"
)

func (a *Application) home(c echo.Context) error {
	return a.render(c, http.StatusOK, homeviews.Dashboard(a.page(c, "Dashboard")))
}
