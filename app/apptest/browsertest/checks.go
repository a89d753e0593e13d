package browsertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Viewport is a window size the tests look at the app in.
type Viewport struct {
	Name          string
	Width, Height int64
}

// The two sizes of the UI review: a laptop and a phone (390 × 844 is a
// current mid-size phone in CSS pixels).
var (
	Desktop = Viewport{"desktop", 1280, 800}
	Phone   = Viewport{"phone", 390, 844}
)

// Resize makes the tab's viewport v. It is a desktop viewport of that size
// rather than mobile emulation: a mobile browser would zoom out to fit a
// too-wide page, and hide exactly the overflow the tests look for.
func (b *Tab) Resize(v Viewport) {
	b.T.Helper()
	b.Do("resize to "+v.Name, chromedp.EmulateViewport(v.Width, v.Height))
}

// ScreenshotDir is where the tests save their screenshots: $E2E_SCREENSHOTS,
// or company-expenses-screenshots in the system's temporary folder. CI prints
// its listing at the end of the run.
func ScreenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "company-expenses-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Screenshot saves the whole page (not only the viewport) as name.png in
// the screenshot folder.
func (b *Tab) Screenshot(name string) { b.saveScreenshot(name, 100, ".png") }

// QuickScreenshot saves the whole page as a JPEG: a page walk takes dozens,
// and encoding long pages as PNG costs more than checking them.
func (b *Tab) QuickScreenshot(name string) { b.saveScreenshot(name, 80, ".jpg") }

func (b *Tab) saveScreenshot(name string, quality int, ext string) {
	b.T.Helper()
	img, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(quality))
	if err != nil {
		b.T.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(ScreenshotDir(b.T), strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")+ext)
	if err := os.WriteFile(file, img, 0o644); err != nil {
		b.T.Fatalf("save screenshot: %v", err)
	}
}

// Overflow reports what sticks out sideways when the page is wider than the
// viewport, or "" when nothing does. It names the deepest elements whose
// right edge passes the viewport's, so a failure says what to fix.
func (b *Tab) Overflow() string {
	b.T.Helper()
	got, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(() => {
		const w = window.innerWidth;
		if (document.documentElement.scrollWidth <= w) return "";
		const wide = [];
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.right <= w + 1) continue;
			if ([...el.children].some(c => c.getBoundingClientRect().right > w + 1)) continue;
			let sel = el.tagName.toLowerCase();
			if (el.id) sel += "#" + el.id;
			if (el.classList.length) sel += "." + [...el.classList].join(".");
			wide.push(sel + " (right edge " + Math.round(r.right) + ")");
			if (wide.length === 5) break;
		}
		return "scrollWidth " + document.documentElement.scrollWidth + " > innerWidth " + w + ": " + wide.join(", ");
	})()`))
	if err != nil {
		b.T.Fatalf("measure overflow: %v", err)
	}
	return got
}

// axeSource is axe-core, read once from the module's static/vendor. It is
// injected into the pages under test only: the app does not embed or serve
// it.
var axeSource = sync.OnceValues(func() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "static", "vendor", "axe-core", "axe.min.js"))
	return string(b), err
})

// moduleRoot is the folder of go.mod above the working directory, which go
// test sets to the package's folder.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// axeViolation is one rule axe-core found broken, with the elements.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// AxeCheck runs axe-core over the page and returns one line per element
// that breaks a serious or critical rule: the rule, where (the page, as the
// caller names it), the element and why.
// label-content-name-mismatch (the visible label is part of the accessible
// name, WCAG 2.5.3) is still "experimental" in axe and off by default; it
// is turned on because the UI review found it.
func (b *Tab) AxeCheck(where string) []string {
	b.T.Helper()
	src, err := axeSource()
	if err != nil {
		b.T.Fatalf("read axe-core: %v", err)
	}
	loaded, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		b.T.Fatalf("%s: %v", where, err)
	}
	if !loaded {
		// Evaluated through the DevTools protocol, which the page's
		// Content-Security-Policy does not govern.
		if err := chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			b.T.Fatalf("inject axe-core into %s: %v", where, err)
		}
	}
	raw, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`axe.run(document, {
		resultTypes: ["violations"],
		rules: { "label-content-name-mismatch": { enabled: true } },
	}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("run axe-core on %s: %v", where, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.T.Fatalf("axe-core results on %s: %v", where, err)
	}
	var out []string
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		for _, n := range v.Nodes {
			out = append(out, fmt.Sprintf("%s: axe rule %q (%s, %s) at %v: %s",
				where, v.ID, v.Impact, v.Help, n.Target, strings.ReplaceAll(strings.TrimSpace(n.Summary), "\n", " ")))
		}
	}
	return out
}

// Page is one page of a Walk: a path to open, or a setup that brings the
// tab to the page (an error state, say), and a name for its screenshot.
type Page struct {
	Name  string
	Path  string
	Setup func(b *Tab) // instead of opening Path
}

// Walk opens each page at both sizes, saves a screenshot of it
// (page-<size>-<role>-<name>.jpg), and reports every serious or critical
// axe-core violation and any sideways scrolling as an error of t.
func Walk(t *testing.T, b *Tab, role string, pages []Page) {
	t.Helper()
	for _, v := range []Viewport{Desktop, Phone} {
		b.Resize(v)
		for _, p := range pages {
			if p.Setup != nil {
				p.Setup(b)
			} else {
				b.Open(p.Path)
			}
			b.WaitVisible(`main`)
			where := fmt.Sprintf("%s as %s at %d×%d (%s)", p.Name, role, v.Width, v.Height, b.Path())
			b.QuickScreenshot(fmt.Sprintf("page-%s-%s-%s", v.Name, role, p.Name))
			if o := b.Overflow(); o != "" {
				t.Errorf("%s scrolls sideways: %s", where, o)
			}
			for _, problem := range b.AxeCheck(where) {
				t.Error(problem)
			}
		}
	}
}
