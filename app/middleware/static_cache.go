package middleware

import "github.com/labstack/echo/v4"

// StaticCache lets browsers keep fingerprinted static files for a year. A
// URL with ?v=<hash> changes whenever the file does (see package static), so
// "immutable" is safe; URLs without it get a short cache.
func StaticCache(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.QueryParam("v") != "" {
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set("Cache-Control", "public, max-age=300")
		}
		return next(c)
	}
}

// NoStore keeps pages with personal data out of shared and back-button
// caches.
func NoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}
