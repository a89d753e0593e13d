package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

func all(t *testing.T, db *gorm.DB) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := db.Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

func person(t *testing.T, db *gorm.DB, email, name string) uint {
	t.Helper()
	e := models.NewLocalEmployee(email, name, models.RoleEmployee)
	if err := models.CreateEmployee(db, e); err != nil {
		t.Fatal(err)
	}
	return e.UserID
}

func TestRecordStoresTheEventWithTheRequestsClientAndCleanedBoundedDetail(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := audit.WithClient(context.Background(), "203.0.113.7", "Mozilla/5.0 "+strings.Repeat("x", 400))
		detail := "e-mail tried: a@b.c\r\nforged line\u202e\x00" + strings.Repeat("é", 600)
		if err := audit.Record(ctx, db, audit.Event{Kind: audit.SignInFailed, Actor: audit.Anonymous, SubjectID: 0, Detail: detail}); err != nil {
			t.Fatal(err)
		}
		es := all(t, db)
		if len(es) != 1 {
			t.Fatalf("got %d events, want 1", len(es))
		}
		e := es[0]
		if e.Kind != audit.SignInFailed || e.Actor != "anonymous" || e.ActorID != nil || e.SubjectID != nil {
			t.Errorf("stored %+v", e)
		}
		if e.IP != "203.0.113.7" {
			t.Errorf("IP = %q, want the context's", e.IP)
		}
		if e.UserAgent != "Mozilla/5.0" {
			t.Errorf("user agent %q, want its first word: no browser in it", e.UserAgent)
		}
		if n := len([]rune(e.Detail)); n != audit.MaxDetail {
			t.Errorf("detail has %d characters, want it cut to %d", n, audit.MaxDetail)
		}
		if strings.ContainsAny(e.Detail, "\r\n\x00\u202e") || !strings.HasPrefix(e.Detail, "e-mail tried: a@b.c forged line ") {
			t.Errorf("detail not cleaned: %q", e.Detail[:60])
		}
		if time.Since(e.At) > time.Minute || e.At.IsZero() {
			t.Errorf("at = %v", e.At)
		}
	})
}

func TestRecordRefusesUnknownKindsAndEventsWithoutActor(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	ctx := context.Background()
	if err := audit.Record(ctx, db, audit.Event{Kind: "made.up", Actor: audit.System}); err == nil {
		t.Error("an unknown kind was recorded")
	}
	if err := audit.Record(ctx, db, audit.Event{Kind: audit.SignedOut, SubjectID: 1}); err == nil {
		t.Error("an event without actor was recorded")
	}
	if n := len(all(t, db)); n != 0 {
		t.Errorf("%d events stored", n)
	}
}

func TestAnEventRecordedInATransactionThatRollsBackIsNotKept(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := audit.Record(ctx, tx, audit.Event{Kind: audit.RolesChanged, Actor: audit.ByUser(1), SubjectID: 2, Detail: "+admin"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := len(all(t, db)); n != 0 {
			t.Errorf("%d events kept after the rollback", n)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			return audit.Record(ctx, tx, audit.Event{Kind: audit.RolesChanged, Actor: audit.ByUser(1), SubjectID: 2, Detail: "+admin"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(all(t, db)); n != 1 {
			t.Errorf("%d events kept after the commit, want 1", n)
		}
	})
}

func TestListPagesNewestFirstByKeysetAndFiltersByPersonAndKind(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		ann := person(t, db, "ann@example.com", "Ann Admin")
		bob := person(t, db, "bob@example.com", "Bob Builder")
		// 7 sign-ins of Bob, then Ann changes Bob's roles, then 3 of Ann's.
		for range 7 {
			rec(t, db, audit.Event{Kind: audit.SignInSucceeded, Actor: audit.ByUser(bob), SubjectID: bob})
		}
		rec(t, db, audit.Event{Kind: audit.RolesChanged, Actor: audit.ByUser(ann), SubjectID: bob, Detail: "+finance"})
		for range 3 {
			rec(t, db, audit.Event{Kind: audit.SignInSucceeded, Actor: audit.ByUser(ann), SubjectID: ann})
		}
		rec(t, db, audit.Event{Kind: audit.AccountCreated, Actor: audit.System})

		p1 := list(t, db, audit.Filter{}, audit.Cursor{}, 5)
		if len(p1.Rows) != 5 || p1.Newer != 0 || p1.Older == 0 {
			t.Fatalf("first page: %d rows, newer %d, older %d", len(p1.Rows), p1.Newer, p1.Older)
		}
		if p1.Rows[0].Kind != audit.AccountCreated || p1.Rows[4].Kind != audit.RolesChanged {
			t.Errorf("first page not newest first: %v … %v", p1.Rows[0].Kind, p1.Rows[4].Kind)
		}
		if r := p1.Rows[4]; r.ActorName != "Ann Admin" || r.SubjectEmail != "bob@example.com" || r.SubjectName != "Bob Builder" {
			t.Errorf("names not joined: %+v", r)
		}
		p2 := list(t, db, audit.Filter{}, audit.Cursor{Before: p1.Older}, 5)
		p3 := list(t, db, audit.Filter{}, audit.Cursor{Before: p2.Older}, 5)
		if len(p2.Rows) != 5 || len(p3.Rows) != 2 || p3.Older != 0 || p3.Newer == 0 {
			t.Fatalf("pages 2 and 3: %d and %d rows, page 3 older %d newer %d", len(p2.Rows), len(p3.Rows), p3.Older, p3.Newer)
		}
		seen := map[uint]bool{}
		for _, p := range []audit.Page{p1, p2, p3} {
			for _, r := range p.Rows {
				if seen[r.ID] {
					t.Errorf("event %d on two pages", r.ID)
				}
				seen[r.ID] = true
			}
		}
		if len(seen) != 12 {
			t.Errorf("pages hold %d events, want 12", len(seen))
		}
		back := list(t, db, audit.Filter{}, audit.Cursor{After: p3.Newer}, 5)
		if len(back.Rows) != 5 || back.Rows[0].ID != p2.Rows[0].ID || back.Older != p2.Older || back.Newer != p2.Newer {
			t.Errorf("newer from page 3 is not page 2: %+v", back)
		}

		bobs := list(t, db, audit.Filter{PersonID: bob}, audit.Cursor{}, 50)
		if len(bobs.Rows) != 8 {
			t.Errorf("Bob's events: %d, want 8 (7 sign-ins and the role change)", len(bobs.Rows))
		}
		anns := list(t, db, audit.Filter{PersonID: ann}, audit.Cursor{}, 50)
		if len(anns.Rows) != 4 {
			t.Errorf("Ann's events: %d, want 4 (3 sign-ins and the role change she made)", len(anns.Rows))
		}
		roles := list(t, db, audit.Filter{PersonID: bob, Kind: audit.RolesChanged}, audit.Cursor{}, 50)
		if len(roles.Rows) != 1 || roles.Rows[0].Detail != "+finance" {
			t.Errorf("Bob's role changes: %+v", roles.Rows)
		}

		var exported []uint
		if err := audit.Each(ctx, db, audit.Filter{Kind: audit.SignInSucceeded}, func(r audit.Row) error {
			exported = append(exported, r.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(exported) != 10 || exported[0] < exported[9] {
			t.Errorf("exported %v, want the 10 sign-ins newest first", exported)
		}
	})
}

func TestPruneDeletesOnlyOlderEventsInBatchesAndTwoInstancesAtOnceDoNoHarm(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		for range 25 {
			rec(t, db, audit.Event{Kind: audit.SignedOut, Actor: audit.ByUser(1), SubjectID: 1})
		}
		old := time.Now().UTC().Add(-400 * 24 * time.Hour)
		if err := db.Exec("UPDATE audit_events SET at = ? WHERE id IN (SELECT id FROM audit_events ORDER BY id LIMIT 23)", old).Error; err != nil {
			t.Fatal(err)
		}
		cutoff := time.Now().Add(-365 * 24 * time.Hour)
		// Two instances prune at the same moment, three events per batch.
		results := make(chan int64, 2)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				n, err := audit.Prune(ctx, db, cutoff, 3)
				results <- n
				errs <- err
			}()
		}
		var total int64
		for range 2 {
			total += <-results
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if total != 23 {
			t.Errorf("deleted %d between them, want 23", total)
		}
		if left := all(t, db); len(left) != 2 || left[0].At.Before(cutoff) {
			t.Errorf("left %d events, want the 2 recent ones", len(left))
		}
		if n, err := audit.Prune(ctx, db, cutoff, 3); err != nil || n != 0 {
			t.Errorf("pruning again deleted %d (%v), want 0", n, err)
		}
	})
}

func rec(t *testing.T, db *gorm.DB, e audit.Event) {
	t.Helper()
	if err := audit.Record(context.Background(), db, e); err != nil {
		t.Fatal(err)
	}
}

func list(t *testing.T, db *gorm.DB, f audit.Filter, c audit.Cursor, limit int) audit.Page {
	t.Helper()
	p, err := audit.List(context.Background(), db, f, c, limit)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShortUserAgentNamesBrowserAndSystemAndCutsTheRest(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                   "Chrome 131 on macOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86":       "Edge 131 on Windows",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                                  "Firefox 133 on Linux",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1": "Safari 18 on iOS",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36":                   "Chrome 131 on Android",
		"curl/8.5.0":               "curl/8.5.0",
		"Azure AD SCIM client 1.0": "Azure",
		"":                         "",
		strings.Repeat("x", 500):   strings.Repeat("x", 59) + "…",
	} {
		if got := audit.ShortUserAgent(in); got != want {
			t.Errorf("ShortUserAgent(%.40q) = %q, want %q", in, got, want)
		}
	}
}
