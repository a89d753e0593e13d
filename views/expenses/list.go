package expenses

import (
	"strconv"

	domain "github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
)

// ListPage is the expense list: scope tabs, filters, one page of results.
// Every link it makes (tabs, sort headers, pages, the CSV export) carries
// the current filter, so what you see is what you bookmark and export.
type ListPage struct {
	// Filter is the normalized filter that produced Rows.
	Filter domain.Filter
	// Scopes are the tabs the viewer may open, in order.
	Scopes     []domain.Scope
	Categories []Option
	Rows       []Row
	Total      int64
	TotalPages int
	// TotalIsLowerBound is set when the list stopped counting (over
	// expenses.CountLimit matches): Total then reads "10,000+" and
	// TotalPages is the last page known to exist, not the last page.
	TotalIsLowerBound bool
	CanCreate         bool
}

// Tab is one scope tab.
type Tab struct {
	Label  string
	URL    string
	Active bool
	Scope  domain.Scope
}

// ScopeLabel names a scope on its tab.
func ScopeLabel(s domain.Scope) string {
	switch s {
	case domain.ScopeTeam:
		return "My team"
	case domain.ScopeAll:
		return "Everyone"
	}
	return "Mine"
}

// Tabs returns the scope tabs, each keeping the other filters.
func (l ListPage) Tabs() []Tab {
	tabs := make([]Tab, 0, len(l.Scopes))
	for _, s := range l.Scopes {
		f := l.Filter
		f.Scope, f.Page = s, 1
		tabs = append(tabs, Tab{Label: ScopeLabel(s), URL: expensepaths.ExpensesQuery(f.Query()), Active: s == l.Filter.Scope, Scope: s})
	}
	return tabs
}

// ShowEmployee reports whether the list has a column for the claimant: not
// needed when everything is the viewer's own.
func (l ListPage) ShowEmployee() bool { return l.Filter.Scope != domain.ScopeMine }

// Filtered reports whether anything narrows the list besides the scope.
func (l ListPage) Filtered() bool {
	f := l.Filter
	return f.Status != "" || f.CategoryID != 0 || !f.From.IsZero() || !f.To.IsZero() || f.Text != ""
}

// ClearURL is the list in the same scope without filters.
func (l ListPage) ClearURL() string {
	return expensepaths.ExpensesQuery(domain.Filter{Scope: l.Filter.Scope}.Query())
}

// ExportURL downloads exactly this list (all its pages) as CSV.
func (l ListPage) ExportURL() string {
	f := l.Filter
	f.Page = 1
	return expensepaths.ExpensesExportQuery(f.Query())
}

// PageURL is page n of this list.
func (l ListPage) PageURL(n int) string {
	return expensepaths.ExpensesQuery(l.Filter.WithPage(n).Query())
}

// Column is a header of the results table.
type Column struct {
	Label string
	// Sort is empty for columns that cannot be sorted.
	Sort    domain.Sort
	URL     string
	Current bool
	Desc    bool
	Num     bool
}

// AriaSort is the header's aria-sort value.
func (c Column) AriaSort() string {
	switch {
	case !c.Current:
		return ""
	case c.Desc:
		return "descending"
	}
	return "ascending"
}

// Columns returns the table's headers, with the links that sort by them.
func (l ListPage) Columns() []Column {
	col := func(label string, s domain.Sort, num bool) Column {
		c := Column{Label: label, Sort: s, Num: num}
		if s != "" {
			c.URL = expensepaths.ExpensesQuery(l.Filter.SortedBy(s).Query())
			c.Current = l.Filter.Sort == s
			c.Desc = l.Filter.Desc
		}
		return c
	}
	cols := []Column{col("Date", domain.SortDate, false)}
	if l.ShowEmployee() {
		cols = append(cols, col("Claimed by", "", false))
	}
	return append(cols,
		col("Merchant", domain.SortMerchant, false),
		col("Category", "", false),
		col("Amount", domain.SortAmount, true),
		col("Status", domain.SortStatus, false),
	)
}

// Summary says which rows are shown: "26–50 of 1,234 expenses".
func (l ListPage) Summary() string {
	if l.Total == 0 {
		return "No expenses"
	}
	first := int64((l.Filter.Page-1)*l.Filter.PerPage) + 1
	last := min(first+int64(len(l.Rows))-1, l.Total)
	if first == 1 && last == l.Total {
		return CountLabel(l.Total, "expense", "expenses")
	}
	if l.TotalIsLowerBound {
		return Number(first) + "–" + Number(last) + " of " + Number(l.Total) + "+ expenses"
	}
	return Number(first) + "–" + Number(last) + " of " + CountLabel(l.Total, "expense", "expenses")
}

// PageOf says where the page stands: "Page 3 of 17", or "Page 3" when the
// list stopped counting.
func (l ListPage) PageOf() string {
	if l.TotalIsLowerBound {
		return "Page " + strconv.Itoa(l.Filter.Page)
	}
	return "Page " + strconv.Itoa(l.Filter.Page) + " of " + strconv.Itoa(l.TotalPages)
}

// FormValue returns the value of a filter field for the form.
func (l ListPage) FormValue(name string) string {
	f := l.Filter
	switch name {
	case "status":
		return string(f.Status)
	case "category":
		if f.CategoryID == 0 {
			return ""
		}
		return strconv.FormatUint(uint64(f.CategoryID), 10)
	case "from":
		if f.From.IsZero() {
			return ""
		}
		return f.From.Format(domain.DateLayout)
	case "to":
		if f.To.IsZero() {
			return ""
		}
		return f.To.Format(domain.DateLayout)
	case "q":
		return f.Text
	case "sort":
		return string(f.Sort)
	case "dir":
		if f.Desc {
			return "desc"
		}
		return "asc"
	case "per_page":
		if f.PerPage == domain.DefaultPerPage {
			return ""
		}
		return strconv.Itoa(f.PerPage)
	}
	return ""
}

// PageLinks returns the page numbers to link to around the current page,
// with 0 for a gap: 1 … 4 5 6 … 40.
func (l ListPage) PageLinks() []int {
	links := pageWindow(l.Filter.Page, l.TotalPages)
	if l.TotalIsLowerBound && len(links) > 0 && links[len(links)-1] == l.TotalPages && l.TotalPages > l.Filter.Page+2 {
		// The last page is unknown: end with a gap, not a "last" link.
		links = links[:len(links)-1]
		if links[len(links)-1] != 0 {
			links = append(links, 0)
		}
	}
	return links
}

func pageWindow(cur, total int) []int {
	if total <= 1 {
		return nil
	}
	// The first page, the two either side of the current one and the
	// last, with 0 for each gap: built from those few numbers, never by
	// walking every page (a list of everyone's expenses has thousands).
	out := make([]int, 0, 9)
	last := 0
	add := func(n int) {
		if n <= last || n < 1 || n > total {
			return
		}
		if last != 0 && n != last+1 {
			out = append(out, 0)
		}
		out = append(out, n)
		last = n
	}
	add(1)
	for n := cur - 2; n <= cur+2; n++ {
		add(n)
	}
	add(total)
	return out
}

// EmptyMessage explains an empty list and what to do about it.
func (l ListPage) EmptyMessage() string {
	switch {
	case l.Filtered():
		return "No expenses match these filters. Try a wider date range or clear the filters."
	case l.Filter.Scope == domain.ScopeTeam:
		return "Nobody in your team has submitted an expense yet. Drafts stay private until they are submitted."
	case l.Filter.Scope == domain.ScopeAll:
		return "There are no expenses you can see yet."
	case l.CanCreate:
		return "You have not claimed any expenses yet. Keep your receipt, then add the expense here and submit it for approval."
	}
	return "You have no expenses."
}
