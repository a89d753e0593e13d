package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/audit"
)

func TestAdminAuditLogPagesNewestFirstByKeysetAndKeepsThePersonAndKindFiltersInTheURL(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	emily, liamID := userID(t, srv, employee), userID(t, srv, liam)
	ctx := context.Background()
	// 60 sign-ins of Emily's and one of Liam's, newest last.
	for range 60 {
		if err := audit.Record(ctx, srv.DB, audit.Event{Kind: audit.SignInSucceeded, Actor: audit.ByUser(emily), SubjectID: emily, Detail: "password"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.Record(ctx, srv.DB, audit.Event{Kind: audit.SignInSucceeded, Actor: audit.ByUser(liamID), SubjectID: liamID, Detail: "password"}); err != nil {
		t.Fatal(err)
	}
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword) // the 62nd event, Adam's

	home := admin.Get("/").Doc(t)
	if home.Find(`nav a[href="/admin/audit"]`).Length() == 0 {
		t.Error("the admin menu has no Audit log entry")
	}

	q := url.Values{"person": {strconv.FormatUint(uint64(emily), 10)}, "kind": {string(audit.SignInSucceeded)}}
	first := admin.Get("/admin/audit?" + q.Encode())
	if first.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/audit: status %d", first.StatusCode)
	}
	doc := first.Doc(t)
	rows := doc.Find(`[data-testid="audit-row"]`)
	if rows.Length() != 50 {
		t.Fatalf("first page has %d rows, want 50", rows.Length())
	}
	if doc.Find(`#f-person option[selected]`).AttrOr("value", "") != q.Get("person") || doc.Find(`#f-kind option[selected]`).AttrOr("value", "") != q.Get("kind") {
		t.Error("the filter form does not keep the filters")
	}
	if got := strings.TrimSpace(rows.First().Find(`[data-testid="audit-subject"]`).Text()); got != "Emily Carter" {
		t.Errorf("first row is about %q, want Emily Carter", got)
	}
	newestID, _ := strconv.Atoi(rows.First().AttrOr("data-id", ""))
	lastID, _ := strconv.Atoi(rows.Last().AttrOr("data-id", ""))
	if newestID <= lastID {
		t.Errorf("rows not newest first: %d … %d", newestID, lastID)
	}
	if doc.Find(`[data-testid="audit-newer"]`).Length() != 0 {
		t.Error("the newest page links to newer events")
	}
	older, ok := doc.Find(`[data-testid="audit-older"]`).Attr("href")
	if !ok || !strings.Contains(older, "before=") || !strings.Contains(older, "person="+q.Get("person")) || !strings.Contains(older, "kind=sign_in.succeeded") {
		t.Fatalf("older link %q does not keep the filters", older)
	}
	second := admin.Get(older).Doc(t)
	if n := second.Find(`[data-testid="audit-row"]`).Length(); n != 10 {
		t.Errorf("second page has %d rows, want the other 10 of Emily's", n)
	}
	if second.Find(`[data-testid="audit-older"]`).Length() != 0 || second.Find(`[data-testid="audit-newer"]`).Length() != 1 {
		t.Error("the last page's links are wrong")
	}
	if id, _ := strconv.Atoi(second.Find(`[data-testid="audit-row"]`).First().AttrOr("data-id", "")); id >= lastID {
		t.Errorf("second page starts at %d, not older than the first page's last %d", id, lastID)
	}

	// The export keeps the same filters and holds all 60.
	export, _ := doc.Find(`[data-testid="audit-export"]`).Attr("href")
	res := admin.Get(export)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export %q: status %d, type %q", export, res.StatusCode, res.Header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 61 || records[0][1] != "kind" || records[1][7] != employee || records[1][1] != string(audit.SignInSucceeded) {
		t.Errorf("export has %d lines, first %v", len(records), records[:2])
	}
}

func TestAdminAuditLogSaysWhichFilterIsWrongAndTheCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	srv := apptest.New(t, apptest.Options{})
	b := srv.Browser(t)
	b.Submit("/login", `form[action="/login"]`, url.Values{"email": {"=HYPERLINK(evil)@example.com"}, "password": {"x"}})
	if err := srv.DB.Exec("UPDATE audit_events SET ip = '=1+1'").Error; err != nil {
		t.Fatal(err)
	}
	admin := srv.Browser(t)
	admin.Login("admin@example.com", apptest.DemoPassword)

	bad := admin.Get("/admin/audit?kind=made.up&person=abc")
	if bad.StatusCode != http.StatusOK {
		t.Fatalf("status %d", bad.StatusCode)
	}
	doc := bad.Doc(t)
	if !strings.Contains(doc.Find(`#f-kind-error`).Text(), "Choose a kind") || !strings.Contains(doc.Find(`#f-person-error`).Text(), "Choose a person") {
		t.Errorf("no messages next to the wrong filters:\n%s", doc.Find("form").Text())
	}

	res := admin.Get("/admin/audit.csv?kind=sign_in.failed")
	records, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("export has %d lines, want the header and the failed sign-in", len(records))
	}
	if ip := records[1][9]; ip != "'=1+1" {
		t.Errorf("ip cell %q, want the formula defused", ip)
	}
}
