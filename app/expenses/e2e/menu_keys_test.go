package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused names the element that has the keyboard focus.
func (b *browser) focused() string {
	b.T.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`(function(){var a=document.activeElement;return a.tagName+":"+a.textContent.trim().replace(/\s+/g," ")})()`))
	if err != nil {
		b.T.Fatalf("read the focused element: %v", err)
	}
	return s
}

func (b *browser) press(key string) {
	b.T.Helper()
	b.Do("press "+key, chromedp.KeyEvent(key))
}

// The navigation widget's menus say role="menu", which promises screen-
// reader users the arrow keys of a menu; this checks the promise on the
// profile menu.
func TestBrowserProfileMenuMovesBetweenItemsWithTheArrowKeys(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.SignIn("employee@example.com", demoPassword)
	b.Do("focus the profile button", chromedp.Focus(chromedp.CSS(`.profile-menu summary`)))

	steps := []struct{ name, key, want string }{
		{"ArrowDown", kb.ArrowDown, "A:Your profile"}, // opens the menu at its first item
		{"ArrowDown", kb.ArrowDown, "BUTTON:Sign out"},
		{"ArrowDown", kb.ArrowDown, "A:Your profile"}, // wraps
		{"ArrowUp", kb.ArrowUp, "BUTTON:Sign out"},    // wraps back
		{"Home", kb.Home, "A:Your profile"},
		{"End", kb.End, "BUTTON:Sign out"},
	}
	for _, s := range steps {
		b.press(s.key)
		if got := b.focused(); got != s.want {
			t.Fatalf("after %s the focus is on %q, want %q", s.name, got, s.want)
		}
	}
	open, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`document.querySelector(".profile-menu").open`))
	if err != nil {
		t.Fatal(err)
	}
	if !open {
		t.Fatal("the arrow keys moved the focus but the menu is closed")
	}
	b.press(kb.Escape)
	if got := b.focused(); !strings.HasPrefix(got, "SUMMARY:") {
		t.Errorf("after Escape the focus is on %q, want the profile button", got)
	}
}
