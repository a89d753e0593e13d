package sso_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

// The app hears of every connection and disconnection inside the module's
// transaction: what it writes there is kept with the change, and an error
// from it undoes the change.
func TestOnIdentityChangeRunsInTheTransactionOfConnectAndDisconnectAndCanUndoThem(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []sso.IdentityChange
	refuse := false
	srv := newFakeApp(t, fakeOptions{OnIdentityChange: func(ctx context.Context, tx *gorm.DB, ch sso.IdentityChange) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			return errors.New("the app says no")
		}
		seen = append(seen, ch)
		// Written in the module's transaction, as an audit log would.
		return tx.Exec("UPDATE users SET name = name || '+' WHERE id = ?", ch.UserID).Error
	}})
	b := srv.Browser(t)
	b.Login("employee@example.com", demoPassword)
	var emily uint
	srv.DB.Raw("SELECT id FROM users WHERE email = 'employee@example.com'").Scan(&emily)

	start := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-connect"]`, url.Values{"password": {demoPassword}})
	tr := continueAtProvider(t, b, start.Location(), pick{Email: "employee@example.com"}, nil)
	if tr.Callback.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect callback: status %d\n%s", tr.Callback.StatusCode, tr.Callback.Body)
	}
	if len(seen) != 1 || seen[0].Removed || seen[0].UserID != emily || seen[0].Identity.Provider != "openid-connect" || seen[0].Identity.ID == 0 {
		t.Fatalf("hook saw %+v, want Emily's new openid-connect identity", seen)
	}

	// Refused: the disconnection is undone.
	mu.Lock()
	refuse = true
	mu.Unlock()
	b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-disconnect"]`, nil)
	if n := count(t, srv.DB, "SELECT count(*) FROM identities WHERE user_id = ?", emily); n != 1 {
		t.Fatalf("a disconnection the hook refused removed the identity (%d left)", n)
	}
	mu.Lock()
	refuse = false
	mu.Unlock()
	if res := b.SubmitOn(b.Get("/profile"), `form[data-testid="sso-disconnect"]`, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disconnect: status %d", res.StatusCode)
	}
	if n := count(t, srv.DB, "SELECT count(*) FROM identities WHERE user_id = ?", emily); n != 0 {
		t.Errorf("%d identities left after disconnecting", n)
	}
	if len(seen) != 2 || !seen[1].Removed || seen[1].Identity.ID != seen[0].Identity.ID {
		t.Errorf("hook saw %+v, want the removal of the same identity", seen)
	}
	if n := count(t, srv.DB, "SELECT count(*) FROM users WHERE id = ? AND name LIKE '%++'", emily); n != 1 {
		t.Error("what the hook wrote was not kept with the changes")
	}
}
