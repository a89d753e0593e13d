package pages

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/cache"
	"github.com/company-expenses/company-expenses/models"
)

// ctxCounts is where pendingCounts keeps its answer for the rest of the
// request.
const ctxCounts = "pending_counts"

// Every page's menu shows the badge counts; reading them was a seventh of
// the list page's CPU. So the menu's counts are kept per person for
// badgeTTL, in at most badgeCacheSize entries, and every change made
// through this module's routes drops them all (changed, below).
//
// A badge a second out of date is fine: it says "there is work waiting",
// and the page it leads to counts afresh. What another instance changes,
// or a change of someone's manager on the people pages, shows within the
// second. A counter on the page itself (the dashboard's "ready to pay",
// the queues' and the list's totals) is never taken from here: it is read
// for the request (pendingCounts), and the menu of that page then shows the
// same fresh numbers.
const (
	badgeTTL       = time.Second
	badgeCacheSize = 10_000
)

type pendingCountsResult struct {
	approvals, reimbursements int64
	err                       error
}

// badgeCache is the menu's counts per person (badgeKey).
type badgeCache = cache.TTL[string, pendingCountsResult]

func newBadgeCache() *badgeCache {
	return cache.NewTTL[string, pendingCountsResult](badgeTTL, badgeCacheSize, time.Now)
}

// badgeKey tells apart whatever the counts depend on: whose reports and
// whose own expenses (the user id) and which roles (what is counted at
// all). Two people never share an entry, so a manager never sees finance's
// numbers, nor one manager another's.
func badgeKey(v *models.Employee) string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(uint64(v.UserID), 10))
	for _, r := range v.User.Roles {
		b.WriteByte(' ')
		b.WriteString(string(r.Role))
	}
	return b.String()
}

// pendingCounts returns the menu badges' numbers (expenses awaiting the
// person's approval, and awaiting reimbursement), counted once per request
// and never from the badge cache: for pages that show one of them as a
// counter of their own (the dashboard), whose menu then shows the same.
func (a *Handlers) pendingCounts(c echo.Context, v *models.Employee) (approvals, reimbursements int64, err error) {
	if r, ok := c.Get(ctxCounts).(pendingCountsResult); ok {
		return r.approvals, r.reimbursements, r.err
	}
	approvals, reimbursements, err = a.expenses.Counts(c.Request().Context(), v)
	c.Set(ctxCounts, pendingCountsResult{approvals, reimbursements, err})
	return approvals, reimbursements, err
}

// menuCounts returns the numbers for the menu's badges: the request's own
// when the page counted them (pendingCounts), else the cached ones.
func (a *Handlers) menuCounts(c echo.Context, v *models.Employee) (approvals, reimbursements int64, err error) {
	if r, ok := c.Get(ctxCounts).(pendingCountsResult); ok {
		return r.approvals, r.reimbursements, r.err
	}
	r, err := a.badges.Get(badgeKey(v), func() (pendingCountsResult, error) {
		approvals, reimbursements, err := a.expenses.Counts(c.Request().Context(), v)
		return pendingCountsResult{approvals: approvals, reimbursements: reimbursements}, err
	})
	return r.approvals, r.reimbursements, err
}

// changed wraps the module's unsafe routes: once one has run, whatever it
// changed (an expense's status, a category) may show in any badge or
// select box, so the caches are dropped. After the handler, so that the
// change is committed: a request that reads in between keeps nothing
// (cache.TTL.Clear).
func (a *Handlers) changed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		a.badges.Clear()
		a.categories.Clear()
		return err
	}
}
