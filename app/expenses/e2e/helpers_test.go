package e2e

import (
	"log/slog"
	"os"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/module"
)

// demoPassword is the password of every seeded demo account.
const demoPassword = apptest.DemoPassword

// chromium is the one headless Chromium the package's tests share (see
// browsertest.Chromium). It lives in a package variable because a test
// cannot receive it any other way; TestMain closes it.
var chromium browsertest.Chromium

func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Close() // waits for the browser process to exit
	os.Exit(code)
}

// browser is a tab of the shared Chromium (browsertest.Tab, the template's
// helpers), with the demo's own helpers as methods.
type browser struct{ *browsertest.Tab }

// newBrowser starts the application (seeded with the demo company) and opens
// a tab for it in the shared Chromium, at the desktop size.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	browsertest.ChromePath(t) // skip before starting the application
	srv := apptest.New(t, apptest.Options{Modules: withDemo})
	return newTab(t, srv)
}

// newTab opens a tab in a browser context of its own on srv, closed when
// the test ends.
func newTab(t *testing.T, srv *apptest.Server) *browser {
	t.Helper()
	return &browser{chromium.NewTab(t, srv)}
}

// withDemo runs the test application with the expenses demo plugged in, as
// app/app.go wires it (apptest alone runs the template without modules).
func withDemo(db *gorm.DB, log *slog.Logger) []module.Module {
	return []module.Module{expensesmodule.New(db, log)}
}
