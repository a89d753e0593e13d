package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// Below 640px the expense table becomes cards and its header row, which
// holds the sort links, is out of sight; the phone sort bar takes over.
func TestBrowserPhoneSortsTheExpenseCardsWithoutTheHiddenHeaderRow(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.SignIn("finance@example.com", demoPassword)
	b.Resize(browsertest.Phone)
	b.Open("/expenses?scope=all")
	b.WaitVisible(`[data-testid="phone-sort"]`)
	b.Click(`[data-testid="phone-sort"] a[data-sort="amount"]`)
	// The results swap in with the bar marking Amount as the current sort.
	b.WaitVisible(`[data-testid="phone-sort"] a[data-sort="amount"][aria-current="true"]`)
	b.waitHtmx()
	if p := b.Path(); !strings.Contains(p, "sort=amount") {
		t.Errorf("after choosing Amount the URL is %q, want sort=amount in it", p)
	}
	b.QuickScreenshot("expenses-phone-sorted-by-amount")

	b.Resize(browsertest.Desktop)
	visible, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('[data-testid="phone-sort"]')).display !== "none"`))
	if err != nil {
		t.Fatal(err)
	}
	if visible {
		t.Error("the phone sort bar shows on a desktop, where the column headers sort")
	}
}
