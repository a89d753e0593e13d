package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/paths"
	"github.com/company-expenses/company-expenses/layouts"
	adminviews "github.com/company-expenses/company-expenses/views/admin"
)

// adminSignInLocks lists who the sign-in throttle refuses now, so that an
// administrator can tell a locked-out person why, and when it ends.
func (a *Application) adminSignInLocks(c echo.Context) error {
	locks, err := a.throttle.Locks(c.Request().Context())
	if err != nil {
		return err
	}
	d := adminviews.LocksPage{Window: humanDuration(a.throttle.Window())}
	now := time.Now()
	for _, l := range locks {
		label, help := lockText(l.Kind)
		row := adminviews.LockRow{
			KindLabel: label, Help: help, Account: l.Email, Address: l.IP, Failures: l.Failures,
			FreesAt: l.FreesAt.UTC().Format("15:04 MST"), FreesIn: freesIn(l.FreesAt.Sub(now)),
			Kind: string(l.Kind), Email: l.Email, IP: l.IP, Device: l.Device,
		}
		if row.Address == "" {
			row.Address = "any"
		}
		if row.Account == "" {
			row.Account = "any"
		}
		d.Rows = append(d.Rows, row)
	}
	return a.render(c, http.StatusOK, adminviews.Locks(a.page(c, "Sign-in locks"), d))
}

// adminSignInLocksClear lifts one lock by forgetting the failed attempts it
// counts. The route is for administrators only (routes.go) and, like every
// POST, CSRF-checked.
func (a *Application) adminSignInLocksClear(c echo.Context) error {
	l := auth.Lock{
		Kind:   auth.LockKind(c.FormValue("kind")),
		Email:  c.FormValue("email"),
		IP:     c.FormValue("ip"),
		Device: c.FormValue("device"),
	}
	err := a.throttle.Clear(c.Request().Context(), l)
	switch {
	case errors.Is(err, auth.ErrBadLock):
		a.flash(c, layouts.FlashError, "That is not a sign-in lock this page knows. Reload the page and try again.")
	case err != nil:
		return err
	default:
		a.log.InfoContext(c.Request().Context(), "sign-in lock cleared",
			"by_user_id", viewer(c).UserID, "kind", l.Kind, "email", l.Email, "ip", l.IP)
		subject, err := a.userIDByEmail(c.Request().Context(), l.Email)
		if err != nil {
			return err
		}
		label, _ := lockText(l.Kind)
		detail := label + " lock"
		if l.Email != "" {
			detail += "; account " + l.Email
		}
		if l.IP != "" {
			detail += "; address " + l.IP
		}
		if err := a.record(c, audit.Event{Kind: audit.SignInLockCleared, Actor: audit.ByUser(viewer(c).UserID), SubjectID: subject, Detail: detail}); err != nil {
			return err
		}
		a.flash(c, layouts.FlashSuccess, label+" lock cleared: the next attempt there is checked again.")
	}
	return c.Redirect(http.StatusSeeOther, paths.AdminSignInLocks)
}

func lockText(k auth.LockKind) (label, help string) {
	switch k {
	case auth.LockAccount:
		return "Account", "Refused from every browser that has not signed in to it before."
	case auth.LockAccountAndIP:
		return "Account from one address", "Refused from this address, except in browsers that signed in to it before."
	case auth.LockIP:
		return "Address", "Every account is refused from this address, except in browsers that signed in to it before."
	case auth.LockDevice:
		return "Trusted browser", "One browser that signed in to the account before made too many wrong attempts itself."
	}
	return string(k), ""
}

func freesIn(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	if m <= 1 {
		return "in a minute"
	}
	return fmt.Sprintf("in %d minutes", m)
}
