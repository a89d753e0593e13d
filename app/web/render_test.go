package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/module"
)

// halfPagePath renders a component that fails after writing part of its
// page, as a template whose data turns out to be bad would.
const halfPagePath = "/half-a-page"

func withHalfPage(*gorm.DB, *slog.Logger) []module.Module {
	return []module.Module{{Name: "half", Pages: func(h module.Host) module.Pages {
		return module.Pages{Routes: func(g *echo.Group) {
			g.GET(halfPagePath, func(c echo.Context) error {
				return h.Render(c, http.StatusOK, templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
					io.WriteString(w, "<p>the first half of the page</p>")
					return errors.New("the second half failed")
				}))
			})
		}}
	}}}
}

func TestRenderFailingHalfwaySendsTheErrorPageAndNothingOfTheHalfPage(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Modules: withHalfPage})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	res := b.Get(halfPagePath)
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", res.StatusCode)
	}
	if strings.Contains(res.Body, "the first half") {
		t.Error("the response holds the half page that failed")
	}
	if !strings.Contains(res.Body, "Something went wrong") {
		t.Errorf("the response is not the error page: %.300s", res.Body)
	}
}

func TestRenderSendsPagesWithTheirLength(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{Modules: withNotes})
	b := srv.Browser(t)
	b.Login("admin@example.com", apptest.DemoPassword)
	res := b.Get(notesPath)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(res.Body)) || len(res.TransferEncoding) != 0 {
		t.Errorf("Content-Length %q, Transfer-Encoding %v for a body of %d bytes", got, res.TransferEncoding, len(res.Body))
	}
}
