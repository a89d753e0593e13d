package middleware

import "github.com/labstack/echo/v4"

// IsHTMX reports whether htmx made the request (and not as a boosted link or
// form), so a handler may answer with a fragment instead of the full page.
func IsHTMX(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Boosted") != "true"
}
