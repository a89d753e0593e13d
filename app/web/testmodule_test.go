package web_test

// A tiny module plugged into the template for the walks that prove the seam
// (route inventory, CSRF inventory, master layout): one page, one POST and
// one menu entry, built only from what app/module offers a module. The
// expenses demo is tested the same way in its own folder
// (app/expenses/pages), so these tests pass in a project made without it.

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/module"
	"github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
)

// notesPath is the test module's one page: everyone signed in reads the
// notes, administrators (policy.ManageSettings) post one.
const notesPath = "/notes"

// withNotes runs the test application with the notes module only.
func withNotes(*gorm.DB, *slog.Logger) []module.Module {
	n := &notes{}
	return []module.Module{{Name: "notes", Pages: func(h module.Host) module.Pages {
		n.host = h
		return module.Pages{Routes: n.routes, Menu: n.menu}
	}}}
}

type notes struct {
	host module.Host
	mu   sync.Mutex
	list []string
}

func (n *notes) routes(g *echo.Group) {
	g.GET(notesPath, n.show)
	g.POST(notesPath, n.add)
}

func (n *notes) menu(_ echo.Context, _ *models.Employee) []layouts.MenuItem {
	return []layouts.MenuItem{{Label: "Notes", URL: notesPath}}
}

func (n *notes) show(c echo.Context) error {
	return n.render(c, http.StatusOK, "")
}

// add refuses a person without the right (403), an empty note at the field
// (422), and otherwise keeps the note and redirects (303).
func (n *notes) add(c echo.Context) error {
	if !policy.Can(n.host.Viewer(c), policy.ManageSettings) {
		return n.host.Forbidden(c, "Only administrators post notes.")
	}
	text := strings.TrimSpace(c.FormValue("text"))
	if text == "" {
		return n.render(c, http.StatusUnprocessableEntity, "Write a note.")
	}
	n.mu.Lock()
	n.list = append(n.list, text)
	n.mu.Unlock()
	n.host.Flash(c, layouts.FlashSuccess, "Note posted.")
	return c.Redirect(http.StatusSeeOther, notesPath)
}

func (n *notes) render(c echo.Context, status int, problem string) error {
	p := n.host.Page(c, "Notes")
	n.mu.Lock()
	items := append([]string(nil), n.list...)
	n.mu.Unlock()
	body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		b.WriteString(`<h1>Notes</h1><ul>`)
		for _, it := range items {
			b.WriteString("<li>" + html.EscapeString(it) + "</li>")
		}
		b.WriteString(`</ul><form method="post" action="` + notesPath + `">`)
		b.WriteString(`<input type="hidden" name="_csrf" value="` + html.EscapeString(p.CSRFToken) + `">`)
		b.WriteString(`<label>Note <input name="text"></label>`)
		if problem != "" {
			b.WriteString(`<p class="field-error">` + html.EscapeString(problem) + `</p>`)
		}
		b.WriteString(`<button>Post</button></form>`)
		_, err := io.WriteString(w, b.String())
		return err
	})
	return n.host.Render(c, status, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return layouts.Master(p).Render(templ.WithChildren(ctx, body), w)
	}))
}
