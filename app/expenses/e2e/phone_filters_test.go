package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// visible reports whether the element sel finds is rendered: in the
// layout, not inside a closed <details>, not visibility: hidden.
func (b *browser) visible(sel string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+"`"+sel+"`"+`);return !!e && e.checkVisibility({visibilityProperty: true})})()`))
	if err != nil {
		b.t.Fatalf("is %s visible: %v", sel, err)
	}
	return v
}

// On a phone the expense filters fold behind a "Filter" button so that the
// first screen shows expenses; with a filter set they stay open, so that
// what narrows the list is in view; on a desktop there is no button.
func TestBrowserPhoneFoldsTheExpenseFiltersBehindAFilterButton(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.signIn("finance@example.com", demoPassword)
	b.resize(phone)
	b.open("/expenses?scope=all")
	b.waitVisible(`[data-testid="filter-toggle"]`)
	if b.visible(`#f-q`) {
		t.Fatal("on a phone the search field shows before the Filter button is pressed")
	}
	b.quickScreenshot("expenses-phone-filters-folded")
	b.click(`[data-testid="filter-toggle"]`)
	b.waitVisible(`#f-q`)

	b.open("/expenses?scope=all&status=submitted")
	b.waitVisible(`#f-status`)

	b.resize(desktop)
	b.open("/expenses?scope=all")
	b.waitVisible(`#f-q`)
	if b.visible(`[data-testid="filter-toggle"]`) {
		t.Error("the Filter button shows on a desktop, where the filters are always open")
	}
}
