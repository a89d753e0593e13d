package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/audit"
)

// Two-factor sign-in turned on, its recovery codes renewed and turned off
// again each leave an event about the person, by the person.
func TestTwoFactorChangesAreRecordedByThePerson(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Login(employee, apptest.DemoPassword)
	turnOnTwoFactor(t, b)
	if res := b.Submit("/profile/two-factor", `form[action="/profile/two-factor/recovery-codes"]`, url.Values{"password": {apptest.DemoPassword}}); res.StatusCode != http.StatusOK {
		t.Fatalf("new recovery codes: %d", res.StatusCode)
	}
	if res := b.Submit("/profile/two-factor", `form[action="/profile/two-factor/disable"]`, url.Values{"password": {apptest.DemoPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off: %d", res.StatusCode)
	}
	emily := userID(t, srv, employee)
	for _, k := range []audit.Kind{audit.TwoFactorEnabled, audit.RecoveryCodesRenewed, audit.TwoFactorDisabled} {
		es := auditOf(t, srv, k)
		if len(es) != 1 || !about(es[0], emily) || es[0].ActorID == nil || *es[0].ActorID != emily {
			t.Errorf("%s: %d events %+v, want one about and by Emily", k, len(es), es)
		}
	}
}

// An invitation sent and revoked by an administrator, and a reset link
// asked for, each leave an event about the person.
func TestInvitationsAndResetRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	res := admin.Submit("/admin/users/new", `form[action="/admin/users"]`, url.Values{
		"full_name": {"Ivy Invited"}, "email": {"ivy@example.com"}, "roles": {"employee"}, "active": {"on"}, "password_setup": {"invite"},
	})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	ivy, adminID := userID(t, srv, "ivy@example.com"), userID(t, srv, "admin@example.com")
	if es := auditOf(t, srv, audit.InvitationSent); len(es) != 1 || !about(es[0], ivy) || *es[0].ActorID != adminID {
		t.Errorf("invitation sent: %+v, want one about Ivy by the administrator", es)
	}
	page := admin.Get(fmt.Sprintf("/admin/users/%d", ivy))
	if r := admin.SubmitOn(page, `form[action$="/invitation/revoke"]`, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if es := auditOf(t, srv, audit.InvitationRevoked); len(es) != 1 || !about(es[0], ivy) || *es[0].ActorID != adminID {
		t.Errorf("invitation revoked: %+v, want one about Ivy by the administrator", es)
	}

	anon := srv.Browser(t)
	if r := anon.Submit("/password/forgot", `form[action="/password/forgot"]`, url.Values{"email": {employee}}); r.StatusCode >= 400 {
		t.Fatalf("forgot password: %d", r.StatusCode)
	}
	if es := auditOf(t, srv, audit.PasswordResetRequested); len(es) != 1 || !about(es[0], userID(t, srv, employee)) {
		t.Errorf("reset requested: %+v, want one about Emily", es)
	}
}

// Sessions ended from a sessions list are in the audit log: by the person
// themselves ("sign out everywhere else") and by an administrator.
func TestSessionsEndedFromTheSessionsListsAreRecorded(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	srv.Browser(t).Login(employee, apptest.DemoPassword) // another browser of hers
	emily := srv.Browser(t)
	emily.Login(employee, apptest.DemoPassword)
	if res := emily.Submit("/profile", `form[action="/profile/sessions/end-others"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere else: %d", res.StatusCode)
	}
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)
	emilyID, adminID := userID(t, srv, employee), userID(t, srv, "admin@example.com")
	page := admin.Get(fmt.Sprintf("/admin/users/%d", emilyID))
	if res := admin.SubmitOn(page, `form[action$="/sessions/end-all"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end every session: %d", res.StatusCode)
	}
	es := auditOf(t, srv, audit.SessionsEnded)
	var byEmily, byAdmin int
	for _, e := range es {
		switch {
		case about(e, emilyID) && *e.ActorID == emilyID:
			byEmily++
		case about(e, emilyID) && *e.ActorID == adminID:
			byAdmin++
		}
	}
	if byEmily != 1 || byAdmin != 1 {
		t.Errorf("session.ended about Emily: %d by her, %d by the administrator; want one each (%+v)", byEmily, byAdmin, es)
	}
}
