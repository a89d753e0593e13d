package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Below 640px the expense table becomes cards and its header row, which
// holds the sort links, is out of sight; the phone sort bar takes over.
func TestBrowserPhoneSortsTheExpenseCardsWithoutTheHiddenHeaderRow(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.signIn("finance@example.com", demoPassword)
	b.resize(phone)
	b.open("/expenses?scope=all")
	b.waitVisible(`[data-testid="phone-sort"]`)
	b.click(`[data-testid="phone-sort"] a[data-sort="amount"]`)
	// The results swap in with the bar marking Amount as the current sort.
	b.waitVisible(`[data-testid="phone-sort"] a[data-sort="amount"][aria-current="true"]`)
	b.waitHtmx()
	if p := b.path(); !strings.Contains(p, "sort=amount") {
		t.Errorf("after choosing Amount the URL is %q, want sort=amount in it", p)
	}
	b.quickScreenshot("expenses-phone-sorted-by-amount")

	b.resize(desktop)
	visible, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('[data-testid="phone-sort"]')).display !== "none"`))
	if err != nil {
		t.Fatal(err)
	}
	if visible {
		t.Error("the phone sort bar shows on a desktop, where the column headers sort")
	}
}
