package expenses

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

const hostile = `<script>alert("x")</script> & 'quoted' "double" </td></tr><tr>`

func renderRows(t testing.TB, l ListPage) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := Results(l).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<table>" + buf.String() + "</table>"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The rows are written by hand (rows.go), so every field's escaping is
// checked here: hostile text in each comes out as that text, in its own
// cell, and adds no element.
func TestExpenseRowsEscapeEveryFieldAndKeepItsCell(t *testing.T) {
	t.Parallel()
	l := ListPage{Filter: expenses.Filter{Scope: expenses.ScopeAll}.WithPage(1), Total: 2, TotalPages: 1}
	l.Rows = []Row{
		{ID: 41, URL: "/expenses/41?x=" + hostile, Date: hostile + "d", Employee: hostile + "e", Category: hostile + "c",
			Merchant: hostile + "m", Description: hostile + "desc", Amount: hostile + "a", Status: models.Status(hostile), HasReceipt: true},
		{ID: 42, URL: "/expenses/42", Date: "1 Mar 2026", Employee: "Avery", Category: "Travel", Merchant: "Bahn",
			Amount: "€12.50", Status: models.StatusApproved},
	}
	doc := renderRows(t, l)
	if n := doc.Find("script").Length(); n != 0 {
		t.Fatalf("%d script elements made it into the page", n)
	}
	rows := doc.Find("tr[data-testid=expense-row]")
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	first := rows.First()
	if got := first.AttrOr("data-id", ""); got != "41" {
		t.Errorf("data-id %q", got)
	}
	cell := func(label string) string { return first.Find(`td[data-label="` + label + `"]`).Text() }
	for label, want := range map[string]string{"Date": hostile + "d", "Employee": hostile + "e", "Category": hostile + "c", "Amount": hostile + "a"} {
		if got := cell(label); got != want {
			t.Errorf("%s cell %q, want %q", label, got, want)
		}
	}
	link := first.Find("td.merchant-cell a")
	if got := link.Text(); got != hostile+"m" {
		t.Errorf("merchant %q", got)
	}
	if got := link.AttrOr("href", ""); got != "/expenses/41?x="+hostile {
		t.Errorf("href %q", got)
	}
	if got := first.Find("span.row-sub").Text(); got != Truncate(hostile+"desc", 80) {
		t.Errorf("description %q", got)
	}
	if first.Find(".receipt-mark").Length() != 1 || rows.Eq(1).Find(".receipt-mark").Length() != 0 {
		t.Error("receipt marks on the wrong rows")
	}
	badge := first.Find(`td[data-label="Status"] span.badge`)
	if got := badge.AttrOr("data-status", ""); got != hostile {
		t.Errorf("badge data-status %q", got)
	}
	if got := rows.Eq(1).Find("span.badge").AttrOr("class", ""); got != "badge status-approved" {
		t.Errorf("approved badge class %q", got)
	}
	if rows.Eq(1).Find("span.row-sub").Length() != 0 {
		t.Error("an empty description got a line")
	}
}

// Someone's own list has no Employee column; everyone's has.
func TestExpenseRowsShowTheEmployeeColumnOnlyForOtherPeoplesExpenses(t *testing.T) {
	t.Parallel()
	for _, sc := range []expenses.Scope{expenses.ScopeMine, expenses.ScopeTeam, expenses.ScopeAll} {
		l := ListPage{Filter: expenses.Filter{Scope: sc}.WithPage(1), Total: 1, TotalPages: 1,
			Rows: []Row{{ID: 7, URL: "/expenses/7", Date: "1 Mar 2026", Employee: "Avery", Status: models.StatusDraft}}}
		doc := renderRows(t, l)
		cells := doc.Find(`tr[data-testid=expense-row] td[data-label="Employee"]`).Length()
		heads := doc.Find("thead th").Length()
		if want := map[bool]int{true: 1, false: 0}[l.ShowEmployee()]; cells != want {
			t.Errorf("%s: %d employee cells, want %d", sc, cells, want)
		}
		if got := doc.Find("tr[data-testid=expense-row] td").Length(); got != heads {
			t.Errorf("%s: %d cells under %d headers", sc, got, heads)
		}
	}
}

// BenchmarkExpenseRows renders the results region of a full page.
func BenchmarkExpenseRows(b *testing.B) {
	l := ListPage{Filter: expenses.Filter{Scope: expenses.ScopeAll}.WithPage(1), Total: 80000, TotalPages: 3200}
	for i := range 25 {
		l.Rows = append(l.Rows, Row{ID: uint(90000 + i), URL: "/expenses/" + strconv.Itoa(90000+i), Date: Date(time.Now()),
			Employee: "Avery Employee", Category: "Travel", Merchant: "Deutsche Bahn & Co",
			Description: "Train to Berlin for the quarterly review meeting", Amount: "€123.45",
			Status: models.StatusSubmitted, HasReceipt: i%2 == 0})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Results(l).Render(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
}
