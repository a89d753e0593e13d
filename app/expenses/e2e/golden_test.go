package e2e

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/company-expenses/company-expenses/app/apptest/browsertest"
)

var expensePath = regexp.MustCompile(`^/expenses/([0-9]+)$`)

// receiptPNG writes a small but real PNG (the server checks a receipt's
// type by its content) and returns its path.
func receiptPNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 60))
	for y := range 60 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(200 + x), 220, uint8(180 + y), 255})
		}
	}
	file := filepath.Join(t.TempDir(), "receipt.png")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return file
}

// waitHtmx waits until htmx has loaded (it is deferred).
func (b *browser) waitHtmx() {
	b.T.Helper()
	b.Do("wait for htmx", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`typeof window.htmx === "object"`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		return err
	}))
}

// status is the status badge of the expense page the tab shows.
func (b *browser) status() string {
	b.T.Helper()
	b.WaitVisible(`[data-testid="history"]`)
	return b.Text(`[data-testid="expense-details"] [data-status]`)
}

// The whole claim through the UI: an employee claims an expense with a
// receipt and submits it, their manager approves it inline on the approvals
// queue (htmx), and finance reimburses it on the reimbursements run.
func TestBrowserEmployeeClaimsWithReceiptManagerApprovesInlineFinanceReimburses(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	const merchant = "Harbour Bistro (browser test)"

	b.SignIn("employee@example.com", demoPassword)
	b.ClickText(browsertest.ByText("//main", "a", "New expense"))
	b.WaitVisible(`[data-testid="expense-form"]`)

	// The date field starts at the server's today, in the yyyy-mm-dd form a
	// date input takes as its value.
	today := b.Attr(`#f-spent_on`, "value")
	if _, err := time.Parse("2006-01-02", today); err != nil {
		t.Fatalf("date input value = %q, not a date: %v", today, err)
	}
	category := b.Attr(`#f-category_id option:not([value=""])`, "value")
	b.Do("fill in the expense form",
		chromedp.SetValue(chromedp.CSS(`#f-spent_on`), today),
		chromedp.SetValue(chromedp.CSS(`#f-category_id`), category),
		chromedp.SendKeys(chromedp.CSS(`#f-amount`), "42.50"),
		chromedp.SendKeys(chromedp.CSS(`#f-merchant`), merchant),
		chromedp.SendKeys(chromedp.CSS(`#f-description`), "Lunch with a customer."),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-receipt`), []string{receiptPNG(t)}),
	)
	b.Screenshot("path-claim-1-form-filled")
	b.ClickText(browsertest.ByText(`//form[@data-testid="expense-form"]`, "button", "Submit for approval"))

	if got := b.status(); got != "Submitted" {
		t.Errorf("status after submitting = %q, want Submitted", got)
	}
	m := expensePath.FindStringSubmatch(b.Path())
	if m == nil {
		t.Fatalf("after submitting, the browser is at %s, want the expense's page", b.Path())
	}
	id := m[1]
	if got := b.Text(`h1`); got != merchant {
		t.Errorf("detail page title = %q, want %q", got, merchant)
	}
	if got := b.Text(`[data-testid="detail-amount"]`); !strings.Contains(got, "42.50") {
		t.Errorf("detail amount = %q, want 42.50", got)
	}
	b.WaitVisible(`[data-testid="receipt"] img`)
	b.Screenshot("path-claim-2-submitted-with-receipt")

	b.SignOut()
	b.SignIn("manager@example.com", demoPassword)
	b.Open("/approvals")
	item := `[data-testid="approval-item"][data-id="` + id + `"]`
	b.WaitVisible(item)
	b.waitHtmx()
	// A marker on the window survives an htmx swap but not a page load, so
	// it tells the inline decision from the plain form post fallback.
	b.Do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__e2eSamePage = true`))
	b.ClickText(`//article[@data-testid="approval-item"][@data-id="` + id + `"]//button[normalize-space(.)="Approve"]`)
	b.WaitVisible(item + ` [data-testid="approval-outcome"]`)
	same, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`window.__e2eSamePage === true`))
	if err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Errorf("approving reloaded the page; want the inline (htmx) decision")
	}
	if got := b.Text(item + ` [data-testid="approval-outcome"] [data-status]`); got != "Approved" {
		t.Errorf("approvals queue outcome = %q, want Approved", got)
	}
	b.Screenshot("path-claim-3-approved-inline")
	b.Open("/expenses/" + id)
	if got := b.status(); got != "Approved" {
		t.Errorf("status after approval = %q, want Approved", got)
	}
	approval := `[data-testid="history-event"][data-event="approved"]`
	b.WaitVisible(approval)
	if got := b.Text(approval); !strings.Contains(got, "Marcus Reed") {
		t.Errorf("approval history entry = %q, want it by Marcus Reed", got)
	}

	b.SignOut()
	b.SignIn("finance@example.com", demoPassword)
	b.Open("/reimbursements")
	box := `#ids-` + id
	b.WaitVisible(box)
	b.Do("tick the expense and reimburse it",
		// The form asks "Mark the selected expenses as reimbursed?" with
		// window.confirm (static/js/app.js); say yes.
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(box)),
	)
	b.Screenshot("path-claim-4-reimbursement-run")
	b.ClickText(`(//form[@data-testid="reimburse-form"]//button[normalize-space(.)="Reimburse selected"])[1]`)
	b.WaitVisible(`.flashes`)
	b.Open("/expenses/" + id)
	if got := b.status(); got != "Reimbursed" {
		t.Errorf("status after finance's run = %q, want Reimbursed", got)
	}
	b.Screenshot("path-claim-5-reimbursed")
}

// An employee corrects an expense their manager rejected and sends it again.
func TestBrowserEmployeeEditsARejectedExpenseAndSubmitsItAgain(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	id := idOf(t, b.Srv, expenseOf, "employee@example.com", "rejected")

	b.SignIn("employee@example.com", demoPassword)
	b.Open("/expenses/" + id)
	b.WaitVisible(`[data-testid="rejection-note"]`)
	b.Screenshot("path-resubmit-1-rejected")
	b.Click(`main a[href="/expenses/` + id + `/edit"]`)
	b.WaitVisible(`[data-testid="expense-form"]`)
	b.Do("correct the description",
		chromedp.SetValue(chromedp.CSS(`#f-description`), "Corrected: the receipt is attached and the amount is right."),
	)
	b.Click(`[data-testid="submit-expense"]`)
	if got := b.status(); got != "Submitted" {
		t.Errorf("status after correcting and submitting = %q, want Submitted", got)
	}
	if got := b.Text(`[data-testid="expense-details"]`); !strings.Contains(got, "Corrected: the receipt") {
		t.Errorf("the details do not show the corrected description: %q", got)
	}
	b.Screenshot("path-resubmit-2-submitted-again")
}

// An administrator adds a person, who can then sign in, and deactivates
// another, whose open session ends at once.
func TestBrowserAdministratorAddsAPersonAndDeactivatesAnotherWhoIsSignedOutAtOnce(t *testing.T) {
	t.Parallel()
	admin := newBrowser(t)
	browsertest.ChromePath(t)
	emily := newTab(t, admin.Srv)
	emily.SignIn("employee@example.com", demoPassword)
	emily.Open("/expenses")
	emily.WaitVisible(`[data-testid="expense-table"]`)

	admin.SignIn("admin@example.com", demoPassword)
	admin.Open("/admin/users")
	admin.ClickText(browsertest.ByText("//main", "a", "Add a person"))
	admin.WaitVisible(`#f-full_name`)
	const newPassword = "correct horse battery staple 42"
	admin.Do("fill in the new person",
		chromedp.SendKeys(chromedp.CSS(`#f-full_name`), "Robin Hale"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "robin.hale@example.com"),
		// The form offers an invitation first; this path types a password.
		chromedp.Click(chromedp.CSS(`input[name="password_setup"][value="password"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), newPassword),
	)
	admin.Screenshot("path-admin-1-new-person")
	admin.Click(`main form button[type=submit]`)
	admin.WaitVisible(`.flashes`)
	admin.Open("/admin/users")
	if got := admin.Text(`[data-testid="users-table"]`); !strings.Contains(got, "robin.hale@example.com") {
		t.Errorf("the people list does not show the new person: %q", got)
	}

	robin := newTab(t, admin.Srv)
	robin.SignIn("robin.hale@example.com", newPassword)
	robin.OpenProfileMenu()
	if got := robin.Text(`[data-testid="profile-name"]`); got != "Robin Hale" {
		t.Errorf("the new person signed in as %q, want Robin Hale", got)
	}

	admin.Open("/admin/users/" + idOf(t, admin.Srv, `SELECT id FROM users WHERE email = ?`, "employee@example.com"))
	admin.WaitVisible(`input[name="active"]`)
	admin.Do("untick Active", chromedp.Click(chromedp.CSS(`input[name="active"]`)))
	admin.Click(`main form button[type=submit]`)
	admin.WaitVisible(`.flashes`)
	admin.Open("/admin/users")
	admin.Screenshot("path-admin-2-person-deactivated")

	emily.Open("/expenses")
	emily.WaitVisible(`main`)
	if p := emily.Path(); strings.HasPrefix(p, "/expenses") {
		t.Errorf("the deactivated person still sees %s", p)
	}
	n, err := chromedp.Run(emily.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="expense-table"], [data-testid="navigation-widget"] .profile-menu').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the deactivated person's next page still shows the app (%d elements of a signed-in page)", n)
	}
	emily.Screenshot("path-admin-3-deactivated-person-next-page")
}

// Sign out really signs out: going Back afterwards shows the sign-in page,
// not the page from before (which the server marks no-store).
func TestBrowserSignOutThenBackShowsNothingOfTheApp(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	b.SignIn("employee@example.com", demoPassword)
	b.Open("/expenses")
	b.WaitVisible(`[data-testid="expense-table"]`)
	b.SignOut()
	b.Screenshot("path-signout-1-signed-out")

	b.Do("go back", chromedp.NavigateBack())
	b.WaitVisible(`main`)
	n, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="expense-table"], [data-testid="profile-menu"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("Back after signing out shows the app again (%d elements of %s)", n, b.Path())
	}
	b.Screenshot("path-signout-2-after-back")
	// And the session is gone on the server too, not just in this tab.
	b.Open("/expenses")
	if p := b.Path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("after signing out, /expenses shows %s, want the sign-in page", p)
	}
}
