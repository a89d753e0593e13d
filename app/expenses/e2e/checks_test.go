package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// viewport is a window size the tests look at the app in.
type viewport struct {
	name          string
	width, height int64
}

// The two sizes of the UI review: a laptop and a phone (390 × 844 is a
// current mid-size phone in CSS pixels).
var (
	desktop = viewport{"desktop", 1280, 800}
	phone   = viewport{"phone", 390, 844}
)

// resize makes the tab's viewport v. It is a desktop viewport of that size
// rather than mobile emulation: a mobile browser would zoom out to fit a
// too-wide page, and hide exactly the overflow the tests look for.
func (b *browser) resize(v viewport) {
	b.t.Helper()
	b.do("resize to "+v.name, chromedp.EmulateViewport(v.width, v.height))
}

// screenshotDir is where the tests save their screenshots: $E2E_SCREENSHOTS,
// or company-expenses-screenshots in the system's temporary folder. CI prints
// its listing at the end of the run.
func screenshotDir(t *testing.T) string {
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

// screenshot saves the whole page (not only the viewport) as name.png in
// the screenshot folder.
func (b *browser) screenshot(name string) { b.saveScreenshot(name, 100, ".png") }

// quickScreenshot saves the whole page as a JPEG: the page walk takes
// nearly a hundred, and encoding long pages as PNG costs more than checking
// them.
func (b *browser) quickScreenshot(name string) { b.saveScreenshot(name, 80, ".jpg") }

func (b *browser) saveScreenshot(name string, quality int, ext string) {
	b.t.Helper()
	img, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(quality))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(screenshotDir(b.t), strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")+ext)
	if err := os.WriteFile(file, img, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
}

// overflow reports what sticks out sideways when the page is wider than the
// viewport, or "" when nothing does. It names the deepest elements whose
// right edge passes the viewport's, so a failure says what to fix.
func (b *browser) overflow() string {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
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
		b.t.Fatalf("measure overflow: %v", err)
	}
	return got
}

// axeSource is axe-core, read once from static/vendor. It is injected into
// the pages under test only: the app does not embed or serve it.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "static", "vendor", "axe-core", "axe.min.js"))
	return string(b), err
})

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

// axeCheck runs axe-core over the page and returns one line per element
// that breaks a serious or critical rule: the rule, where, and why.
// label-content-name-mismatch (the visible label is part of the accessible
// name, WCAG 2.5.3) is still "experimental" in axe and off by default; it
// is turned on because the UI review found it.
func (b *browser) axeCheck(where string) []string {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatalf("read axe-core: %v", err)
	}
	loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		b.t.Fatalf("%s: %v", where, err)
	}
	if !loaded {
		// Evaluated through the DevTools protocol, which the page's
		// Content-Security-Policy does not govern.
		if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			b.t.Fatalf("inject axe-core into %s: %v", where, err)
		}
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {
		resultTypes: ["violations"],
		rules: { "label-content-name-mismatch": { enabled: true } },
	}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core on %s: %v", where, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe-core results on %s: %v", where, err)
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
