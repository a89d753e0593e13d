package sso_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

// samlRequestRow is a row of sso_saml_requests as the tests read it.
type samlRequestRow struct {
	ID, Provider, RequestID, ReturnPath, BrowserHash string
	ExpiresAt                                        time.Time
}

// samlRequestRows reads the rows whose id is relay, or all rows for "".
func samlRequestRows(t *testing.T, db *gorm.DB, relay string) []samlRequestRow {
	t.Helper()
	q := db.Table("sso_saml_requests")
	if relay != "" {
		q = q.Where("id = ?", relay)
	}
	var rows []samlRequestRow
	if err := q.Select("id, provider, request_id, return_path, browser_hash, expires_at").Scan(&rows).Error; err != nil {
		t.Fatalf("read sso_saml_requests: %v", err)
	}
	return rows
}

// bindingCookie is the value of the browser's SAML binding cookie at app.
func bindingCookie(t *testing.T, app *fakeApp, b *browser) string {
	t.Helper()
	u, _ := url.Parse(acsOf(app))
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "saml_binding" {
			return c.Value
		}
	}
	t.Fatalf("the browser has no saml_binding cookie for %s", u)
	return ""
}

// copyAuthCookies gives to the cookies b has for from's /auth paths,
// as an attacker who copied them, or a load balancer sending the same
// browser to another instance, would present them.
func copyAuthCookies(t *testing.T, b *browser, from *fakeApp, to *browser, at *fakeApp) {
	t.Helper()
	src, _ := url.Parse(acsOf(from))
	dst, _ := url.Parse(acsOf(at))
	var cs []*http.Cookie
	for _, c := range b.Jar.Cookies(src) {
		cs = append(cs, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/auth"})
	}
	if len(cs) == 0 {
		t.Fatal("the browser has no cookies for /auth")
	}
	to.Jar.SetCookies(dst, cs)
}

// signInSAMLFromRequest posts the IdP's answer a to the sign-in req that b
// started, and returns where the app sent the browser.
func (x *samlIdP) signInSAMLFromRequest(t *testing.T, app *fakeApp, b *browser, req authnRequest, a answer) string {
	t.Helper()
	res := post(b, req.RelayState, x.response(req, acsOf(app), a))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ACS: status %d, want 303\n%s", res.StatusCode, res.Body)
	}
	return res.Location()
}

var relayStateShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestSAMLRelayStateIsAnOpaqueIDNotAPath(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		app := appWithSAML(t, db, x, nil)
		const deepLink = "/expenses/42?tab=receipts"

		b := app.Browser(t)
		req := x.begin(t, b, "/auth/saml?next="+url.QueryEscape(deepLink))
		// 32 random bytes (256 bits), URL-safe: nothing of the path.
		if !relayStateShape.MatchString(req.RelayState) || strings.Contains(req.RelayState, "expenses") {
			t.Fatalf("RelayState %q, want 43 base64url characters and nothing of the path", req.RelayState)
		}
		other := x.begin(t, app.Browser(t), "/auth/saml?next="+url.QueryEscape(deepLink))
		if other.RelayState == req.RelayState {
			t.Fatal("two sign-ins got the same RelayState")
		}
		// The path, the request and the browser are in the row it names.
		rows := samlRequestRows(t, db, req.RelayState)
		if len(rows) != 1 {
			t.Fatalf("%d rows for the RelayState, want 1", len(rows))
		}
		sum := sha256.Sum256([]byte(bindingCookie(t, app, b)))
		if r := rows[0]; r.ReturnPath != deepLink || r.RequestID != req.ID || r.Provider != "saml" || r.BrowserHash != hex.EncodeToString(sum[:]) {
			t.Errorf("row %+v, want return path %q, request %q, provider saml and the hash of the binding cookie", r, deepLink, req.ID)
		}

		// A RelayState changed into a URL or a path is no sign-in of ours:
		// the "expired" page, no redirect, and the real one still works.
		resp := x.response(req, acsOf(app), answer{Who: ann})
		for _, forged := range []string{"https://evil.example/phish", "//evil.example", "/admin/users", req.RelayState + "x"} {
			res := post(b, forged, resp)
			wantProblem(t, res, http.StatusBadRequest, "state")
			if loc := res.Location(); loc != "" {
				t.Errorf("RelayState %q redirected to %q", forged, loc)
			}
		}
		if res := post(b, req.RelayState, resp); res.StatusCode != http.StatusSeeOther || res.Location() != deepLink {
			t.Fatalf("ACS: %d to %q, want 303 to the deep link %s\n%s", res.StatusCode, res.Location(), deepLink, res.Body)
		}
		if n := len(samlRequestRows(t, db, req.RelayState)); n != 0 {
			t.Errorf("%d rows left for a completed sign-in, want 0", n)
		}
	})
}

func TestSAMLRelayStateIsConsumedOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		one := appWithSAML(t, db, x, nil)
		two := appWithSAML(t, db, x, nil)
		// A response answering req for instance at (its ACS and entity id),
		// with an assertion ID of its own, so that the replay table does not
		// decide: only the RelayState can.
		respFor := func(req authnRequest, at *fakeApp) []byte {
			return x.response(req, acsOf(at), answer{Who: ann, Audience: at.URL + "/auth/saml/metadata"})
		}

		// The browser starts at one and completes there; a copy of its
		// cookies then presents the same RelayState at two.
		b := one.Browser(t)
		req := x.begin(t, b, "/auth/saml?next=/expenses/7")
		copied := two.Browser(t)
		copyAuthCookies(t, b, one, copied, two)
		if res := post(b, req.RelayState, respFor(req, one)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use refused: %d\n%s", res.StatusCode, res.Body)
		}
		res := post(copied, req.RelayState, respFor(req, two))
		wantProblem(t, res, http.StatusBadRequest, "state")
		if signedInAs(t, copied) != "" {
			t.Error("the spent RelayState signed in at the second instance")
		}

		// The same RelayState posted to both instances at the same moment:
		// exactly one takes it.
		b = one.Browser(t)
		req = x.begin(t, b, "/auth/saml")
		copied = two.Browser(t)
		copyAuthCookies(t, b, one, copied, two)
		bodies := [][]byte{respFor(req, one), respFor(req, two)}
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, br := range []*browser{b, copied} {
			wg.Go(func() { statuses[i] = post(br, req.RelayState, bodies[i]).StatusCode })
		}
		wg.Wait()
		if !(statuses[0] == http.StatusSeeOther && statuses[1] == http.StatusBadRequest ||
			statuses[0] == http.StatusBadRequest && statuses[1] == http.StatusSeeOther) {
			t.Errorf("statuses %v at the two instances, want one 303 and one 400", statuses)
		}
	})
}

func TestSAMLExpiredRelayStateIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		clock := &testClock{t: time.Now()}
		app := appWithSAML(t, db, x, func(s *sso.SAML) { s.Now = clock.Now })

		b := app.Browser(t)
		req := x.begin(t, b, "/auth/saml?next=/expenses/7")
		// Eleven minutes at the IdP: longer than a sign-in may take. The
		// response itself is fresh, so only the RelayState is late.
		clock.Add(11 * time.Minute)
		res := post(b, req.RelayState, x.response(req, acsOf(app), answer{Who: ann, IssueInstant: clock.Now()}))
		wantProblem(t, res, http.StatusBadRequest, "state")
		if res.Location() != "" || signedInAs(t, b) != "" {
			t.Fatalf("an expired RelayState redirected to %q or signed in", res.Location())
		}

		// Nine minutes is in time.
		b = app.Browser(t)
		req = x.begin(t, b, "/auth/saml?next=/expenses/7")
		clock.Add(9 * time.Minute)
		if got := x.signInSAMLFromRequest(t, app, b, req, answer{Who: ann, IssueInstant: clock.Now()}); got != "/expenses/7" {
			t.Errorf("landed on %q, want /expenses/7", got)
		}

		// Expired rows go when the next sign-in starts.
		x.begin(t, app.Browser(t), "/auth/saml")
		clock.Add(11 * time.Minute)
		x.begin(t, app.Browser(t), "/auth/saml")
		for _, r := range samlRequestRows(t, db, "") {
			if !clock.Now().Before(r.ExpiresAt) {
				t.Errorf("expired row %s kept after a new sign-in started", r.ID)
			}
		}
	})
}

func TestSAMLRelayStateFromAnotherBrowserIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		app := appWithSAML(t, db, x, nil)

		// Ann starts a sign-in. Mallory, who has her own sign-in in
		// progress (so a binding cookie of her own), gets hold of Ann's
		// RelayState and response and posts them from her browser.
		annB := app.Browser(t)
		annReq := x.begin(t, annB, "/auth/saml?next=/expenses/7")
		resp := x.response(annReq, acsOf(app), answer{Who: ann})
		mallory := app.Browser(t)
		x.begin(t, mallory, "/auth/saml")
		wantProblem(t, post(mallory, annReq.RelayState, resp), http.StatusBadRequest, "state")
		// A browser with no sign-in in progress at all.
		wantProblem(t, post(app.Browser(t), annReq.RelayState, resp), http.StatusBadRequest, "state")
		if signedInAs(t, mallory) != "" {
			t.Fatal("another browser was signed in with Ann's RelayState")
		}
		// The refusals did not spend Ann's sign-in: she completes it.
		if n := len(samlRequestRows(t, db, annReq.RelayState)); n != 1 {
			t.Fatalf("%d rows for Ann's RelayState after the refusals, want it kept for her browser", n)
		}
		if res := post(annB, annReq.RelayState, resp); res.StatusCode != http.StatusSeeOther || res.Location() != "/expenses/7" {
			t.Fatalf("Ann's own browser: %d to %q, want 303 to /expenses/7\n%s", res.StatusCode, res.Location(), res.Body)
		}
	})
}

// TestSAMLBrowserKeepsAtMostFiveSignInsInProgress: every start stores a
// row, so one browser's starts are capped, the oldest forgotten first, and
// the newest still signs in.
func TestSAMLBrowserKeepsAtMostFiveSignInsInProgress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		x := newSAMLIdP(t)
		app := appWithSAML(t, db, x, nil)
		b := app.Browser(t)
		var reqs []authnRequest
		for range 8 {
			reqs = append(reqs, x.begin(t, b, "/auth/saml"))
		}
		sum := sha256.Sum256([]byte(bindingCookie(t, app, b)))
		var n int64
		if err := db.Table("sso_saml_requests").Where("browser_hash = ?", hex.EncodeToString(sum[:])).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Errorf("%d sign-ins in progress for one browser after 8 starts, want 5", n)
		}
		if rows := samlRequestRows(t, db, reqs[0].RelayState); len(rows) != 0 {
			t.Error("the oldest start is still stored")
		}
		last := reqs[len(reqs)-1]
		if loc := x.signInSAMLFromRequest(t, app, b, last, answer{Who: ann}); loc == "" {
			t.Error("the newest start did not sign in")
		}
	})
}
