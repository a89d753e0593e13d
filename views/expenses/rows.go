package expenses

import (
	"context"
	"html"
	"io"
	"strconv"

	"github.com/a-h/templ"

	"github.com/company-expenses/company-expenses/models"
)

// The expense table's rows, the status badge and the receipt mark are
// written here in Go rather than in list.templ: they are the list page's
// hot loop (25 rows of nine fields and two nested components per page), and
// templ's generated code formats every text expression through fmt and
// wraps every component call in a new context, which made the rows about
// 850 allocations and a seventh of a signed-in list request's CPU. Written
// straight into one buffer they are one or two allocations
// (BenchmarkExpenseRows). The markup is what the templ version wrote; to
// change a cell, change it here. Every text goes through htmlWriter.text;
// TestExpenseRowsEscapeEveryFieldAndKeepItsCell checks each field with
// hostile text.

// statusBadgeHTML is a status's badge element: fixed for the statuses
// models knows.
func statusBadgeHTML(s models.Status) string {
	switch s {
	case models.StatusDraft:
		return `<span class="badge status-draft" data-status="draft">Draft</span>`
	case models.StatusSubmitted:
		return `<span class="badge status-submitted" data-status="submitted">Submitted</span>`
	case models.StatusApproved:
		return `<span class="badge status-approved" data-status="approved">Approved</span>`
	case models.StatusRejected:
		return `<span class="badge status-rejected" data-status="rejected">Rejected</span>`
	case models.StatusReimbursed:
		return `<span class="badge status-reimbursed" data-status="reimbursed">Reimbursed</span>`
	}
	// A status this build does not know (a newer instance wrote it during a
	// rolling upgrade): the same element, built.
	v := html.EscapeString(string(s))
	return `<span class="badge status-` + v + `" data-status="` + v + `">` + html.EscapeString(s.Label()) + `</span>`
}

// StatusBadge is a status as a coloured label.
func StatusBadge(s models.Status) templ.Component {
	return templ.Raw(statusBadgeHTML(s))
}

// receiptMarkHTML is the paper clip of an expense with a receipt.
const receiptMarkHTML = `<span class="receipt-mark" title="Receipt attached"><svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">` +
	`<path d="M10.5 4.5 5.8 9.2a1.2 1.2 0 0 0 1.7 1.7l5-5a2.6 2.6 0 0 0-3.7-3.7l-5 5a4 4 0 0 0 5.7 5.7l4.2-4.2" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"></path>` +
	`</svg><span class="sr-only">Receipt attached</span></span>`

// ReceiptMark shows that an expense has a receipt, and nothing otherwise.
func ReceiptMark(has bool) templ.Component {
	if !has {
		return templ.NopComponent
	}
	return templ.Raw(receiptMarkHTML)
}

// expenseRows writes the table rows of l.
func expenseRows(l ListPage) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		showEmployee := l.ShowEmployee()
		h := htmlWriter{w: w}
		for i := range l.Rows {
			r := &l.Rows[i]
			h.raw(`<tr data-testid="expense-row" data-id="`)
			h.uint(uint64(r.ID))
			h.raw(`"><td class="nowrap" data-label="Date">`)
			h.text(r.Date)
			h.raw(`</td>`)
			if showEmployee {
				h.raw(`<td data-label="Employee">`)
				h.text(r.Employee)
				h.raw(`</td>`)
			}
			h.raw(`<td class="merchant-cell card-title"><a href="`)
			h.text(r.URL)
			h.raw(`">`)
			h.text(r.Merchant)
			h.raw(`</a>`)
			if r.HasReceipt {
				h.raw(receiptMarkHTML)
			}
			if r.Description != "" {
				h.raw(`<span class="row-sub">`)
				h.text(Truncate(r.Description, 80))
				h.raw(`</span>`)
			}
			h.raw(`</td><td data-label="Category">`)
			h.text(r.Category)
			h.raw(`</td><td class="num nowrap" data-label="Amount">`)
			h.text(r.Amount)
			h.raw(`</td><td data-label="Status">`)
			h.raw(statusBadgeHTML(r.Status))
			h.raw(`</td></tr>`)
		}
		return h.err
	})
}

// htmlWriter writes markup and escaped text to w, keeping the first error.
// templ hands components its own buffered writer, whose WriteString copies
// without allocating.
type htmlWriter struct {
	w   io.Writer
	err error
}

// raw writes s, which must be markup of this file.
func (h *htmlWriter) raw(s string) {
	if h.err == nil {
		_, h.err = io.WriteString(h.w, s)
	}
}

// text writes s escaped as html.EscapeString (and so templ) escapes text
// and attribute values (& < > ' "), segment by segment into w rather than
// into a new string.
func (h *htmlWriter) text(s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if esc := escapeOf(s[i]); esc != "" {
			h.raw(s[start:i])
			h.raw(esc)
			start = i + 1
		}
	}
	h.raw(s[start:])
}

func (h *htmlWriter) uint(n uint64) {
	var digits [20]byte
	if h.err == nil {
		_, h.err = h.w.Write(strconv.AppendUint(digits[:0], n, 10))
	}
}

func escapeOf(c byte) string {
	switch c {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '\'':
		return "&#39;"
	case '"':
		return "&#34;"
	}
	return ""
}
