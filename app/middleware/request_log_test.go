package middleware_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/middleware"
)

// logRequest serves one request through RequestLog and returns the response
// and the single log record it wrote, decoded from JSON.
func logRequest(t *testing.T, method, route, target string, h echo.HandlerFunc) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := echo.New()
	e.Use(middleware.RequestLog(log))
	e.Add(method, route, h)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, target, nil))

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("RequestLog wrote %d lines, want 1:\n%s", len(lines), buf.String())
	}
	var rec1 map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec1); err != nil {
		t.Fatalf("log line %q is not JSON: %v", lines[0], err)
	}
	return rec, rec1
}

func TestRequestLogWritesMethodRouteStatusAndLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		handler echo.HandlerFunc
		status  int
		level   string
	}{
		{"success", http.MethodGet, func(c echo.Context) error { return c.String(http.StatusOK, "ok") }, http.StatusOK, "INFO"},
		{"redirect", http.MethodPost, func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/") }, http.StatusSeeOther, "INFO"},
		{"echo HTTP error", http.MethodGet, func(echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) }, http.StatusNotFound, "WARN"},
		{"plain error", http.MethodGet, func(echo.Context) error { return errors.New("disk on fire") }, http.StatusInternalServerError, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, entry := logRequest(t, tt.method, "/expenses/:id", "/expenses/42", tt.handler)
			if rec.Code != tt.status {
				t.Errorf("response status = %d, want %d", rec.Code, tt.status)
			}
			want := map[string]any{
				"msg":    "request",
				"level":  tt.level,
				"method": tt.method,
				"route":  "/expenses/:id",
				"path":   "/expenses/42",
				"status": float64(tt.status),
			}
			for k, v := range want {
				if entry[k] != v {
					t.Errorf("log %s = %v, want %v", k, entry[k], v)
				}
			}
		})
	}
}

// The error handler must run once, inside the middleware: the client gets
// the same status the log shows, and a single error body.
func TestRequestLogLetsEchoAnswerAnHTTPErrorOnce(t *testing.T) {
	t.Parallel()
	rec, entry := logRequest(t, http.MethodGet, "/expenses/:id", "/expenses/999",
		func(echo.Context) error { return echo.NewHTTPError(http.StatusNotFound, "no such expense") })
	if rec.Code != http.StatusNotFound || entry["status"] != float64(http.StatusNotFound) {
		t.Errorf("response %d, logged %v; want both 404", rec.Code, entry["status"])
	}
	if got := strings.Count(rec.Body.String(), "no such expense"); got != 1 {
		t.Errorf("body %q holds the error %d times, want once", rec.Body.String(), got)
	}
}

func TestRequestLogLeavesOutTheQueryString(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	e := echo.New()
	e.Use(middleware.RequestLog(log))
	e.GET("/login", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login?next=%2Fexpenses%2F42&code=s3cr3t-auth-code", nil))

	out := buf.String()
	if !strings.Contains(out, `"path":"/login"`) {
		t.Fatalf("the request was not logged with its path: %s", out)
	}
	for _, leak := range []string{"s3cr3t-auth-code", "code=", "next=", "%2Fexpenses", "?"} {
		if strings.Contains(out, leak) {
			t.Errorf("log line contains %q from the query string: %s", leak, out)
		}
	}
}

// Load balancers probe /healthz every few seconds and every page pulls its
// static files: at INFO those lines would drown the pages' (and cost CPU).
// They are DEBUG when they succeed, and keep their level when they fail.
func TestRequestLogPutsSuccessfulProbesAndStaticFilesAtDebugAndTheirFailuresAtWarn(t *testing.T) {
	t.Parallel()
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	missing := func(echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) }
	tests := []struct {
		route, target string
		handler       echo.HandlerFunc
		level         string
	}{
		{"/healthz", "/healthz", ok, "DEBUG"},
		{"/readyz", "/readyz", ok, "DEBUG"},
		{"/static/*", "/static/css/app.css", ok, "DEBUG"},
		{"/static/*", "/static/nope.css", missing, "WARN"},
		{"/healthzzz", "/healthzzz", ok, "INFO"},
		{"/expenses", "/expenses", ok, "INFO"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		e := echo.New()
		e.Use(middleware.RequestLog(log, "/healthz", "/readyz", "/static/"))
		e.GET(tt.route, tt.handler)
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tt.target, nil))
		var entry map[string]any
		if err := json.Unmarshal(buf.Bytes(), &entry); err != nil {
			t.Fatalf("%s: log %q: %v", tt.target, buf.String(), err)
		}
		if entry["level"] != tt.level {
			t.Errorf("GET %s logged at %v, want %s", tt.target, entry["level"], tt.level)
		}
	}
}

// With the log at INFO, a quiet request writes nothing at all.
func TestRequestLogAtInfoWritesNothingForASuccessfulHealthCheck(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	e := echo.New()
	e.Use(middleware.RequestLog(slog.New(slog.NewJSONHandler(&buf, nil)), "/healthz"))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if buf.Len() != 0 {
		t.Errorf("logged %q, want nothing", buf.String())
	}
}
