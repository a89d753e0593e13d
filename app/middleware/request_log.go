package middleware

import (
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// RequestLog writes one structured line per request: method, route, status,
// duration, client IP and request id. Query strings are left out, since they
// may carry return targets or codes that do not belong in logs.
//
// Successful requests for the quiet paths (an exact path, or a prefix
// ending in "/") are logged at DEBUG rather than INFO: the health probes of
// a load balancer and the static files every page pulls are most of the
// lines otherwise, and the lines cost CPU that the pages need. Failures
// there are logged as anywhere else.
func RequestLog(log *slog.Logger, quiet ...string) echo.MiddlewareFunc {
	isQuiet := func(path string) bool {
		for _, q := range quiet {
			if path == q || (strings.HasSuffix(q, "/") && strings.HasPrefix(path, q)) {
				return true
			}
		}
		return false
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// Let echo's error handler write the response now, so the
				// status we log is the one the client gets.
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			level := slog.LevelInfo
			switch {
			case res.Status >= 500:
				level = slog.LevelError
			case res.Status >= 400:
				level = slog.LevelWarn
			case isQuiet(req.URL.Path):
				level = slog.LevelDebug
			}
			if !log.Enabled(req.Context(), level) {
				return nil
			}
			log.LogAttrs(req.Context(), level, "request",
				slog.String("method", req.Method),
				slog.String("path", req.URL.Path),
				slog.String("route", c.Path()),
				slog.Int("status", res.Status),
				slog.Duration("duration", time.Since(start)),
				slog.String("ip", c.RealIP()),
				slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
				slog.Int64("bytes", res.Size),
			)
			return nil
		}
	}
}
