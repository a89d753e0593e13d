package devidp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/oauth2"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// validAuthorizeQuery is a correct authorization request of the expenses
// client, for tests to break one parameter at a time.
func (e *testEnv) validAuthorizeQuery() url.Values {
	return url.Values{
		"client_id":             {testClientID},
		"redirect_uri":          {e.redirectURI},
		"response_type":         {"code"},
		"scope":                 {"openid email profile"},
		"state":                 {"state-123"},
		"nonce":                 {"nonce-456"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

func (e *testEnv) authorizeURL(q url.Values) string {
	return e.issuer + "/authorize?" + q.Encode()
}

func TestAuthorizeErrorsRedirectBackWithState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name      string
		change    func(q url.Values)
		wantError string
	}{
		{"missing code_challenge", func(q url.Values) { q.Del("code_challenge") }, "invalid_request"},
		{"plain code_challenge_method", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"missing code_challenge_method defaults to plain", func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
		{"malformed code_challenge", func(q url.Values) { q.Set("code_challenge", "too-short") }, "invalid_request"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "id_token token") }, "unsupported_response_type"},
		{"missing response_type", func(q url.Values) { q.Del("response_type") }, "unsupported_response_type"},
		{"no openid scope", func(q url.Values) { q.Set("scope", "email profile") }, "invalid_scope"},
		{"repeated nonce", func(q url.Values) { q.Add("nonce", "again") }, "invalid_request"},
		{"prompt none cannot be honoured", func(q url.Values) { q.Set("prompt", "none") }, "login_required"},
		{"form_post response mode", func(q url.Values) { q.Set("response_mode", "form_post") }, "invalid_request"},
		{"request object", func(q url.Values) { q.Set("request", "eyJhbGciOiJub25lIn0.e30.") }, "request_not_supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := e.validAuthorizeQuery()
			tt.change(q)
			resp, err := e.browser.Get(e.authorizeURL(q))
			if err != nil {
				t.Fatal(err)
			}
			got := callbackParams(t, resp, e.redirectURI)
			if got.Get("error") != tt.wantError || got.Get("state") != "state-123" || got.Has("code") {
				t.Errorf("callback query = %v, want error=%s with the state and no code", got, tt.wantError)
			}
		})
	}
}

func TestAuthorizeShowsPickerForAcceptableRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name   string
		change func(q url.Values)
	}{
		{"plain request", func(url.Values) {}},
		{"prompt=login is harmless", func(q url.Values) { q.Set("prompt", "login") }},
		{"prompt=select_account consent", func(q url.Values) { q.Set("prompt", "select_account consent") }},
		{"no state and no nonce", func(q url.Values) { q.Del("state"); q.Del("nonce") }},
		{"second registered redirect URI", func(q url.Values) { q.Set("redirect_uri", e.srv.URL+"/callback2") }},
		{"max_age and login_hint are ignored", func(q url.Values) { q.Set("max_age", "0"); q.Set("login_hint", "x@example.com") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := e.validAuthorizeQuery()
			tt.change(q)
			resp, err := e.noFollow.Get(e.authorizeURL(q))
			if err != nil {
				t.Fatal(err)
			}
			doc := parsePage(t, resp, http.StatusOK)
			if doc.Find(identitiesForm).Length() != 1 {
				t.Error("the picker has no identity buttons form")
			}
		})
	}
}

func TestUntrustedClientOrRedirectURIGetsAnErrorPageNotARedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name   string
		change func(q url.Values)
	}{
		{"unknown client_id", func(q url.Values) { q.Set("client_id", "stranger") }},
		{"missing client_id", func(q url.Values) { q.Del("client_id") }},
		{"repeated client_id", func(q url.Values) { q.Add("client_id", otherClientID) }},
		{"missing redirect_uri", func(q url.Values) { q.Del("redirect_uri") }},
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/callback") }},
		{"another client's redirect_uri", func(q url.Values) { q.Set("redirect_uri", e.otherRedirect) }},
		{"registered redirect_uri with extra path", func(q url.Values) { q.Set("redirect_uri", e.redirectURI+"/more") }},
		{"registered redirect_uri with a query", func(q url.Values) { q.Set("redirect_uri", e.redirectURI+"?x=1") }},
		{"registered redirect_uri with a trailing slash", func(q url.Values) { q.Set("redirect_uri", e.redirectURI+"/") }},
		{"repeated redirect_uri", func(q url.Values) { q.Add("redirect_uri", e.redirectURI) }},
		{"unknown client and bad PKCE together", func(q url.Values) { q.Set("client_id", "stranger"); q.Del("code_challenge") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := e.validAuthorizeQuery()
			tt.change(q)
			resp, err := e.noFollow.Get(e.authorizeURL(q))
			if err != nil {
				t.Fatal(err)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %s", loc)
			}
			doc := parsePage(t, resp, http.StatusBadRequest)
			if doc.Find("[data-testid=devidp-error]").Length() != 1 {
				t.Error("no error explanation on the page")
			}
			if doc.Find("[data-testid=devidp-warning]").Length() != 1 {
				t.Error("the error page lacks the development warning")
			}
		})
	}
}

func TestPickerPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	resp, err := e.noFollow.Get(e.authorizeURL(e.validAuthorizeQuery()))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	doc := parsePage(t, resp, http.StatusOK)

	if got := strings.TrimSpace(doc.Find("title").Text()); got != "Development identity provider" {
		t.Errorf("title = %q", got)
	}
	warning := strings.Join(strings.Fields(doc.Find(".alert.alert-warning").Text()), " ")
	if want := "Development only — this sign-in page is served by the app itself and accepts anyone. Never enable it in production."; warning != want {
		t.Errorf("warning = %q, want %q", warning, want)
	}
	if !strings.Contains(doc.Find("[data-testid=devidp-client]").Text(), testClientID) {
		t.Error("the page does not say which application is asking")
	}
	if href, _ := doc.Find(`link[rel=stylesheet]`).Attr("href"); href != "/static/css/app.css" {
		t.Errorf("stylesheet = %q", href)
	}
	if doc.Find("body.devidp").Length() != 1 {
		t.Error("body lacks the devidp class")
	}
	for _, id := range demoIdentities {
		button := doc.Find(identitiesForm + " button.btn").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Text(), id.Name) && strings.Contains(s.Text(), id.Email)
		})
		if button.Length() != 1 {
			t.Errorf("no button showing %s <%s>", id.Name, id.Email)
		}
	}
	for _, name := range []string{views.FieldName, views.FieldEmail} {
		if doc.Find(newPersonForm+" .field input[name="+name+"]").Length() != 1 {
			t.Errorf("someone-new form lacks the %s field", name)
		}
	}
	if doc.Find(newPersonForm+" button.btn.btn-primary").Length() != 1 {
		t.Error("someone-new form lacks its primary button")
	}
	if doc.Find("script, style, [style]").Length() != 0 {
		t.Error("the page has a script or inline style, which the CSP forbids")
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has an inline event handler %s", goquery.NodeName(s), a.Key)
			}
		}
	})
	if doc.Find("input[name=_csrf]").Length() != 0 {
		t.Error("a CSRF field was rendered without a CSRFToken func")
	}
}

func TestPickerCarriesTheHostCSRFToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{csrfToken: func(*http.Request) string { return "csrf-token-from-host" }})
	_, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	for _, form := range []string{identitiesForm, newPersonForm} {
		_, values := e.formFields(t, doc, form)
		if got := values.Get(views.FieldCSRF); got != "csrf-token-from-host" {
			t.Errorf("%s: _csrf = %q, want the host's token", form, got)
		}
	}
}

func TestCancelReturnsAccessDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	l, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	href, ok := doc.Find("a[data-testid=devidp-cancel]").Attr("href")
	if !ok {
		t.Fatal("no Cancel link")
	}
	resp, err := e.browser.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	q := callbackParams(t, resp, e.redirectURI)
	if q.Get("error") != "access_denied" || q.Get("state") != l.state || q.Has("code") {
		t.Errorf("cancel sent %v, want error=access_denied with the state", q)
	}
}

func TestTamperedPickerRequestIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	_, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	action, values := e.formFields(t, doc, identitiesForm)
	sealed := values.Get(views.FieldRequest)
	payload, mac, _ := strings.Cut(sealed, ".")

	// An attacker rewrites the redirect URI inside the payload and keeps
	// the MAC.
	var req map[string]any
	b, _ := base64.RawURLEncoding.DecodeString(payload)
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	req["redirect_uri"] = "https://evil.example/callback"
	b, _ = json.Marshal(req)
	rewritten := base64.RawURLEncoding.EncodeToString(b) + "." + mac

	flipped := []byte(sealed)
	flipped[len(flipped)-5] ^= 1

	tests := []struct{ name, value string }{
		{"payload rewritten", rewritten},
		{"MAC changed", string(flipped)},
		{"MAC removed", payload},
		{"empty", ""},
		{"garbage", "not.a-sealed-request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := url.Values{views.FieldRequest: {tt.value}, views.FieldSubject: {"dev-manager"}}
			resp := postForm(t, e.noFollow, action, v)
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %s", loc)
			}
			parsePage(t, resp, http.StatusBadRequest)
		})
	}

	t.Run("raw parameters next to the seal are ignored", func(t *testing.T) {
		t.Parallel()
		v := url.Values{}
		for k, vs := range values {
			v[k] = vs
		}
		v.Set(views.FieldSubject, "dev-manager")
		v.Set("redirect_uri", "https://evil.example/callback")
		v.Set("client_id", otherClientID)
		resp := postForm(t, e.noFollow, action, v)
		defer resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != e.redirectURI {
			t.Errorf("redirected to %s, want the sealed %s", got, e.redirectURI)
		}
	})
}

func TestPickerRequestExpires(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, envOptions{clock: clock})
	_, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	clock.Advance(pickerTTL + time.Second)
	resp := e.pick(t, e.noFollow, doc, "dev-manager")
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Fatalf("redirected to %s", loc)
	}
	parsePage(t, resp, http.StatusBadRequest)
}

func TestPickingAnUnknownSubjectIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	_, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	action, values := e.formFields(t, doc, identitiesForm)
	values.Set(views.FieldSubject, "dev-nobody")
	resp := postForm(t, e.noFollow, action, values)
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Fatalf("redirected to %s", loc)
	}
	parsePage(t, resp, http.StatusBadRequest)
}

func TestCrossOriginPickerPostIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	_, doc := e.startLogin(t, e.oauthConfig(nil, oauth2.AuthStyleInHeader))
	action, values := e.formFields(t, doc, identitiesForm)
	values.Set(views.FieldSubject, "dev-manager")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, action, strings.NewReader(values.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := e.noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.StatusCode)
	}
}

func TestSomeoneNewFormValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name, fullName, email    string
		wantNameErr, wantMailErr bool
	}{
		{name: "empty name keeps the e-mail", fullName: "  ", email: "nora@example.com", wantNameErr: true},
		{name: "bad e-mail keeps the name", fullName: "Nora New", email: "not-an-email", wantMailErr: true},
		{name: "e-mail with a display name", fullName: "Nora New", email: "Nora <nora@example.com>", wantMailErr: true},
		{name: "both empty", wantNameErr: true, wantMailErr: true},
		{name: "name too long", fullName: strings.Repeat("n", maxNameRunes+1), email: "nora@example.com", wantNameErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
			l, doc := e.startLogin(t, conf)
			resp := e.submitNew(t, e.noFollow, doc, tt.fullName, tt.email)
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %s", loc)
			}
			page := parsePage(t, resp, http.StatusUnprocessableEntity)

			for _, f := range []struct {
				field, typed string
				wantErr      bool
			}{{views.FieldName, tt.fullName, tt.wantNameErr}, {views.FieldEmail, tt.email, tt.wantMailErr}} {
				input := page.Find(newPersonForm + " input[name=" + f.field + "]")
				if got, _ := input.Attr("value"); got != f.typed {
					t.Errorf("%s field = %q, want the typed %q kept", f.field, got, f.typed)
				}
				msg := input.Closest(".field").Find(".field-error")
				if (msg.Length() == 1) != f.wantErr {
					t.Errorf("%s error shown = %v, want %v", f.field, msg.Length() == 1, f.wantErr)
				}
				if f.wantErr {
					if id, _ := msg.Attr("id"); input.AttrOr("aria-describedby", "") != id {
						t.Errorf("%s input is not described by its error", f.field)
					}
				}
			}

			// The re-rendered page still carries a valid request: fixing
			// the form signs in, with the original state.
			q := callbackParams(t, e.submitNew(t, e.browser, page, "Nora New", "nora@example.com"), e.redirectURI)
			if q.Get("state") != l.state || q.Get("code") == "" {
				t.Errorf("after fixing the form the callback got %v", q)
			}
		})
	}
}

func TestSomeoneNewIsTheSamePersonForTheSameEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	conf := e.oauthConfig(nil, oauth2.AuthStyleInHeader)
	var subjects []string
	for _, email := range []string{"Pat.Person@Example.com", " pat.person@example.com "} {
		l, doc := e.startLogin(t, conf)
		q := callbackParams(t, e.submitNew(t, e.browser, doc, "Pat Person", email), e.redirectURI)
		tok, err := conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(l.verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		claims := unverifiedClaims(t, tok)
		subjects = append(subjects, claims.Subject)
	}
	if want := SubjectForEmail("pat.person@example.com"); subjects[0] != want || subjects[1] != want {
		t.Errorf("subjects = %v, want both %s", subjects, want)
	}
	if !strings.HasPrefix(subjects[0], "dev-") || len(subjects[0]) != len("dev-")+16 {
		t.Errorf("subject %q is not dev- and 16 hex digits", subjects[0])
	}

	// The new person is now offered as a button.
	_, doc := e.startLogin(t, conf)
	if doc.Find(identitiesForm+" button[value="+subjects[0]+"]").Length() != 1 {
		t.Error("the person created on the picker is not offered again")
	}
}

// unverifiedClaims reads an ID token's payload; signature checks are the
// business of the tests that use go-oidc.
func unverifiedClaims(t *testing.T, tok *oauth2.Token) idClaims {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c idClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
