package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/database"
)

// readyTimeout bounds the readiness check, so that a hung database makes the
// check fail quickly instead of holding the load balancer's probe.
const readyTimeout = 5 * time.Second

// healthz is the liveness check: 200 while the process serves HTTP. It does
// not touch the database on purpose: an orchestrator restarts instances
// whose liveness check fails, and restarting every instance during a
// database outage cures nothing. Readiness (readyz) is the check that
// follows the database.
func (a *Application) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// readyz is the readiness check for load balancers: 200 when the database
// answers and accepts a write (database.Ready commits a one-row heartbeat),
// 503 with a plain reason otherwise, so that an instance whose every write
// fails (a full disk) is taken out of rotation although it still answers.
func (a *Application) readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	if err := database.Ready(ctx, a.db); err != nil {
		a.log.ErrorContext(ctx, "readiness check", "err", err)
		reason := "the database cannot write"
		var nr *database.NotReadyError
		if errors.As(err, &nr) {
			reason = nr.Reason
		}
		// The reason only: the error itself may name files and hosts.
		return c.String(http.StatusServiceUnavailable, "not ready: "+reason+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
