package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// visible reports whether the element sel finds is rendered: in the
// layout, not inside a closed <details>, not visibility: hidden.
func (b *browser) visible(sel string) bool {
	b.T.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+"`"+sel+"`"+`);return !!e && e.checkVisibility({visibilityProperty: true})})()`))
	if err != nil {
		b.T.Fatalf("is %s visible: %v", sel, err)
	}
	return v
}

// On a phone the expense filters fold behind a "Filter" button so that the
// first screen shows expenses; with a filter set they stay open, so that
// what narrows the list is in view; on a desktop there is no button.
func TestBrowserPhoneFoldsTheExpenseFiltersBehindAFilterButton(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.SignIn("finance@example.com", demoPassword)
	b.Resize(browsertest.Phone)
	b.Open("/expenses?scope=all")
	b.WaitVisible(`[data-testid="filter-toggle"]`)
	if b.visible(`#f-q`) {
		t.Fatal("on a phone the search field shows before the Filter button is pressed")
	}
	b.QuickScreenshot("expenses-phone-filters-folded")
	b.Click(`[data-testid="filter-toggle"]`)
	b.WaitVisible(`#f-q`)

	b.Open("/expenses?scope=all&status=submitted")
	b.WaitVisible(`#f-status`)

	b.Resize(browsertest.Desktop)
	b.Open("/expenses?scope=all")
	b.WaitVisible(`#f-q`)
	if b.visible(`[data-testid="filter-toggle"]`) {
		t.Error("the Filter button shows on a desktop, where the filters are always open")
	}
}
