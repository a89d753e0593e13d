package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveProfiles serves Go's profiles on addr (DEBUG_PPROF_ADDR, a loopback
// address) until ctx ends, on a listener of its own, so that nothing of it
// is reachable through the app's routes, middleware or public port. README
// "Speed and memory" has the commands that read them, for example
//
//	go tool pprof -seconds 10 http://127.0.0.1:6060/debug/pprof/profile
//
// while app/loadtest loads a page.
func serveProfiles(ctx context.Context, addr string, log *slog.Logger) {
	srv := &http.Server{Addr: addr, Handler: profileHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("serving profiles", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("profiles", "addr", addr, "err", err)
	}
}

// profileHandler routes /debug/pprof/ as net/http/pprof does on the
// default mux, which the app does not use.
func profileHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
