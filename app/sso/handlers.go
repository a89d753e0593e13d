package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// maxNextBytes bounds the return-to path kept in the flow cookie (OpenID
// Connect) or the sso_saml_requests row (SAML).
const maxNextBytes = 512

// callbackTimeout bounds all of a callback's calls to the provider together
// (token, keys, userinfo) and its database work. It also ends when the
// browser goes away.
const callbackTimeout = 15 * time.Second

// providerParam returns the provider named by the route, and only by the
// route: never by a query parameter or a cookie.
func (s *Service) providerParam(c echo.Context) (*provider, error) {
	p, ok := s.providers[c.Param("provider")]
	if !ok {
		return nil, echo.NewHTTPError(http.StatusNotFound)
	}
	return p, nil
}

// begin is GET /auth/:provider: it starts a sign-in and sends the browser to
// the identity provider. ?next= is where to return afterwards (local paths
// only).
func (s *Service) begin(c echo.Context) error {
	p, err := s.providerParam(c)
	if err != nil {
		return err
	}
	next := s.safeNext(c.QueryParam("next"))
	authURL, err := s.start(c, p, flow{Next: next})
	if errors.Is(err, errUnreachable) || (err != nil && p.disc != nil && !p.available()) {
		return s.fail(c, p, &flow{Next: next}, problemUnreachable(p.display, err))
	}
	if err != nil {
		return s.fail(c, p, nil, problemInternal(err))
	}
	return c.Redirect(http.StatusFound, authURL)
}

// BeginLink starts connecting the provider to the signed-in person's
// account, userID, and returns the URL to send the browser to. The caller
// must have checked that the person really is who they say (the profile page
// asks for the current password). The callback connects the identity only if
// the same person is still signed in, and then returns to the profile page.
func (s *Service) BeginLink(c echo.Context, name string, userID uint) (string, error) {
	p, ok := s.providers[name]
	if !ok {
		return "", echo.NewHTTPError(http.StatusNotFound)
	}
	if userID == 0 {
		return "", errors.New("sso: BeginLink needs a user")
	}
	return s.start(c, p, flow{Next: s.urls.Profile, LinkUserID: userID})
}

// start records a new OpenID Connect or OAuth sign-in in its flow cookie
// and returns the provider's authorization URL; OpenID Connect sign-ins get
// PKCE and a nonce. (SAML sign-ins start in startSAML and are recorded in
// the database.)
func (s *Service) start(c echo.Context, p *provider, f flow) (string, error) {
	f.Provider = p.name
	if len(f.Next) > maxNextBytes {
		// The flow cookie must stay under browsers' 4 KB limit: keep the
		// page, drop its (long) query.
		f.Next, _, _ = strings.Cut(f.Next, "?")
		if len(f.Next) > maxNextBytes {
			f.Next = s.urls.Home
		}
	}
	if p.saml != nil {
		return s.startSAML(c, p, f)
	}
	gp, _, err := p.gothProvider(c.Request().Context())
	if err != nil {
		return "", err
	}
	f.State = randomToken()
	f.Started = s.now().Unix()
	sess, err := gp.BeginAuth(f.State)
	if err != nil {
		return "", fmt.Errorf("begin auth with %s: %w", p.name, err)
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		return "", fmt.Errorf("auth URL of %s: %w", p.name, err)
	}
	if p.disc != nil {
		f.Nonce = randomToken()
		f.Verifier = oauth2.GenerateVerifier()
		u, err := url.Parse(authURL)
		if err != nil {
			return "", fmt.Errorf("auth URL of %s: %w", p.name, err)
		}
		q := u.Query()
		q.Set("nonce", f.Nonce)
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(f.Verifier))
		q.Set("code_challenge_method", "S256")
		u.RawQuery = q.Encode()
		authURL = u.String()
	}
	f.Session = sess.Marshal()
	if err := s.flows.save(c, f); err != nil {
		return "", fmt.Errorf("save sign-in cookie: %w", err)
	}
	return authURL, nil
}

// callback is GET /auth/:provider/callback, where the identity provider
// sends the browser back. It checks the state, exchanges the code, verifies
// what the provider says, applies the account rules and signs the person in.
// Every failure ends on the SSO error page with nothing stored.
func (s *Service) callback(c echo.Context) error {
	p, err := s.providerParam(c)
	if err != nil {
		return err
	}
	if p.saml != nil {
		return echo.NewHTTPError(http.StatusNotFound) // SAML answers at acs
	}
	q := c.QueryParams()
	f, err := s.flows.take(c, p.name, q.Get("state"))
	if err != nil {
		return s.fail(c, p, nil, problemState(err))
	}
	if e := q.Get("error"); e != "" {
		cause := fmt.Errorf("provider answered %s: %s", e, q.Get("error_description"))
		if e == "access_denied" {
			return s.fail(c, p, &f, problemCancelled(p.display, cause))
		}
		return s.fail(c, p, &f, problemProvider(p.display, cause))
	}
	code := q.Get("code")
	if code == "" {
		return s.fail(c, p, &f, problemExpired(errors.New("the callback carries no code")))
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), callbackTimeout)
	defer cancel()
	prof, pr := s.identify(ctx, p, f, code)
	if pr != nil {
		return s.fail(c, p, &f, pr)
	}
	return s.complete(ctx, c, p, f, prof)
}

// complete ends a sign-in whose profile the provider vouched for: it
// connects the identity, or applies the account rules and signs in. OpenID
// Connect callbacks and SAML's assertion consumer service both end here.
func (s *Service) complete(ctx context.Context, c echo.Context, p *provider, f flow, prof Profile) error {
	if f.LinkUserID != 0 {
		return s.finishLink(c, p, f, prof)
	}
	// The app's session hook may ask what the provider said (for example
	// whether it verified the address) through SignInProfile.
	c.Set(ctxSignInProfile, prof)

	out, err := s.signInAccount(ctx, p, prof)
	if err != nil {
		pr := withProfile(asProblem(err), prof)
		s.refused(ctx, pr, prof, 0)
		return s.fail(c, p, &f, pr)
	}
	if err := s.app.SignIn(c, out.userID, "sso:"+p.name); err != nil {
		return s.fail(c, p, &f, problemInternal(fmt.Errorf("start session: %w", err)))
	}
	s.log.InfoContext(ctx, "signed in with single sign-on",
		"provider", p.name, "issuer", prof.Issuer, "sub", prof.Subject, "user_id", out.userID, "first_login", out.first)
	if out.notice != "" {
		s.app.Notify(c, NoticeInfo, out.notice)
	}
	return c.Redirect(http.StatusSeeOther, s.safeNext(f.Next))
}

// finishLink connects the identity to the person who asked for it.
func (s *Service) finishLink(c echo.Context, p *provider, f flow, prof Profile) error {
	ctx := c.Request().Context()
	if uid, ok := s.app.CurrentUserID(c); !ok || uid != f.LinkUserID {
		return s.fail(c, p, &f, problemLinkSession(p.display))
	}
	already, err := s.linkAccount(ctx, p, f.LinkUserID, prof)
	if err != nil {
		pr := withProfile(asProblem(err), prof)
		s.refused(ctx, pr, prof, f.LinkUserID)
		return s.fail(c, p, &f, pr)
	}
	if already {
		s.app.Notify(c, NoticeInfo, p.display+" was already connected to your account.")
	} else {
		s.log.InfoContext(ctx, "provider connected", "provider", p.name, "sub", prof.Subject, "user_id", f.LinkUserID)
		s.app.Notify(c, NoticeSuccess, p.display+" is now connected. Next time you can sign in with it.")
	}
	return c.Redirect(http.StatusSeeOther, s.urls.Profile)
}

// identify exchanges the code and returns the verified profile.
func (s *Service) identify(ctx context.Context, p *provider, f flow, code string) (Profile, *Problem) {
	if p.disc != nil {
		return s.identifyOIDC(ctx, p, f, code)
	}
	sess, err := p.goth.UnmarshalSession(f.Session)
	if err != nil {
		return Profile{}, problemState(fmt.Errorf("unreadable goth session: %w", err))
	}
	// The exchange gets our own parameters only, never the callback's query.
	if _, err := sess.Authorize(p.goth, url.Values{"code": {code}}); err != nil {
		return Profile{}, exchangeProblem(p.display, err)
	}
	user, err := p.goth.FetchUser(sess)
	if err != nil {
		return Profile{}, problemProvider(p.display, fmt.Errorf("fetch the user: %w", err))
	}
	if user.UserID == "" {
		return Profile{}, problemProvider(p.display, errors.New("the provider gave no user id"))
	}
	prof := profileOf(p, user)
	if p.kind == kindGitHub && user.AccessToken != "" {
		// goth takes the public profile address when there is one, and
		// says nothing about its verification: only the primary address,
		// verified, counts.
		email, verified, err := githubPrimaryEmail(ctx, p.client, p.githubEmails, user.AccessToken)
		if err != nil {
			return Profile{}, problemProvider(p.display, fmt.Errorf("read the GitHub addresses: %w", err))
		}
		if verified {
			prof.Email, prof.EmailVerified = email, true
		} else {
			prof.EmailVerified = false
		}
	}
	return prof, nil
}

// identifyOIDC exchanges the code itself, rather than through goth's
// session: goth's exchange ignores the request's context (a browser gone
// away, our deadline) and lets golang.org/x/oauth2 guess the client
// authentication, trying a second method after any failure. It sends the
// PKCE verifier, verifies the ID token (signature against the JWKS,
// issuer, audience, expiry) with go-oidc, checks the nonce and at_hash, and
// reads the claims of the ID token and the userinfo endpoint.
func (s *Service) identifyOIDC(ctx context.Context, p *provider, f flow, code string) (Profile, *Problem) {
	_, ep, err := p.gothProvider(ctx)
	if err != nil {
		return Profile{}, problemUnreachable(p.display, err)
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := ep.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Profile{}, exchangeProblem(p.display, err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return Profile{}, problemToken(p.display, errors.New("the token response carries no ID token"))
	}
	idt, err := ep.verifier.Verify(ctx, rawID)
	if err != nil {
		return Profile{}, problemToken(p.display, fmt.Errorf("verify ID token: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Profile{}, problemToken(p.display, errors.New("the ID token's nonce does not match this sign-in"))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Profile{}, problemToken(p.display, fmt.Errorf("at_hash: %w", err))
		}
	}
	var idClaims, uiClaims map[string]any
	if err := idt.Claims(&idClaims); err != nil {
		return Profile{}, problemToken(p.display, fmt.Errorf("ID token claims: %w", err))
	}
	if ep.op.UserInfoEndpoint() != "" {
		ui, err := ep.op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Profile{}, problemProvider(p.display, fmt.Errorf("userinfo: %w", err))
		}
		if err := ui.Claims(&uiClaims); err != nil {
			return Profile{}, problemProvider(p.display, fmt.Errorf("userinfo claims: %w", err))
		}
	}
	prof, err := profileFromClaims(p, idClaims, uiClaims)
	if err != nil {
		return Profile{}, problemToken(p.display, err)
	}
	prof.Issuer = idt.Issuer
	prof.SessionID, _ = idClaims["sid"].(string)
	if p.endSession {
		prof.IDToken = rawID
	}
	return prof, nil
}

// exchangeProblem tells apart why the provider refused a code: a code that
// is spent, expired or not ours (a replay, a tampered callback, PKCE that
// does not match) is the person's "start again"; a client the provider does
// not accept is the administrator's misconfiguration; anything else is the
// provider failing.
func exchangeProblem(display string, err error) *Problem {
	err = fmt.Errorf("exchange the code: %w", err)
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "invalid_grant":
			return problemExpired(err)
		case "invalid_client", "unauthorized_client":
			return problemMisconfigured(display, err)
		}
	}
	return problemProvider(display, err)
}

// withProfile adds who tried to sign in to the problem's logged cause.
// It returns a copy: a hook may return a shared *Problem.
func withProfile(pr *Problem, prof Profile) *Problem {
	cp := *pr
	who := fmt.Errorf("subject %q, e-mail %q", prof.Subject, prof.Email)
	if cp.Err == nil {
		cp.Err = who
	} else {
		cp.Err = fmt.Errorf("%w (%v)", cp.Err, who)
	}
	return &cp
}

// asProblem returns err as a Problem: a refusal with its own message, or an
// internal error with a calm one.
func asProblem(err error) *Problem {
	var pr *Problem
	if errors.As(err, &pr) {
		return pr
	}
	return problemInternal(err)
}

// refused tells the app's OnSignInRefused of a refusal by the account
// rules; the server's own failures (status 500) are not refusals.
func (s *Service) refused(ctx context.Context, pr *Problem, prof Profile, linkUserID uint) {
	if s.onRefused == nil || pr.Status >= 500 {
		return
	}
	s.onRefused(ctx, SignInRefusal{Provider: prof.Provider, Subject: prof.Subject, Email: prof.Email, Code: pr.Code, LinkUserID: linkUserID})
}
