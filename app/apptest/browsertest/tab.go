package browsertest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/chromedp"
)

// Do runs actions in the tab and fails the test with step in the message
// if one fails.
func (b *Tab) Do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.T.Fatalf("%s: %v", step, err)
	}
}

// Open loads path (relative to the server) and waits for its load event.
func (b *Tab) Open(path string) {
	b.T.Helper()
	b.Do("open "+path, chromedp.Navigate(b.Base+path))
}

// WaitVisible waits until the element matching the CSS selector is visible.
func (b *Tab) WaitVisible(sel string) {
	b.T.Helper()
	b.Do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Click clicks the element matching the CSS selector, once it is visible.
func (b *Tab) Click(sel string) {
	b.T.Helper()
	b.Do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// ClickText clicks the visible element found by an XPath expression, such
// as one from ByText.
func (b *Tab) ClickText(xpath string) {
	b.T.Helper()
	b.Do("click "+xpath, chromedp.Click(chromedp.Search(xpath)))
}

// ByText is an XPath expression for the tag elements under scope (an XPath
// prefix such as "//main", or "" for the whole document) whose normalised
// text is exactly text.
func ByText(scope, tag, text string) string {
	return fmt.Sprintf(`%s//%s[normalize-space(.)=%s]`, scope, tag, XPathString(text))
}

// XPathString quotes s as an XPath string literal.
func XPathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// Text returns the visible text of the element matching the CSS selector,
// trimmed.
func (b *Tab) Text(sel string) string {
	b.T.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("read text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Attr returns an attribute of the element matching the CSS selector.
func (b *Tab) Attr(sel, name string) string {
	b.T.Helper()
	res, err := chromedp.Run(b.Ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.T.Fatalf("read %s of %s: %v", name, sel, err)
	}
	if !res.Exists {
		b.T.Fatalf("%s has no attribute %s", sel, name)
	}
	return res.Value
}

// Path returns the path (and query) of the page the tab shows.
func (b *Tab) Path() string {
	b.T.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.T.Fatalf("read location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.T.Fatalf("parse location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// SignIn signs in through the e-mail and password form of the sign-in page
// and waits for the first page of the app, which shows the navigation
// widget (the sign-in page has none).
func (b *Tab) SignIn(email, password string) {
	b.T.Helper()
	b.Open("/login")
	b.Do("fill in the sign-in form",
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.Search(ByText("//form", "button", "Sign in with e-mail"))),
	)
	b.WaitVisible(`[data-testid="navigation-widget"]`)
}

// OpenProfileMenu opens the navigation widget's profile menu and waits for
// its panel.
func (b *Tab) OpenProfileMenu() {
	b.T.Helper()
	b.Click(`.profile-menu summary`)
	b.WaitVisible(`[data-testid="profile-name"]`)
}

// SignOut signs out with the profile menu's Sign out button and waits for
// the signed-out page.
func (b *Tab) SignOut() {
	b.T.Helper()
	b.OpenProfileMenu()
	b.ClickText(ByText(`//*[@data-testid="profile-menu"]`, "button", "Sign out"))
	b.WaitVisible(`[data-testid="signed-out"]`)
}
