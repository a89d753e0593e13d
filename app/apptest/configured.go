package apptest

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/config"
)

// NewConfigured is New with a last say over the configuration: configure
// gets the configuration config.Load made from opts and may change it in ways
// config.Load would refuse (an app-switcher link it would not accept, say),
// so that a test can check what the pages make of values that slipped past
// validation.
func NewConfigured(t testing.TB, opts Options, configure func(*config.Config)) *Server {
	t.Helper()
	db, log := openSQLite(t)
	return start(t, db, log, opts, configure)
}
