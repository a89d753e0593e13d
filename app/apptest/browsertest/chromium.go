// Package browsertest drives a real headless Chromium through a test
// application (app/apptest) with chromedp: tabs with their own cookies,
// helpers to open, click and read pages, screenshots, a check for sideways
// scrolling, axe-core's accessibility rules (static/vendor/axe-core,
// injected by the tests, never served), and a watch on script errors and
// Content-Security-Policy violations.
//
// It is the template's, so that the template's own browser tests
// (app/web/browser) and a module's (the demo's app/expenses/e2e) share it.
// A test package declares one Chromium and closes it in TestMain:
//
//	var chromium browsertest.Chromium
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		chromium.Close()
//		os.Exit(code)
//	}
//
// Tests need Chromium or Chrome: the first of CHROME_PATH, chromium,
// chromium-browser and google-chrome that is found. Without one they skip
// (on Debian or Ubuntu: apt-get install chromium). The browser runs headless
// and without its sandbox, so the tests also run as root in CI containers.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest"
)

const (
	// TestTimeout bounds everything one tab does. The scenarios take a few
	// seconds; the margin is for a loaded CI machine.
	TestTimeout = 90 * time.Second
	// startTimeout bounds starting Chromium, which has no context deadline
	// of its own (the first Run binds the browser's life to its context).
	startTimeout = 20 * time.Second
)

// ChromePath finds a Chromium or Chrome binary: CHROME_PATH if set, else
// the first of the usual names on PATH. Without one it skips the test, so
// call it before starting anything costly.
func ChromePath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if abs, err := exec.LookPath(p); err == nil {
			return abs
		}
		t.Fatalf("CHROME_PATH=%q is not an executable", p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests skipped: install Chromium (apt-get install chromium) or set CHROME_PATH")
	return ""
}

// Chromium is one headless Chromium that a test package's tests share:
// starting a browser costs more than most scenarios, and tabs in separate
// browser contexts are as isolated as separate browsers for what the tests
// check. The zero value starts the browser on first use; Close ends it.
type Chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab, never used for pages
	cancel func()
	err    error
}

// Close ends the browser, if it started, and waits for its process to exit.
func (c *Chromium) Close() {
	if c.cancel != nil {
		c.cancel()
	}
}

// start starts the browser on first use.
func (c *Chromium) start(t *testing.T, exe string) context.Context {
	t.Helper()
	c.once.Do(func() {
		dir, err := os.MkdirTemp("", "company-expenses-chromium-")
		if err != nil {
			c.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 800),
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		c.ctx = ctx
		c.cancel = func() {
			cancelCtx()
			cancelAlloc()
			os.RemoveAll(dir)
		}
		// Start the browser on the undeadlined context, but do not wait for
		// ever if Chromium hangs while starting.
		started := make(chan error, 1)
		go func() { started <- chromedp.Do(ctx) }()
		select {
		case c.err = <-started:
		case <-time.After(startTimeout):
			c.err = fmt.Errorf("did not start within %s", startTimeout)
		}
		if c.err != nil {
			c.err = fmt.Errorf("start Chromium (%s): %w", exe, c.err)
		}
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.ctx
}

// Tab is one tab of the shared Chromium, in a browser context of its own
// (its own cookies and storage), driving one test's application server.
// Its methods fail the test with the step that failed.
type Tab struct {
	T   *testing.T
	Srv *apptest.Server
	// Ctx is the tab, with the test's deadline (TestTimeout).
	Ctx context.Context
	// Base is the server's URL, which Open's paths are relative to.
	Base string
}

// NewTab opens a tab on srv at the desktop size, closed when the test ends;
// it skips the test without Chromium. When the test fails, it logs where
// the tab was and what it showed.
func (c *Chromium) NewTab(t *testing.T, srv *apptest.Server) *Tab {
	t.Helper()
	parent := c.start(t, ChromePath(t))
	tabCtx, cancelTab := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, TestTimeout)
	t.Cleanup(cancel)
	b := &Tab{T: t, Srv: srv, Ctx: ctx, Base: srv.URL}
	b.Resize(Desktop)
	// Registered last, so it runs first: on failure, say where the browser
	// was and what it showed, while the tab still exists.
	t.Cleanup(func() {
		if t.Failed() {
			b.dumpPage(tabCtx)
		}
	})
	return b
}

// dumpPage logs the current URL and the start of the page's text.
func (b *Tab) dumpPage(tabCtx context.Context) {
	ctx, cancel := context.WithTimeout(tabCtx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.T.Logf("browser state unavailable: %v", err)
		return
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(text) > 2000 {
		text = text[:2000] + "…"
	}
	b.T.Logf("browser was at %s showing:\n%s", loc, text)
}
