package devidp

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/a-h/templ"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// serveAuthorize is the authorization endpoint (GET): it checks the request
// and shows the identity picker.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	req, err := p.parseAuthorizeRequest(r.URL.Query())
	if err != nil {
		p.refuseAuthorize(w, r, req, err)
		return
	}
	p.renderPicker(w, r, http.StatusOK, req, views.Picker{})
}

// servePick receives the picker's POST: a demo identity's button, or the
// "someone new" form. The authorization request comes only from the sealed
// field; raw parameters in the form are ignored.
func (p *Provider) servePick(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Unreadable form", "The sign-in form could not be read."})
		return
	}
	req, err := p.requests.open(r.PostForm.Get(views.FieldRequest))
	if err != nil {
		p.log.Info("picker post refused", "error", err)
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Sign-in request expired or invalid",
			"This sign-in page is too old, was served before a restart, or was altered."})
		return
	}
	// The seal proves the provider checked the request, but the request is
	// re-checked against the clients anyway, because it is cheap and the seal
	// is the only thing standing between a form and a redirect.
	if c, ok := p.clients[req.ClientID]; !ok || !slices.Contains(c.RedirectURIs, req.RedirectURI) {
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Unknown application", "The sign-in request names no registered application."})
		return
	}

	var who Identity
	if subject := r.PostForm.Get(views.FieldSubject); subject != "" {
		id, ok := p.people.lookup(subject)
		if !ok {
			p.renderError(w, r, http.StatusBadRequest, &pageError{"Unknown identity", "That demo identity does not exist (any more). Go back and pick another one."})
			return
		}
		who = id
	} else {
		name, email := r.PostForm.Get(views.FieldName), r.PostForm.Get(views.FieldEmail)
		groups := r.PostForm.Get(views.FieldGroups)
		unverified := r.PostForm.Get(views.FieldUnverified) != ""
		id, errs := newIdentity(name, email, groups, unverified)
		if errs.any() {
			p.renderPicker(w, r, http.StatusUnprocessableEntity, req, views.Picker{
				NewName: name, NewEmail: email, NewGroups: groups, NewUnverified: unverified,
				NameError: errs.Name, EmailError: errs.Email, GroupsError: errs.Groups,
			})
			return
		}
		p.people.remember(id)
		who = id
	}

	code, err := p.store.newCode(grant{
		ClientID:      req.ClientID,
		RedirectURI:   req.RedirectURI,
		Nonce:         req.Nonce,
		CodeChallenge: req.CodeChallenge,
		Scopes:        req.Scopes,
		Identity:      who,
		AuthTime:      p.now(),
	})
	if err != nil {
		p.log.Error("cannot issue authorization code", "error", err)
		p.redirectBack(w, r, req, url.Values{"error": {"temporarily_unavailable"}, "error_description": {"too many pending sign-ins"}})
		return
	}
	p.log.Info("signed in", "client_id", req.ClientID, "sub", who.Subject, "email", who.Email, "groups", who.Groups)
	p.redirectBack(w, r, req, url.Values{"code": {code}})
}

// refuseAuthorize answers a failed authorization request: with a page when
// the client or redirect URI is not trusted, otherwise with an error
// redirect carrying the client's state.
func (p *Provider) refuseAuthorize(w http.ResponseWriter, r *http.Request, req authorizeRequest, err error) {
	var pe *pageError
	if errors.As(err, &pe) {
		p.log.Info("authorization request refused", "error", err)
		p.renderError(w, r, http.StatusBadRequest, pe)
		return
	}
	var ae *authorizeError
	if !errors.As(err, &ae) {
		ae = &authorizeError{"server_error", "unexpected error"}
	}
	p.log.Info("authorization request refused", "client_id", req.ClientID, "error", ae.Code, "description", ae.Description)
	p.redirectBack(w, r, req, url.Values{"error": {ae.Code}, "error_description": {ae.Description}})
}

// redirectBack sends the browser to the request's redirect URI with params
// and the state, keeping any query the registered URI already has. 303 turns
// the picker's POST into a GET.
func (p *Provider) redirectBack(w http.ResponseWriter, r *http.Request, req authorizeRequest, params url.Values) {
	http.Redirect(w, r, callbackURL(req, params), http.StatusSeeOther)
}

// callbackURL is the redirect URI with params and the state added.
func callbackURL(req authorizeRequest, params url.Values) string {
	u, err := url.Parse(req.RedirectURI)
	if err != nil { // Registered URIs were parsed in New; this cannot happen.
		return req.RedirectURI
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// renderPicker shows the picker for req; form carries what "someone new"
// typed and its validation messages.
func (p *Provider) renderPicker(w http.ResponseWriter, r *http.Request, status int, req authorizeRequest, form views.Picker) {
	sealed, err := p.requests.seal(req)
	if err != nil {
		p.log.Error("cannot seal authorization request", "error", err)
		p.renderError(w, r, http.StatusInternalServerError, &pageError{"Internal error", "The sign-in page could not be prepared."})
		return
	}
	form.Identities = pickerIdentities(r.Context(), p.people.list(), p.status, true)
	form.Stylesheet = p.stylesheet
	form.ClientID = req.ClientID
	form.RedirectURI = req.RedirectURI
	// A path, not the issuer's absolute URL: the forms post back to the
	// origin the page was served from even when the browser reached the app
	// under another host name than BASE_URL, which keeps same-origin CSRF
	// checks and cookies working.
	form.Action = p.basePath + "/authorize"
	form.Request = sealed
	form.CancelURL = callbackURL(req, url.Values{"error": {"access_denied"}, "error_description": {"the user cancelled the sign-in"}})
	if p.csrfToken != nil {
		form.CSRFToken = p.csrfToken(r)
	}
	p.render(w, r, status, views.PickerPage(form))
}

func (p *Provider) renderError(w http.ResponseWriter, r *http.Request, status int, e *pageError) {
	p.render(w, r, status, views.ErrorPage(views.Error{Stylesheet: p.stylesheet, Heading: e.Heading, Message: e.Message}))
}

// render writes a page. It renders into a buffer first so a template error
// becomes a clean 500 rather than half a page. The pages carry sign-in
// requests, so they are neither cached nor framed, and their URL is
// not sent as Referer to other sites. ("no-referrer" would make browsers send
// "Origin: null" with the picker's POST and trip same-origin checks.)
func (p *Provider) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		p.log.Error("cannot render page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
