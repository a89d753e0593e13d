package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

// evalJSON evaluates a JavaScript expression that returns a JSON string and
// decodes it into v.
func (b *browser) evalJSON(what, js string, v any) {
	b.T.Helper()
	raw, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		b.T.Fatalf("%s: %v (%s)", what, err, raw)
	}
}

// box is an element's place on the page, in CSS pixels.
type box struct {
	Top, Bottom, Left, Right, Width, Height float64
	Visible                                 bool
}

func (b *browser) box(sel string) box {
	b.T.Helper()
	var r box
	b.evalJSON("measure "+sel, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return JSON.stringify({});
		const r = el.getBoundingClientRect(), s = getComputedStyle(el);
		return JSON.stringify({Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, Width: r.width, Height: r.height,
			Visible: r.width > 0 && r.height > 0 && s.visibility !== "hidden"});
	})()`, sel), &r)
	return r
}

// luminance and contrast follow WCAG 2's definitions.
func luminance(r, g, b float64) float64 {
	ch := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
}

func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a[0], a[1], a[2]), luminance(b[0], b[1], b[2])
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// The findings of the UI review, each checked in the browser where it was
// seen. They share one application (nothing here changes data) and run in
// parallel tabs.
func TestUIReviewFindingsStayFixed(t *testing.T) {
	t.Parallel()
	browsertest.ChromePath(t)
	srv := apptest.New(t, apptest.Options{Modules: withDemo})

	t.Run("PhoneHeaderIsOneRowAndItsMenuButtonReachesEveryEntry", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.Resize(browsertest.Phone)
		b.SignIn("admin@example.com", demoPassword)
		b.Open("/admin/settings")
		if h := b.box(`.navbar`).Height; h > 64 {
			t.Errorf("the header is %.0f px high at 390 px, want one row (≤ 64 px)", h)
		}
		if b.box(`.mainmenu`).Visible {
			t.Errorf("the wide menu shows at 390 px; want it behind the menu button")
		}
		b.Click(`.phone-menu > summary`)
		b.WaitVisible(`.phone-menu-panel`)
		b.Screenshot("review-phone-menu-open")
		for _, label := range []string{"Dashboard", "Expenses", "People", "Categories", "Settings"} {
			var r box
			b.evalJSON("find "+label, fmt.Sprintf(`(() => {
				const a = [...document.querySelectorAll(".phone-menu-panel a")].find(a => a.textContent.trim().startsWith(%q));
				if (!a) return "{}";
				const r = a.getBoundingClientRect();
				return JSON.stringify({Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, Width: r.width, Height: r.height, Visible: r.width > 0});
			})()`, label), &r)
			if !r.Visible || r.Left < 0 || r.Right > float64(browsertest.Phone.Width) || r.Bottom > float64(browsertest.Phone.Height) {
				t.Errorf("menu entry %q is not on screen in the open phone menu: %+v", label, r)
			}
		}
	})

	t.Run("AdministratorMenuFitsOneLineAt1280", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.SignIn("admin@example.com", demoPassword)
		if h := b.box(`.navbar`).Height; h > 64 {
			t.Errorf("the administrator's header is %.0f px high at 1280 px, want one line (≤ 64 px)", h)
		}
		b.Click(`.admin-menu > summary`)
		b.Screenshot("review-desktop-admin-menu-open")
		for _, label := range []string{"People", "Categories", "Settings"} {
			if _, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.Search(browsertest.ByText(`//*[contains(@class,"admin-menu")]`, "a", label)))); err != nil {
				t.Errorf("the Admin menu has no %q: %v", label, err)
			}
		}
	})

	t.Run("PhoneTablesShowAmountAndStatusOnScreenWithTheirLabels", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.Resize(browsertest.Phone)
		b.SignIn("employee@example.com", demoPassword)
		b.Open("/expenses")
		b.WaitVisible(`[data-testid="expense-row"]`)
		for _, label := range []string{"Amount", "Status", "Date", "Category"} {
			var got struct {
				Right, Width float64
				Before       string
			}
			b.evalJSON("read the "+label+" cell", fmt.Sprintf(`(() => {
				const td = document.querySelector('[data-testid="expense-row"] td[data-label=%q]');
				if (!td) return "{}";
				const r = td.getBoundingClientRect();
				return JSON.stringify({Right: r.right, Width: r.width, Before: getComputedStyle(td, "::before").content});
			})()`, label), &got)
			if got.Width == 0 || got.Right > float64(browsertest.Phone.Width) {
				t.Errorf("the %s cell of the first expense is off screen at 390 px (right edge %.0f)", label, got.Right)
			}
			if got.Before != `"`+label+`"` {
				t.Errorf("the %s cell is not labelled on the phone card: ::before content = %s", label, got.Before)
			}
		}
	})

	t.Run("FocusRingHasAtLeast3To1ContrastOnWhite", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.SignIn("employee@example.com", demoPassword)
		// Tab, as a keyboard user does, so that :focus-visible applies.
		b.Do("tab to the first link", chromedp.KeyEvent("\t"))
		var c []float64
		b.evalJSON("read the focus ring colour", `(() => {
			const s = getComputedStyle(document.activeElement);
			if (s.outlineStyle === "none") return "[]";
			// rgb(r, g, b) in 0–255, or color(srgb r g b) in 0–1 (what
			// color-mix computes to).
			const scale = s.outlineColor.startsWith("color(") ? 255 : 1;
			return JSON.stringify(s.outlineColor.match(/[0-9.]+/g).map(Number).slice(0, 3).map(v => v * scale));
		})()`, &c)
		if len(c) != 3 {
			t.Fatalf("the focused element (%s) shows no focus ring", b.activeTestID())
		}
		if r := contrast([3]float64{c[0], c[1], c[2]}, [3]float64{255, 255, 255}); r < 3 {
			t.Errorf("the focus ring rgb(%v) has %.2f:1 contrast on white, want ≥ 3:1", c, r)
		}
	})

	t.Run("FailedSubmitPutsFocusOnTheErrorSummary", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.Open("/login")
		b.Do("sign in with a wrong password",
			chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "employee@example.com"),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "not the password"),
			chromedp.Click(chromedp.Search(browsertest.ByText("//form", "button", "Sign in with e-mail"))),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-problem"]`)),
		)
		if got := b.activeTestID(); got != "form-problem" {
			t.Errorf("after a refused sign-in the focus is on %q, want the error summary", got)
		}
		// The alert is not flush against the E-mail label below it.
		if gap := b.box(`label[for="f-email"]`).Top - b.box(`[data-testid="form-problem"]`).Bottom; gap < 8 {
			t.Errorf("the sign-in error is %.0f px above the E-mail label, want some room (≥ 8 px)", gap)
		}

		b.SignIn("employee@example.com", demoPassword)
		b.Open("/expenses/new")
		b.Do("submit a bad amount",
			chromedp.SendKeys(chromedp.CSS(`#f-amount`), "-12,3x"),
			chromedp.Click(chromedp.CSS(`[data-testid="save-expense"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#f-amount-error`)),
		)
		if got := b.activeTestID(); got != "form-problem" {
			t.Errorf("after a refused expense form the focus is on %q, want the error summary", got)
		}
		if got := b.Text(`#f-amount-error`); !strings.Contains(got, "as a number") {
			t.Errorf("amount -12,3x: error %q, want the not-a-number message", got)
		}
		// Side-by-side fields start level even when only one has an error.
		if d := b.box(`#f-spent_on`).Top - b.box(`#f-category_id`).Top; math.Abs(d) > 1 {
			t.Errorf("date and category inputs are %.0f px out of line in the error state", d)
		}
		if d := b.box(`#f-amount`).Top - b.box(`#f-currency`).Top; math.Abs(d) > 1 {
			t.Errorf("amount and currency inputs are %.0f px out of line in the error state", d)
		}
		// The merchant's error sits right under its field, above the hint.
		if gap := b.box(`#f-merchant-error`).Top - b.box(`#f-merchant`).Bottom; gap > 12 {
			t.Errorf("the merchant error is %.0f px below its field, want it right under it", gap)
		}
		b.Screenshot("review-desktop-expense-form-errors")
	})

	t.Run("SignInButtonsKeepTheirLabelsCentredOnOneLine", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.Open("/login")
		sso := `[data-testid="sso-buttons"] a.btn`
		var align string
		align, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('[data-testid="sso-buttons"] a.btn')).textAlign`))
		if err != nil {
			t.Fatal(err)
		}
		if align != "center" {
			t.Errorf("the SSO button's label is aligned %q, want centred like the e-mail button", align)
		}
		if h, e := b.box(sso).Height, b.box(`form button[type=submit].btn-block`).Height; h > e+2 {
			t.Errorf("the SSO button is %.0f px high and the e-mail button %.0f px: its label wraps", h, e)
		}
	})

	t.Run("ProfileShowsTheWholeSSOBadge", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, srv)
		b.Open("/login")
		b.ClickText(browsertest.ByText(`//*[@data-testid="sso-buttons"]`, "a", "Sign in with Company SSO (development)"))
		b.WaitVisible(`[data-testid="devidp-identities"]`)
		b.ClickText(`//form[@data-testid="devidp-identities"]//button[.//*[normalize-space(.)="Jordan Rivera"]]`)
		b.WaitVisible(`[data-testid="navigation-widget"]`)
		b.Open("/profile")
		badge := `[data-testid="profile-account-kind"] .kind-badge`
		if got := b.Text(badge); !strings.HasPrefix(got, "SSO · ") {
			t.Fatalf("profile account kind = %q, want an SSO badge", got)
		}
		card := b.box(`main .card`)
		if r := b.box(badge); r.Right > card.Right-1 {
			t.Errorf("the SSO badge ends at %.0f px, past its card's edge at %.0f px", r.Right, card.Right)
		}
		if n := b.count(`main .grid-2 > .card`); n > 0 {
			if cols := b.columns(`main .grid-2 > .card`); cols > 2 {
				t.Errorf("the profile's two-column grid lays out %d columns", cols)
			}
		}
		b.Screenshot("review-desktop-profile-sso")
	})
}

// activeTestID is the data-testid of the focused element.
func (b *browser) activeTestID() string {
	b.T.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.dataset.testid || document.activeElement.tagName.toLowerCase() + (document.activeElement.id ? "#" + document.activeElement.id : "")) : ""`))
	if err != nil {
		b.T.Fatal(err)
	}
	return s
}

func (b *browser) count(sel string) int {
	b.T.Helper()
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.T.Fatal(err)
	}
	return n
}

// columns counts the distinct left edges of the elements: the columns they
// are laid out in.
func (b *browser) columns(sel string) int {
	b.T.Helper()
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](fmt.Sprintf(`new Set([...document.querySelectorAll(%q)].map(e => Math.round(e.getBoundingClientRect().left))).size`, sel)))
	if err != nil {
		b.T.Fatal(err)
	}
	return n
}

// A signed-out visitor's error pages show neither the company's internal
// app links nor a way to a dashboard they cannot open: they offer to sign
// in.
func TestSignedOutErrorPagesOfferSignInWithoutTheAppSwitcher(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Modules: withDemo})
	c := srv.Browser(t)
	for _, path := range []string{"/no-such-page", "/expenses/not-a-number/x"} {
		res := c.Get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s signed out: %d, want 404", path, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if n := doc.Find(".app-switcher").Length(); n != 0 {
			t.Errorf("GET %s signed out shows the app switcher", path)
		}
		if strings.Contains(doc.Find("main").Text(), "Go to the dashboard") {
			t.Errorf("GET %s signed out offers the dashboard", path)
		}
		if doc.Find(`main a[href="/login"]`).Length() == 0 {
			t.Errorf("GET %s signed out has no link to sign in", path)
		}
	}
	// Signed in, the switcher and the dashboard link are there.
	c.Login("employee@example.com", demoPassword)
	doc := c.Get("/no-such-page").Doc(t)
	if doc.Find(".app-switcher").Length() == 0 || !strings.Contains(doc.Find("main").Text(), "Go to the dashboard") {
		t.Errorf("signed in, the 404 page lacks the app switcher or the dashboard link")
	}
}

// axe-core is a test tool: it lives in static/vendor for the browser tests
// but the app neither embeds nor serves it.
func TestAxeCoreIsNotServedToUsers(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Modules: withDemo})
	if res := srv.Browser(t).Get("/static/vendor/axe-core/axe.min.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /static/vendor/axe-core/axe.min.js: %d, want 404", res.StatusCode)
	}
	if res := srv.Browser(t).Get("/static/vendor/htmx/htmx.min.js"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /static/vendor/htmx/htmx.min.js: %d, want 200 (the check above would prove nothing)", res.StatusCode)
	}
}
