package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"
	"github.com/company-expenses/company-expenses/app/module"
)

const (
	// testTimeout bounds everything one test does in the browser. The
	// scenarios take a few seconds; the margin is for a loaded CI machine.
	testTimeout = 90 * time.Second
	// startTimeout bounds starting Chromium, which has no context deadline
	// of its own (the first Run binds the browser's life to its context).
	startTimeout = 20 * time.Second
	// demoPassword is the password of every seeded demo account.
	demoPassword = apptest.DemoPassword
)

// chromePath finds a Chromium or Chrome binary: CHROME_PATH if set, else
// the first of the usual names on PATH. Without one the test is skipped.
func chromePath(t *testing.T) string {
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

// browser is one tab, in a browser context of its own (its own cookies and
// storage), of the package's shared Chromium, driving one test's
// application server.
type browser struct {
	t    *testing.T
	srv  *apptest.Server
	ctx  context.Context // the tab, with the test's deadline
	base string
}

// chromium is the one headless Chromium the package's tests share: starting
// a browser costs more than most scenarios, and tabs in separate browser
// contexts are as isolated as separate browsers for what the tests check.
// It lives in a package variable because a test cannot receive it any other
// way; TestMain closes it.
var chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab, never used for pages
	cancel func()
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.cancel != nil {
		chromium.cancel() // waits for the browser process to exit
	}
	os.Exit(code)
}

// sharedChromium starts the shared browser on first use.
func sharedChromium(t *testing.T, exe string) context.Context {
	t.Helper()
	chromium.once.Do(func() {
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
			chromedp.UserDataDir(filepath.Join(os.TempDir(), fmt.Sprintf("company-expenses-e2e-%d", os.Getpid()))),
			chromedp.WindowSize(1280, 800),
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		chromium.ctx = ctx
		chromium.cancel = func() {
			cancelCtx()
			cancelAlloc()
			os.RemoveAll(filepath.Join(os.TempDir(), fmt.Sprintf("company-expenses-e2e-%d", os.Getpid())))
		}
		// Start the browser on the undeadlined context, but do not wait for
		// ever if Chromium hangs while starting.
		started := make(chan error, 1)
		go func() { started <- chromedp.Do(ctx) }()
		select {
		case chromium.err = <-started:
		case <-time.After(startTimeout):
			chromium.err = fmt.Errorf("did not start within %s", startTimeout)
		}
		if chromium.err != nil {
			chromium.err = fmt.Errorf("start Chromium (%s): %w", exe, chromium.err)
		}
	})
	if chromium.err != nil {
		t.Fatal(chromium.err)
	}
	return chromium.ctx
}

// newBrowser starts the application (seeded with the demo company) and opens
// a tab for it in the shared Chromium, at the desktop size.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromePath(t)
	srv := apptest.New(t, apptest.Options{Modules: withDemo})
	return newTab(t, exe, srv)
}

// newTab opens a tab in a browser context of its own on srv, closed when
// the test ends.
func newTab(t *testing.T, exe string, srv *apptest.Server) *browser {
	t.Helper()
	parent := sharedChromium(t, exe)
	tabCtx, cancelTab := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, testTimeout)
	t.Cleanup(cancel)
	b := &browser{t: t, srv: srv, ctx: ctx, base: srv.URL}
	b.resize(desktop)
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
func (b *browser) dumpPage(tabCtx context.Context) {
	ctx, cancel := context.WithTimeout(tabCtx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Logf("browser state unavailable: %v", err)
		return
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(text) > 2000 {
		text = text[:2000] + "…"
	}
	b.t.Logf("browser was at %s showing:\n%s", loc, text)
}

// do runs actions in the tab and fails the test with step in the message
// if one fails.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// open loads path (relative to the server) and waits for its load event.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// waitVisible waits until the element matching the CSS selector is visible.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// click clicks the element matching the CSS selector, once it is visible.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the visible element found by an XPath expression, such
// as one from byText.
func (b *browser) clickText(xpath string) {
	b.t.Helper()
	b.do("click "+xpath, chromedp.Click(chromedp.Search(xpath)))
}

// byText is an XPath expression for the tag elements under scope (an XPath
// prefix such as "//main", or "" for the whole document) whose normalised
// text is exactly text.
func byText(scope, tag, text string) string {
	return fmt.Sprintf(`%s//%s[normalize-space(.)=%s]`, scope, tag, xpathString(text))
}

// xpathString quotes s as an XPath string literal.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// text returns the visible text of the element matching the CSS selector,
// trimmed.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// attr returns an attribute of the element matching the CSS selector.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("read %s of %s: %v", name, sel, err)
	}
	if !res.Exists {
		b.t.Fatalf("%s has no attribute %s", sel, name)
	}
	return res.Value
}

// path returns the path (and query) of the page the tab shows.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("read location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// signIn signs in through the e-mail and password form of the sign-in page
// and waits for the first page of the app, which shows the navigation
// widget (the sign-in page has none).
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.do("fill in the sign-in form",
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.Search(byText("//form", "button", "Sign in with e-mail"))),
	)
	b.waitVisible(`[data-testid="navigation-widget"]`)
}

// openProfileMenu opens the navigation widget's profile menu and waits for
// its panel.
func (b *browser) openProfileMenu() {
	b.t.Helper()
	b.click(`.profile-menu summary`)
	b.waitVisible(`[data-testid="profile-name"]`)
}

// signOut signs out with the profile menu's Sign out button and waits for
// the signed-out page.
func (b *browser) signOut() {
	b.t.Helper()
	b.openProfileMenu()
	b.clickText(byText(`//*[@data-testid="profile-menu"]`, "button", "Sign out"))
	b.waitVisible(`[data-testid="signed-out"]`)
}

// pageProblem is something the browser reported while pages loaded.
type pageProblem struct {
	kind, text, where string
}

func (p pageProblem) String() string {
	if p.where == "" {
		return p.kind + ": " + p.text
	}
	return p.kind + ": " + p.text + " (" + p.where + ")"
}

// problems collects uncaught exceptions, console.error calls and error-level
// or security entries of the browser log (where Content-Security-Policy
// violations and failed loads appear) for the rest of the test.
type problems struct {
	mu   sync.Mutex
	list []pageProblem
	seen chan struct{} // receives (without blocking) on each new problem
}

// watchProblems starts collecting. chromedp enables the Runtime and Log
// domains when it attaches a tab; Log is enabled again here (it is
// idempotent) because CSP violations only arrive through it.
func (b *browser) watchProblems() *problems {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, log.Enable, cdp.Empty{}); err != nil {
		b.t.Fatalf("enable the Log domain: %v", err)
	}
	p := &problems{seen: make(chan struct{}, 1)}
	err := chromedp.Listen(b.ctx, func(ev any) {
		// Runs in the tab's read loop: record and return.
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			p.add(pageProblem{"exception", text, fmt.Sprintf("%s:%d", d.URL, d.LineNumber+1)})
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				switch {
				case a.Description != "":
					parts = append(parts, a.Description)
				case len(a.Value) > 0:
					parts = append(parts, string(a.Value))
				}
			}
			p.add(pageProblem{"console." + string(ev.Type), strings.Join(parts, " "), ""})
		case *log.EventEntryAdded:
			e := ev.Entry
			if e == nil || (e.Level != log.EntryLevelError && e.Source != log.EntrySourceSecurity) {
				return
			}
			p.add(pageProblem{"log " + string(e.Source) + "/" + string(e.Level), e.Text, e.URL})
		}
	})
	if err != nil {
		b.t.Fatalf("listen to the tab's events: %v", err)
	}
	return p
}

func (p *problems) add(pp pageProblem) {
	p.mu.Lock()
	p.list = append(p.list, pp)
	p.mu.Unlock()
	select {
	case p.seen <- struct{}{}:
	default:
	}
}

// take returns the problems collected so far and forgets them.
func (p *problems) take() []pageProblem {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.list
	p.list = nil
	return list
}

// waitAny waits until at least one problem has been collected.
func (p *problems) waitAny(ctx context.Context) error {
	for {
		p.mu.Lock()
		n := len(p.list)
		p.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-p.seen:
		case <-ctx.Done():
			return errors.New("no problem reported before the deadline")
		}
	}
}

// withDemo runs the test application with the expenses demo plugged in, as
// app/app.go wires it (apptest alone runs the template without modules).
func withDemo(db *gorm.DB, log *slog.Logger) []module.Module {
	return []module.Module{expensesmodule.New(db, log)}
}
