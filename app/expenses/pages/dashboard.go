package pages

import (
	"cmp"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/expenses/expensepaths"
	"github.com/company-expenses/company-expenses/app/expenses/policy"
	"github.com/company-expenses/company-expenses/app/paths"
	templatepolicy "github.com/company-expenses/company-expenses/app/policy"
	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
	homeviews "github.com/company-expenses/company-expenses/views/home"
)

// The dashboard's sizes.
const (
	chartMonths     = 12
	activityShown   = 8
	oldestApprovals = 5
)

// home is the dashboard. Every figure is an aggregate query of the
// expenses service, so the page costs the same at 100 or 100,000 expenses.
func (a *Handlers) home(c echo.Context) error {
	// The badge's count and the chart both read the manager's team: it is
	// compared with the employees table once.
	ctx := expenses.SyncTeamsOnce(c.Request().Context())
	c.SetRequest(c.Request().WithContext(ctx))
	v := a.viewer(c)
	d := homeviews.Dashboard{
		CanCreate: policy.Can(v, policy.CreateExpense, nil),
		DraftsURL: statusListURL(models.StatusDraft),
	}

	totals, err := a.expenses.TotalsByStatus(ctx, v, expenses.ScopeMine)
	if err != nil {
		return err
	}
	d.Totals = statusCards(totals)

	events, err := a.expenses.RecentActivity(ctx, v, activityShown)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, ev := range events {
		d.Activity = append(d.Activity, activityOf(v, ev, now))
	}

	if policy.Can(v, policy.ViewApprovals, nil) {
		oldest, err := a.expenses.OldestAwaitingApproval(ctx, v, oldestApprovals)
		if err != nil {
			return err
		}
		waiting, _, err := a.pendingCounts(c, v) // the menu's badge: the same number
		if err != nil {
			return err
		}
		p := &homeviews.ApprovalsPanel{Count: waiting, URL: expensepaths.Approvals}
		for i := range oldest {
			p.Oldest = append(p.Oldest, expenseviews.RowOf(&oldest[i]))
		}
		d.Approvals = p
	}

	if policy.Can(v, policy.ViewReimbursements, nil) {
		awaiting, err := a.expenses.AwaitingReimbursement(ctx, v)
		if err != nil {
			return a.domainError(c, err)
		}
		_, payable, err := a.pendingCounts(c, v)
		if err != nil {
			return err
		}
		p := &homeviews.ReimbursementsPanel{URL: expensepaths.Reimbursements, Payable: payable}
		for _, t := range awaiting {
			p.Count += t.Count
			p.Amounts = append(p.Amounts, expenses.FormatAmount(t.SumMinor, t.Currency))
		}
		d.Reimbursements = p
	}

	if templatepolicy.Can(v, templatepolicy.ManageUsers) {
		n, err := a.people.CountNeedingManager(ctx)
		if err != nil {
			return err
		}
		d.NeedsManager = int(n)
	}

	chart, err := a.expenses.MonthlyChart(ctx, v, expenses.ScopeAll, chartMonths, c.QueryParam("currency"))
	if err != nil {
		return err
	}
	d.Chart = chartPanel(v, chart, a.expenses.MonthLabels(chartMonths))

	return a.render(c, 200, homeviews.Page(a.page(c, "Dashboard"), d))
}

// statusListURL lists the viewer's own expenses in one status.
func statusListURL(s models.Status) string {
	return expensepaths.ExpensesFiltered(expenses.Filter{Scope: expenses.ScopeMine, Status: s}.Values())
}

// statusCards turns the totals per status and currency into one card per
// status, in workflow order, statuses without expenses included.
func statusCards(totals []expenses.StatusTotal) []homeviews.StatusCard {
	cards := make([]homeviews.StatusCard, len(models.AllStatuses()))
	for i, s := range models.AllStatuses() {
		cards[i] = homeviews.StatusCard{Status: s, URL: statusListURL(s)}
		var mine []expenses.StatusTotal
		for _, t := range totals {
			if t.Status == s {
				mine = append(mine, t)
				cards[i].Count += t.Count
			}
		}
		// The currency used most comes first, in large type.
		slices.SortStableFunc(mine, func(a, b expenses.StatusTotal) int { return cmp.Compare(b.Count, a.Count) })
		for _, t := range mine {
			cards[i].Amounts = append(cards[i].Amounts, expenses.FormatAmount(t.SumMinor, t.Currency))
		}
	}
	return cards
}

// activityVerbs say what an event did, in a sentence "<who> <verb> <expense>".
var activityVerbs = map[models.EventAction]string{
	models.EventCreated:         "created",
	models.EventEdited:          "edited",
	models.EventReceiptAttached: "attached a receipt to",
	models.EventSubmitted:       "submitted",
	models.EventApproved:        "approved",
	models.EventRejected:        "rejected",
	models.EventReimbursed:      "reimbursed",
}

func activityOf(v *models.Employee, ev models.ExpenseEvent, now time.Time) homeviews.Activity {
	act := homeviews.Activity{
		Who:        ev.Actor.DisplayName(),
		What:       cmp.Or(activityVerbs[ev.Action], string(ev.Action)),
		Expense:    ev.Expense.Merchant + " · " + amountOf(&ev.Expense),
		ExpenseURL: expensepaths.Expense(ev.ExpenseID),
		When:       expenseviews.Ago(ev.At, now),
		Comment:    ev.Comment,
		Action:     ev.Action,
	}
	if ev.ActorID == v.UserID {
		act.Who = "You"
	}
	if ev.Expense.EmployeeID != ev.ActorID && ev.Expense.EmployeeID != v.UserID {
		act.Owner = ev.Expense.Employee.DisplayName()
	}
	if ev.Action == models.EventEdited || ev.Action == models.EventReceiptAttached {
		act.Comment = "" // "Changed amount." and file names add nothing here
	}
	return act
}

// chartPanel builds the monthly chart in the chart's currency, with links
// to the other currencies.
func chartPanel(v *models.Employee, chart expenses.MonthlyChart, months []string) homeviews.ChartPanel {
	currency := chart.Currency
	in := homeviews.ChartInput{Months: months, Currency: currency}
	in.Points = make([]homeviews.Point, len(chart.Totals))
	for i, m := range chart.Totals {
		in.Points[i] = homeviews.Point{Month: m.Month, Category: m.Category, Minor: m.SumMinor}
	}
	p := homeviews.ChartPanel{Chart: homeviews.BuildChart(in)}
	switch {
	case policy.Can(v, policy.ViewAllExpenses, nil):
		p.Title = "Company spending by month"
	case policy.Can(v, policy.ViewTeamExpenses, nil):
		p.Title = "You and your team, by month"
	default:
		p.Title = "Your spending by month"
	}
	p.Title += " (" + currency + ")"
	p.Description = "Stacked bars of the expenses claimed in each of the last twelve months " +
		"(submitted, approved or reimbursed), one colour per category, in " + currency + "."
	if len(chart.Currencies) > 1 {
		for _, cur := range chart.Currencies {
			p.Currencies = append(p.Currencies, homeviews.CurrencyLink{
				Code: cur.Currency, URL: paths.Home + "?" + url.Values{"currency": {cur.Currency}}.Encode(), Current: cur.Currency == currency,
			})
		}
	}
	return p
}
