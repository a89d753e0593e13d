package sso

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/sso/ssopages"
)

// Problem is a sign-in that cannot go ahead, with what to tell the person.
// The callback shows it on the SSO error page (Config.Pages), and
// logs it with its cause. A hook may return a *Problem to refuse a sign-in
// in its own words. Nothing is stored when a sign-in ends in a Problem.
type Problem struct {
	// Code names the problem for logs and tests, for example "no_access".
	Code string
	// Status is the HTTP status of the error page.
	Status int
	// Title and Message are shown to the person. They say what happened and
	// what to do; they never show internals.
	Title   string
	Message string
	// Retry offers "Try again", which starts a new sign-in with the same
	// provider.
	Retry bool
	// Err is the cause, for the log only.
	Err error
	// log are extra attributes for the log line, as slog key-value pairs.
	log []any
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Code + ": " + p.Err.Error()
	}
	return p.Code + ": " + p.Title
}

func (p *Problem) Unwrap() error { return p.Err }

// The problems a sign-in can meet. Messages name the provider by its display
// name (%[1]s).
func problemState(err error) *Problem {
	return &Problem{Code: "state", Status: http.StatusBadRequest, Retry: true, Err: err,
		Title:   "This sign-in has expired",
		Message: "The sign-in took too long, was already completed, or was started in another browser. Nothing has been changed. Start again."}
}

func problemCancelled(display string, err error) *Problem {
	return &Problem{Code: "cancelled", Status: http.StatusUnauthorized, Retry: true, Err: err,
		Title:   "Sign-in cancelled",
		Message: fmt.Sprintf("%s did not sign you in, so you are not signed in here either.", display)}
}

func problemProvider(display string, err error) *Problem {
	return &Problem{Code: "provider", Status: http.StatusBadGateway, Retry: true, Err: err,
		Title:   "Single sign-on did not answer",
		Message: fmt.Sprintf("We could not complete the sign-in with %s: it refused the request or could not be reached. Nothing has been changed. Try again in a moment; if it keeps happening, tell your administrator.", display)}
}

func problemToken(display string, err error) *Problem {
	return &Problem{Code: "token", Status: http.StatusUnauthorized, Retry: true, Err: err,
		Title:   "We could not verify your sign-in",
		Message: fmt.Sprintf("The answer from %s did not pass our security checks, so we did not sign you in. Nothing has been changed. Try again; if it keeps happening, tell your administrator.", display)}
}

func problemNoEmail(display string) *Problem {
	return &Problem{Code: "no_email", Status: http.StatusForbidden,
		Title:   "Your e-mail address is missing",
		Message: fmt.Sprintf("%s did not tell us your e-mail address, and this app needs it to create your account. Nothing has been created. Ask your administrator to release the e-mail address to this app.", display)}
}

func problemUnverifiedEmail(display, email string) *Problem {
	return &Problem{Code: "unverified_email", Status: http.StatusForbidden,
		Title: "Your e-mail address is not confirmed",
		Message: fmt.Sprintf("Your identity provider did not confirm your e-mail address: %s did not tell us that %s is verified, so no account was created. Verify the address there and try again, or ask your administrator to add you.",
			display, email)}
}

func problemExpired(err error) *Problem {
	pr := problemState(err)
	pr.Code = "expired"
	return pr
}

func problemMisconfigured(display string, err error) *Problem {
	return &Problem{Code: "misconfigured", Status: http.StatusInternalServerError, Err: err,
		Title:   "Single sign-on is misconfigured",
		Message: fmt.Sprintf("%s does not accept this app's credentials, so nobody can sign in with it at the moment. Nothing has been changed. Tell your administrator: single sign-on is misconfigured (client id or secret).", display)}
}

func problemUnreachable(display string, err error) *Problem {
	return &Problem{Code: "unreachable", Status: http.StatusServiceUnavailable, Retry: true, Err: err,
		Title:   display + " is unreachable",
		Message: fmt.Sprintf("%s is unreachable right now; sign in with your password, or try again in a moment.", display)}
}

func problemEmailInUse(display, email, howToSignIn string) *Problem {
	return &Problem{Code: "email_in_use", Status: http.StatusConflict,
		Title: "You already have an account",
		Message: fmt.Sprintf("An account with the e-mail address %s already exists, so we did not create another one, and we do not connect %s to it without your say-so. %s Then connect %s from your profile page, and you can use it next time.",
			email, display, howToSignIn, display)}
}

func problemNoAccess(email string, domains []string) *Problem {
	return &Problem{Code: "no_access", Status: http.StatusForbidden,
		Title: "No access to this app",
		Message: fmt.Sprintf("New accounts here are for addresses at %s, and %s is not one of them, so no account was created. If you need access, ask your administrator to add you, or sign in with your work account.",
			strings.Join(domains, ", "), email)}
}

func problemDeactivated() *Problem {
	return &Problem{Code: "deactivated", Status: http.StatusForbidden,
		Title:   "Your account is deactivated",
		Message: "Your account here has been deactivated, so you cannot sign in, with single sign-on or otherwise. Ask an administrator if you need access again."}
}

func problemLinkedElsewhere(display string) *Problem {
	return &Problem{Code: "linked_elsewhere", Status: http.StatusConflict,
		Title:   "Already connected to someone else",
		Message: fmt.Sprintf("This %s account is already connected to another person's account here, so it was not connected to yours. Sign out and sign in with it if it is yours, or ask an administrator.", display)}
}

func problemIssuerChanged(display, stored, current string) *Problem {
	return &Problem{Code: "issuer_changed", Status: http.StatusConflict,
		Err:     fmt.Errorf("the identity was linked with issuer %q, this sign-in comes from issuer %q", stored, current),
		log:     []any{"stored_issuer", stored, "issuer", current},
		Title:   "Your account is linked with another identity provider",
		Message: fmt.Sprintf("This sign-in comes from a different identity provider than the one your account was linked with, so we did not sign you in with %s and nothing has been changed. Ask an administrator to check the single sign-on settings and your account's connection.", display)}
}

func problemLinkSession(display string) *Problem {
	return &Problem{Code: "link_session", Status: http.StatusForbidden,
		Title:   "Sign in again to connect",
		Message: fmt.Sprintf("You were signed out, or signed in as someone else, while connecting %s, so nothing was connected. Sign in with your password and connect it again from your profile page.", display)}
}

func problemInternal(err error) *Problem {
	return &Problem{Code: "internal", Status: http.StatusInternalServerError, Retry: true, Err: err,
		Title:   "Sign-in failed",
		Message: "An unexpected error happened on our side and has been logged. Nothing has been changed. Try again in a moment; if it keeps happening, tell your administrator."}
}

// fail shows pr on the SSO error page and logs it with its detail. p is nil
// when the provider is unknown.
func (s *Service) fail(c echo.Context, p *provider, f *flow, pr *Problem) error {
	attrs := []any{"problem", pr.Code, "status", pr.Status, "path", c.Request().URL.Path,
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID)}
	if p != nil {
		attrs = append(attrs, "provider", p.name)
	}
	if pr.Err != nil {
		attrs = append(attrs, "err", pr.Err)
	}
	attrs = append(attrs, pr.log...)
	ctx := c.Request().Context()
	if pr.Status >= 500 {
		s.log.ErrorContext(ctx, "single sign-on failed", attrs...)
	} else {
		s.log.WarnContext(ctx, "single sign-on refused", attrs...)
	}

	d := ssopages.Problem{Code: pr.Code, Title: pr.Title, Message: pr.Message}
	next := ""
	if f != nil {
		next = f.Next
	}
	if pr.Retry && p != nil {
		if f != nil && f.LinkUserID != 0 {
			d.TryAgainURL = s.urls.Profile // connecting needs the password again
		} else {
			d.TryAgainURL = LoginURL(p.name, next)
		}
	}
	if _, signedIn := s.app.CurrentUserID(c); signedIn {
		d.SignedIn = true
		d.BackURL, d.BackLabel = s.urls.Profile, "Go to your profile"
	} else {
		d.BackURL, d.BackLabel = s.signInURL(next), "Back to sign in"
	}

	var page templ.Component
	if s.pages != nil {
		page = s.pages.Problem(c, d)
	} else {
		page = ssopages.ProblemPage(d)
	}
	var buf bytes.Buffer
	if err := page.Render(ctx, &buf); err != nil {
		return fmt.Errorf("render SSO problem page: %w", errors.Join(err, pr))
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(pr.Status, buf.Bytes())
}
