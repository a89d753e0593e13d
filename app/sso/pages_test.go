package sso_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/sso/ssopages"
)

// Without Config.Pages the module still shows a complete page of its own.
func TestSSOProblemPageWithoutConfigPagesIsACompleteStandalonePage(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true})
	res := srv.Browser(t).Get("/auth/openid-connect/callback?state=x&code=y")
	doc := wantProblem(t, res, http.StatusBadRequest, "state")
	if !strings.HasPrefix(strings.ToLower(res.Body), "<!doctype html>") || doc.Find(`html[lang]`).Length() != 1 {
		t.Errorf("not a complete HTML document:\n%s", res.Body)
	}
	if got := doc.Find("title").Text(); got != "This sign-in has expired" {
		t.Errorf("title %q, want the problem's title", got)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	if again := doc.Find(`[data-testid="sso-try-again"]`).AttrOr("href", ""); again != "/auth/openid-connect" {
		t.Errorf("try again goes to %q, want a new sign-in", again)
	}
	if back := doc.Find(`[data-testid="sso-back"]`).AttrOr("href", ""); back != "/login" {
		t.Errorf("back link %q, want the default sign-in page /login", back)
	}
}

// appPages is an app's own look for the module's pages.
type appPages struct{}

func (appPages) Problem(c echo.Context, d ssopages.Problem) templ.Component {
	body := ssopages.ProblemSection("app-card", d)
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if _, err := io.WriteString(w, `<!DOCTYPE html><html><body><nav data-testid="app-layout">The app</nav>`); err != nil {
			return err
		}
		if err := body.Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</body></html>`)
		return err
	})
}

func TestSSOProblemPageRendersThroughConfigPagesWhenSet(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{NoSeed: true, Pages: appPages{}})
	res := srv.Browser(t).Get("/auth/openid-connect/callback?state=x&code=y")
	doc := wantProblem(t, res, http.StatusBadRequest, "state")
	if doc.Find(`[data-testid="app-layout"]`).Length() != 1 || doc.Find(`section.app-card[data-testid="sso-problem"]`).Length() != 1 {
		t.Errorf("the problem is not rendered by the app's Pages:\n%s", res.Body)
	}
}

// The module links to the app's pages by the URLs in its config, never by
// paths of its own.
func TestSSOTakesTheAppsSignInProfileAndHomeURLsFromItsConfig(t *testing.T) {
	t.Parallel()
	srv := newFakeApp(t, fakeOptions{URLs: ssoURLs("/sign-in", "/me", "/start")})

	// A return path that is not local lands on the app's home page.
	if to := signIn(t, srv.Browser(t), "/auth/openid-connect?next="+url.QueryEscape("//evil.example"), pick{Email: "jordan.rivera@example.com"}); to != "/start" {
		t.Errorf("off-site next: redirect to %q, want the configured home /start", to)
	}
	// A signed-out problem leads back to the app's sign-in page, with the
	// deep link.
	b := srv.Browser(t)
	tr := ssoRoundTrip(t, b, "/auth/openid-connect?next=/deep", pick{Email: "employee@example.com"}, nil)
	doc := wantProblem(t, tr.Callback, http.StatusConflict, "email_in_use")
	if back := doc.Find(`[data-testid="sso-back"]`).AttrOr("href", ""); back != "/sign-in?next=%2Fdeep" {
		t.Errorf("back link %q, want the configured sign-in page with the deep link", back)
	}
	// Connecting from the profile returns to the app's profile page.
	b.Login("employee@example.com", demoPassword)
	start := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-connect"]`, url.Values{"password": {demoPassword}})
	tr = continueAtProvider(t, b, start.Location(), pick{Email: "employee@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther || tr.Callback.Location() != "/me" {
		t.Errorf("after connecting: %d to %q, want 303 to the configured profile /me", tr.Callback.StatusCode, tr.Callback.Location())
	}
}
