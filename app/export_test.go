package app

import "net/http"

// ShutdownDrain and Server expose Run's time limits to the tests.
var ShutdownDrain = shutdownDrain

func Server(a *App) *http.Server { return a.server() }
