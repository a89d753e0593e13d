package app

import (
	"context"
	"net/http"
)

// ShutdownDrain and Server expose Run's time limits to the tests.
var ShutdownDrain = shutdownDrain

func Server(a *App) *http.Server { return a.server() }

// PruneAudit is housekeeping's audit-log clean-up.
func PruneAudit(a *App, ctx context.Context) { a.pruneAudit(ctx) }

// DevIdPStatus is what the development identity provider's picker is told
// about each identity.
var DevIdPStatus = devIdPStatus
