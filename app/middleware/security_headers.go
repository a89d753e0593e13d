package middleware

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
)

// ContentSecurityPolicy allows only the app's own scripts, styles, forms and
// frames: no inline script, no framing of our pages by other sites.
// Avatars may come from an identity provider, so images allow https:.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: https:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// SecurityHeaders sets the headers that keep browsers strict about our pages.
// hsts adds Strict-Transport-Security; turn it on only when served over HTTPS.
//
// The headers are the same on every response, so their names and values
// are fixed once here; each request copies the values into one slice of
// its own (one allocation instead of one per header, and no slice shared
// between responses that a later Set or Add could reach).
func SecurityHeaders(hsts bool) echo.MiddlewareFunc {
	names := []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
		"Referrer-Policy", "Cross-Origin-Opener-Policy", "Permissions-Policy"}
	values := []string{ContentSecurityPolicy, "nosniff", "DENY",
		"strict-origin-when-cross-origin", "same-origin", "camera=(), microphone=(), geolocation=(), payment=()"}
	if hsts {
		names = append(names, "Strict-Transport-Security")
		values = append(values, "max-age=63072000; includeSubDomains")
	}
	for i, n := range names {
		names[i] = http.CanonicalHeaderKey(n)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			own := slices.Clone(values)
			for i, n := range names {
				h[n] = own[i : i+1 : i+1]
			}
			return next(c)
		}
	}
}
