package sso_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// A person new to the app double-clicks "Sign in", or signs in in two tabs
// at once. The identity provider issues two codes, and both callbacks arrive
// together: both find no identity and both provision the person. One
// account must come out of it, and both tabs must end signed in as it, not
// one of them on "You already have an account".
func TestSSOTwoSimultaneousFirstSignInsOfOnePersonCreateOneAccountAndSignInBoth(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		srv, logs := startApp(t, db, fakeOptions{NoSeed: true})
		const email = "jordan.rivera@example.com"

		// Two tabs, each through the provider up to its callback.
		tabs := []*browser{srv.Browser(t), srv.Browser(t)}
		callbacks := make([]string, len(tabs))
		for i, b := range tabs {
			start := b.Get("/auth/openid-connect")
			callbacks[i] = toCallback(t, b, start.Location(), pick{Email: email}, nil).CallbackURL
		}

		// On PostgreSQL the race is made certain: a lock makes inserting
		// into users wait, so both callbacks have looked for the identity
		// (and found none) before either can create the account. SQLite
		// serialises sign-ins (BEGIN IMMEDIATE), so there it cannot lose.
		postgres := db.Dialector.Name() == "postgres"
		var lock *gorm.DB
		if postgres {
			lock = db.Begin()
			if err := lock.Exec("LOCK TABLE users IN SHARE MODE").Error; err != nil {
				lock.Rollback()
				t.Fatal(err)
			}
		}

		type result struct {
			status         int
			location, body string
			err            error
		}
		results := make([]result, len(tabs))
		var wg sync.WaitGroup
		go1 := make(chan struct{})
		for i, b := range tabs {
			wg.Go(func() {
				<-go1
				res, err := b.Client.Get(callbacks[i])
				if err != nil {
					results[i].err = err
					return
				}
				defer res.Body.Close()
				body, err := io.ReadAll(res.Body)
				results[i] = result{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body), err: err}
			})
		}
		close(go1)

		if postgres {
			deadline := time.Now().Add(20 * time.Second)
			for {
				var waiting int64
				db.Raw("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'users'::regclass AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").Scan(&waiting)
				if waiting >= 2 {
					break
				}
				if time.Now().After(deadline) {
					lock.Rollback()
					wg.Wait()
					t.Fatalf("%d of the 2 callbacks reached the account's creation", waiting)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := lock.Commit().Error; err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()

		for i, r := range results {
			if r.err != nil {
				t.Fatalf("tab %d: %v", i+1, r.err)
			}
			if r.status != http.StatusSeeOther || r.location != "/" {
				t.Errorf("tab %d: callback answered %d to %q, want 303 to / (signed in)\n%s", i+1, r.status, r.location, r.body)
			}
			if who := signedInAs(t, tabs[i]); who != email {
				t.Errorf("tab %d: signed in as %q, want %s", i+1, who, email)
			}
		}
		if n := count(t, db, "SELECT count(*) FROM users"); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		if n := count(t, db, "SELECT count(*) FROM users WHERE email = ?", email); n != 1 {
			t.Errorf("%d accounts with the address, want 1", n)
		}
		if n := count(t, db, "SELECT count(*) FROM identities"); n != 1 {
			t.Errorf("%d identities, want 1", n)
		}
		if postgres && !strings.Contains(logs.String(), "first sign-in raced with another sign-in of the same person") {
			t.Error("no callback logged losing the race and signing in again: the race was not exercised, or the loser did not retry")
		}
	})
}
