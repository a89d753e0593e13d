package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/layouts"
	"github.com/company-expenses/company-expenses/models"
	errorviews "github.com/company-expenses/company-expenses/views/errors"
)

// render writes a templ component as the response. The page is rendered
// into a pooled buffer first and sent in one write with its length: no
// chunked encoding and one system call for a whole page, and a component
// that fails halfway leaves nothing sent, so the error handler can still
// answer with a proper error page.
func (a *Application) render(c echo.Context, status int, comp templ.Component) error {
	if a.signOutLeadsToProvider(c) {
		a.allowSSOFormActions(c) // the sign-out form may redirect there
	}
	buf := a.renderBuffers.get()
	defer a.renderBuffers.put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// renderBuffers are the buffers render reuses. A buffer that grew past
// maxPooledPage (an unusually long page) is left to the garbage collector
// rather than kept for every later page.
type renderBuffers struct{ pool sync.Pool }

const maxPooledPage = 1 << 20

func (p *renderBuffers) get() *bytes.Buffer {
	if b, ok := p.pool.Get().(*bytes.Buffer); ok {
		return b
	}
	return bytes.NewBuffer(make([]byte, 0, 64<<10))
}

func (p *renderBuffers) put(b *bytes.Buffer) {
	if b.Cap() > maxPooledPage {
		return
	}
	b.Reset()
	p.pool.Put(b)
}

// page builds the view model every page receives.
func (a *Application) page(c echo.Context, title string) layouts.Page {
	p := layouts.Page{
		Title:     title,
		AppName:   a.cfg.AppName,
		Env:       string(a.cfg.Env),
		CSRFToken: csrfToken(c),
		Path:      c.Request().URL.Path,
		Flash:     a.takeFlashes(c),
	}
	for _, app := range a.cfg.Apps {
		p.Apps = append(p.Apps, layouts.AppLink{Name: app.Name, URL: app.URL})
	}
	if v := viewer(c); v != nil {
		p.Viewer = a.viewerModel(c, v)
		p.Menu = a.menu(c, v, p.Path)
	}
	return p
}

func (a *Application) viewerModel(c echo.Context, e *models.Employee) *layouts.Viewer {
	v := &layouts.Viewer{
		ID:          e.UserID,
		Name:        e.DisplayName(),
		Email:       e.User.Email,
		Initials:    models.Initials(e.DisplayName()),
		AvatarURL:   e.AvatarURL,
		AccountKind: "Local account",
	}
	v.Roles = a.people.Roles().Labels(&e.User)
	if provider := a.ssoProviderOf(c, e); provider != "" {
		v.IsSSO = true
		v.AccountKind = "SSO · " + provider
	}
	return v
}

// ssoProviderOf names the SSO provider the person signed in with, or ""
// for a password sign-in by a local account.
func (a *Application) ssoProviderOf(c echo.Context, e *models.Employee) string {
	if s := currentSession(c); s != nil && strings.HasPrefix(s.AuthMethod, "sso:") {
		return a.providerLabel(strings.TrimPrefix(s.AuthMethod, "sso:"))
	}
	if !e.IsLocalUser {
		return "single sign-on"
	}
	return ""
}

// providerLabel turns a provider's route name into its display name
// ("openid-connect" → "Company SSO"), as the SSO package configured it.
func (a *Application) providerLabel(name string) string {
	return a.sso.DisplayName(name) // nil-safe: SSO may not be started
}

// outageRetryAfter is the Retry-After, in seconds, of the page shown while
// the database is unavailable.
const outageRetryAfter = "30"

// handleError renders every error as a page inside the master layout. Errors
// a person can cause (404, 403, 400, …) say what happened; anything else is
// logged with its context and shown as a calm 500.
func (a *Application) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The request's context may already be cancelled (a timeout, or the
	// handler's deferred cancel); the error page must still render.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	if errors.Is(err, echomw.ErrCSRFInvalid) {
		status = http.StatusForbidden
	}
	// A database that is down, full or locked for too long is nobody's
	// mistake and passes: say so, and when to try again, rather than 500.
	outage := status == http.StatusInternalServerError && database.IsUnavailable(err)
	if outage {
		status = http.StatusServiceUnavailable
		c.Response().Header().Set("Retry-After", outageRetryAfter)
	}
	if status >= 500 {
		a.log.ErrorContext(c.Request().Context(), "request failed",
			"err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	heading, message := errorText(status, he)
	if outage {
		heading, message = "Temporarily unavailable", "The service is temporarily unavailable. Try again in a minute."
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON) {
		_ = c.JSON(status, map[string]string{"error": heading})
		return
	}
	var p layouts.Page
	if outage {
		// Only what needs no database: the full view model would load the
		// menu's pending counts, each waiting for the database in vain.
		p = layouts.Page{Title: heading, AppName: a.cfg.AppName, Env: string(a.cfg.Env), Path: c.Request().URL.Path}
	} else {
		p = a.page(c, heading)
	}
	if rerr := a.render(c, status, errorviews.Page(p, status, heading, message)); rerr != nil {
		a.log.Error("render error page", "err", rerr)
	}
}

func errorText(status int, he *echo.HTTPError) (string, string) {
	switch status {
	case http.StatusNotFound:
		return "Page not found", "The page you asked for does not exist, or you do not have access to it."
	case http.StatusMethodNotAllowed:
		return "Not supported", "This page does not accept that kind of request."
	case http.StatusForbidden:
		if he != nil && strings.Contains(strings.ToLower(he.Error()), "csrf") {
			return "Form expired", "This form has expired or was not sent from this site. Go back, reload the page and try again."
		}
		return "Not allowed", "You do not have permission to do this. If you think you should, ask an administrator."
	case http.StatusRequestEntityTooLarge:
		return "Too large", "What you sent is larger than this app accepts."
	case http.StatusBadRequest:
		if he != nil && strings.Contains(strings.ToLower(he.Error()), "csrf") {
			return "Form expired", "This form is missing its security token. Go back, reload the page and try again."
		}
		return "Bad request", "The request could not be understood. Go back and try again."
	case http.StatusTooManyRequests:
		return "Slow down", "Too many requests. Wait a moment and try again."
	case http.StatusServiceUnavailable:
		return "Unavailable", "The app is busy or being updated. Try again in a minute."
	}
	return "Something went wrong", "An unexpected error happened on our side and has been logged. Try again in a moment; if it keeps happening, tell your administrator."
}

func (a *Application) logPanic(c echo.Context, err error, stack []byte) error {
	a.log.ErrorContext(c.Request().Context(), "panic", "err", err, "path", c.Request().URL.Path, "stack", string(stack))
	return err
}
