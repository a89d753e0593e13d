package expenses

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/company-expenses/company-expenses/models"
)

// The demo data makes `go run .` show a believable company: a year of
// expenses in every status, with merchants and amounts that fit their
// category, and histories that follow the rules (submitted by the owner,
// approved or rejected by the owner's actual manager, reimbursed by someone
// in finance other than the owner). It is deterministic for a given random
// source and clock, so screenshots and tutorials stay the same.

// DefaultCategories are the categories of a fresh installation, in the
// order they are created. The last one, Telephone, is created deactivated:
// the demo shows old expenses that keep a retired category.
func DefaultCategories() []string {
	return []string{"Travel", "Meals", "Lodging", "Office supplies", "Software", "Training", "Mileage", "Telephone"}
}

// retiredCategory is deactivated by the demo after its old expenses exist.
const retiredCategory = "Telephone"

// EnsureCategories creates those of DefaultCategories that do not exist
// yet (compared regardless of case) and returns every category by name.
func EnsureCategories(ctx context.Context, db *gorm.DB) (map[string]models.Category, error) {
	db = db.WithContext(ctx)
	var existing []models.Category
	if err := db.Find(&existing).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	byName := map[string]models.Category{}
	lower := map[string]bool{}
	for _, c := range existing {
		byName[c.Name] = c
		lower[strings.ToLower(c.Name)] = true
	}
	for _, name := range DefaultCategories() {
		if lower[strings.ToLower(name)] {
			continue
		}
		c := models.Category{Name: name, Active: true}
		if err := db.Create(&c).Error; err != nil {
			return nil, fmt.Errorf("create category %s: %w", name, err)
		}
		byName[name] = c
	}
	return byName, nil
}

// kind is what the demo knows about one category: its weight among all
// expenses and the sorts of purchase it covers.
type kind struct {
	category string
	weight   int
	items    []item
}

// item is one sort of purchase: who sells it, what people write about it
// and what it costs, in euro cents (other currencies are converted), so
// that merchant, description and amount always fit together.
type item struct {
	merchants    []string
	descriptions []string // "%s" is replaced by a city
	minCents     int64
	maxCents     int64
	whole        bool // tickets, rooms and licences cost whole units
	abroad       bool // may happen in a city abroad
	local        bool // paid on the spot, in the city's currency
	usd          bool // often billed in US dollars
}

func catalogue() []kind {
	return []kind{
		{category: "Travel", weight: 18, items: []item{
			{merchants: []string{"Deutsche Bahn", "SNCF", "Trenitalia", "Renfe", "NS International"},
				descriptions: []string{"Train to the client workshop in %s", "Return ticket to %s, sales visit"},
				minCents:     1_900, maxCents: 24_000, whole: true},
			{merchants: []string{"Lufthansa", "KLM", "Air France", "easyJet", "SWISS"},
				descriptions: []string{"Flight to %s for the quarterly review", "Return flight to %s, customer visit"},
				minCents:     8_900, maxCents: 68_000, whole: true, abroad: true},
			{merchants: []string{"Uber", "FreeNow", "Bolt"},
				descriptions: []string{"Taxi from %s airport to the customer", "Taxi to the %s office"},
				minCents:     1_200, maxCents: 8_500, abroad: true, local: true},
		}},
		{category: "Meals", weight: 22, items: []item{
			{merchants: []string{"Pret A Manger", "Le Pain Quotidien", "Starbucks"},
				descriptions: []string{"Breakfast at %s station", "Coffee with a candidate in %s"},
				minCents:     450, maxCents: 2_200, abroad: true, local: true},
			{merchants: []string{"Vapiano", "Wagamama", "Trattoria Roma", "Brasserie du Port"},
				descriptions: []string{"Lunch with a customer in %s", "Working lunch with the partner team in %s"},
				minCents:     1_800, maxCents: 9_500, abroad: true, local: true},
			{merchants: []string{"Trattoria Roma", "Brasserie du Port", "Zur Letzten Instanz"},
				descriptions: []string{"Team dinner in %s after the release", "Dinner with the customer's architects in %s"},
				minCents:     6_000, maxCents: 38_000, abroad: true, local: true},
		}},
		{category: "Lodging", weight: 10, items: []item{
			{merchants: []string{"Motel One", "Ibis", "Premier Inn", "Scandic"},
				descriptions: []string{"One night in %s after a late meeting", "Hotel near the %s office, one night"},
				minCents:     7_900, maxCents: 19_000, whole: true, abroad: true, local: true},
			{merchants: []string{"NH Hotels", "Marriott", "Hilton", "Novotel"},
				descriptions: []string{"Two nights in %s for the partner summit", "Three nights in %s, onboarding a customer"},
				minCents:     19_000, maxCents: 72_000, whole: true, abroad: true, local: true},
		}},
		{category: "Office supplies", weight: 12, items: []item{
			{merchants: []string{"Staples", "Viking Direct", "Bureau Vallee"},
				descriptions: []string{"Notebooks and pens for the team", "Printer paper and toner", "Whiteboard markers and sticky notes"},
				minCents:     450, maxCents: 6_000},
			{merchants: []string{"Amazon Business", "IKEA"},
				descriptions: []string{"USB-C hub and cables", "Ergonomic keyboard", "Monitor stand", "Desk lamp for the home office"},
				minCents:     1_500, maxCents: 18_000},
		}},
		{category: "Software", weight: 8, items: []item{
			{merchants: []string{"GitHub", "Figma", "Notion Labs", "1Password"},
				descriptions: []string{"Monthly subscription", "Monthly team plan, 5 seats"},
				minCents:     400, maxCents: 9_000, usd: true},
			{merchants: []string{"JetBrains", "Adobe", "Atlassian"},
				descriptions: []string{"Annual licence", "Upgrade to the pro plan, one year"},
				minCents:     9_900, maxCents: 65_000, whole: true, usd: true},
		}},
		{category: "Training", weight: 6, items: []item{
			{merchants: []string{"GopherCon EU", "QCon London", "KubeCon Europe"},
				descriptions: []string{"Conference ticket", "Conference ticket, early bird"},
				minCents:     29_900, maxCents: 150_000, whole: true},
			{merchants: []string{"Coursera", "Udemy", "Pluralsight"},
				descriptions: []string{"Online course: distributed systems", "Online course: PostgreSQL performance"},
				minCents:     1_500, maxCents: 24_000},
			{merchants: []string{"O'Reilly Media", "Manning Publications"},
				descriptions: []string{"Book: Designing Data-Intensive Applications", "Book: The Go Programming Language"},
				minCents:     2_500, maxCents: 6_500},
		}},
		{category: "Mileage", weight: 8, items: []item{
			{merchants: []string{"Own car"}, descriptions: []string{"Client visit in %s"}},
		}},
		{category: "Telephone", weight: 5, items: []item{
			{merchants: []string{"Vodafone", "Orange", "T-Mobile", "Telefonica"},
				descriptions: []string{"Mobile phone bill", "Roaming charges", "Home internet, pro rata"},
				minCents:     1_500, maxCents: 9_000},
		}},
	}
}

// city is a place expenses happen, with its currency.
type city struct {
	name     string
	currency string
}

func homeCities() []city {
	return []city{{"Lyon", "EUR"}, {"Munich", "EUR"}, {"Milan", "EUR"}, {"Barcelona", "EUR"}, {"Utrecht", "EUR"}, {"Vienna", "EUR"}}
}

func abroadCities() []city {
	return []city{{"London", "GBP"}, {"London", "GBP"}, {"Zurich", "CHF"}, {"Stockholm", "SEK"}, {"New York", "USD"}, {"Tokyo", "JPY"}}
}

// fromEuroCents converts a euro amount into another currency's minor units
// at a rough, fixed rate: believable is enough for a demo.
func fromEuroCents(cents int64, currency string) int64 {
	switch currency {
	case "GBP":
		return cents * 85 / 100
	case "CHF":
		return cents * 95 / 100
	case "SEK":
		return cents * 1150 / 100
	case "USD":
		return cents * 108 / 100
	case "JPY":
		return cents * 160 / 100 // yen have no minor unit: 1 EUR ≈ 160 JPY
	}
	return cents
}

// rejectionComments are what a manager writes when sending an expense of
// the given category back.
func rejectionComments(category string) []string {
	cs := []string{
		"Please attach the receipt: we cannot reimburse without one.",
		"This looks like a duplicate of an expense you submitted last week.",
		"The date on the receipt does not match the expense date.",
	}
	switch category {
	case "Meals":
		cs = append(cs, "Alcohol is not reimbursable under the travel policy. Please take it off and resubmit.",
			"Over the meal limit of €60 per person. Please split the bill or explain.")
	case "Travel":
		cs = append(cs, "Business class needs prior approval. Please add the approval e-mail to the description.")
	case "Software":
		cs = append(cs, "We have a company licence for this; please check with IT before buying your own.")
	}
	return cs
}

func approvalComments() []string {
	return []string{"Thanks!", "OK, within budget.", "Approved. Thanks for the clear description.", "Fine by me."}
}

// person is an employee as the demo needs them.
type person struct {
	models.Employee
	approver uint // the manager who decides their expenses; 0 if nobody can
}

// demo holds the state of one SeedDemo run.
type demo struct {
	rng        *rand.Rand
	now        time.Time
	categories map[string]models.Category
	kinds      []kind
	finance    []uint // user ids of active finance people
	expenses   []models.Expense
	events     [][]models.ExpenseEvent // per expense
	receipts   []*models.Receipt       // per expense, nil for none
}

// SeedDemo creates the default categories and about a year of expenses for
// employees (nil: every employee in the database), ending at now: a few
// hundred expenses in every status with consistent histories and PDF
// receipts. Every claimant who has a manager gets at least one expense in
// each status; people without a manager only have drafts, as the workflow
// demands. The result depends only on rng, employees and now.
//
// It adds expenses every time it runs: call it on an empty database.
func SeedDemo(ctx context.Context, db *gorm.DB, rng *rand.Rand, employees []models.Employee, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cats, err := EnsureCategories(ctx, tx)
		if err != nil {
			return err
		}
		people, err := loadPeople(tx, employees)
		if err != nil {
			return err
		}
		d := &demo{rng: rng, now: now.UTC(), categories: cats, kinds: catalogue()}
		for _, p := range people {
			if p.User.Active && p.User.HasRole(models.RoleFinance) {
				d.finance = append(d.finance, p.UserID)
			}
		}
		for _, p := range people {
			if p.User.HasRole(models.RoleEmployee) {
				d.claimsOf(p)
			}
		}
		if err := d.save(tx); err != nil {
			return err
		}
		if c, ok := cats[retiredCategory]; ok {
			if err := tx.Model(&c).Update("active", false).Error; err != nil {
				return fmt.Errorf("retire category %s: %w", retiredCategory, err)
			}
		}
		return nil
	})
}

// loadPeople reads the employees afresh with their roles (the caller's
// copies may lack them), in id order so that the output is deterministic,
// and works out who approves whose expenses.
func loadPeople(tx *gorm.DB, employees []models.Employee) ([]person, error) {
	q := tx.Preload("User.Roles").Order("user_id")
	if employees != nil {
		ids := make([]uint, len(employees))
		for i, e := range employees {
			ids[i] = e.UserID
		}
		q = q.Where("user_id IN ?", ids)
	}
	var all []models.Employee
	if err := q.Find(&all).Error; err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	var managers []models.Employee
	if err := tx.Preload("User.Roles").Where("user_id IN (?)", tx.Model(&models.Employee{}).
		Select("manager_id").Where("manager_id IS NOT NULL")).Find(&managers).Error; err != nil {
		return nil, fmt.Errorf("load managers: %w", err)
	}
	isManager := map[uint]bool{}
	for _, m := range managers {
		isManager[m.UserID] = m.User.HasRole(models.RoleManager)
	}
	people := make([]person, len(all))
	for i, e := range all {
		people[i] = person{Employee: e}
		if e.ManagerID != nil && *e.ManagerID != e.UserID && isManager[*e.ManagerID] {
			people[i].approver = *e.ManagerID
		}
	}
	return people, nil
}

// claimsOf generates one person's expenses over the past year: two to four a
// month, then whatever is missing for every status to show up.
func (d *demo) claimsOf(p person) {
	if p.approver == 0 {
		// Nobody could approve them: a couple of drafts is all they can have.
		for i := range 2 {
			d.add(p, d.now.AddDate(0, 0, -3-7*i), fateDraft, false)
		}
		return
	}
	first := d.now.AddDate(-1, 0, 1)
	if !p.User.Active {
		// They left half a year ago; their claims were all settled.
		first = d.now.AddDate(-1, 0, 0)
	}
	seen := map[models.Status]bool{}
	for day := first; !day.After(d.now); day = day.AddDate(0, 0, 1) {
		if !p.User.Active && day.After(d.now.AddDate(0, -6, 0)) {
			break
		}
		// About three expenses a month, on working days.
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || d.rng.IntN(7) != 0 {
			continue
		}
		seen[d.add(p, day, d.randomFate(), false)] = true
	}
	if !p.User.Active {
		return
	}
	for _, f := range []fate{fateDraft, fateSubmitted, fateApproved, fateRejected, fateReimbursed} {
		if !seen[f.status()] {
			d.add(p, d.now.AddDate(0, 0, -f.forcedAge()), f, true)
		}
	}
}

// fate is how an expense's story ends, unless the clock stops it first.
type fate int

const (
	fateDraft fate = iota
	fateSubmitted
	fateApproved
	fateRejected
	fateRejectedThenFixed
	fateReimbursed
)

func (f fate) status() models.Status {
	switch f {
	case fateDraft:
		return models.StatusDraft
	case fateSubmitted:
		return models.StatusSubmitted
	case fateApproved:
		return models.StatusApproved
	case fateRejected:
		return models.StatusRejected
	}
	return models.StatusReimbursed
}

// forcedAge is how many days ago an expense forced into this fate was
// spent, leaving just enough time for its story with fixed delays.
func (f fate) forcedAge() int {
	switch f {
	case fateDraft:
		return 1
	case fateSubmitted:
		return 3
	case fateApproved, fateRejected:
		return 6
	}
	return 14
}

func (d *demo) randomFate() fate {
	switch r := d.rng.IntN(100); {
	case r < 3:
		return fateDraft // forgotten
	case r < 9:
		return fateRejected
	case r < 13:
		return fateRejectedThenFixed
	}
	return fateReimbursed
}

// timeline is the moments of one expense's story.
type timeline struct {
	created, submitted, decided, fixed, resubmitted, approved, paid time.Time
}

func (d *demo) hours(lo, hi int) time.Duration {
	return time.Duration(lo*60+d.rng.IntN((hi-lo)*60+1)) * time.Minute
}

// plan draws the moments after spentOn, each during office hours; forced
// plans use short fixed delays so that they reach their status before now.
func (d *demo) plan(spentOn time.Time, forced bool) timeline {
	var t timeline
	if forced {
		t.created = spentOn.Add(17 * time.Hour)
		t.submitted = t.created.Add(16 * time.Hour)
		t.decided = t.submitted.Add(26 * time.Hour)
		t.fixed = t.decided.Add(22 * time.Hour)
		t.resubmitted = t.fixed.Add(10 * time.Minute)
		t.approved = t.decided
		t.paid = t.approved.Add(5 * 24 * time.Hour)
		return t
	}
	// People file expenses the same day or a little later.
	t.created = d.officeHours(spentOn.AddDate(0, 0, d.rng.IntN(3)).Add(d.hours(8, 19)))
	t.submitted = d.officeHours(t.created.Add(d.hours(0, 72)))
	t.decided = d.officeHours(t.submitted.Add(d.hours(2, 96)))
	t.fixed = d.officeHours(t.decided.Add(d.hours(4, 72)))
	t.resubmitted = t.fixed.Add(d.hours(0, 1))
	t.approved = d.officeHours(t.resubmitted.Add(d.hours(2, 48)))
	t.paid = d.officeHours(t.approved.Add(d.hours(24, 240)))
	return t
}

// officeHours moves t forward, if needed, into a weekday between 8:00 and
// 19:00 UTC. It never moves t backwards, so a timeline stays in order.
func (d *demo) officeHours(t time.Time) time.Time {
	for {
		switch {
		case t.Weekday() == time.Saturday || t.Weekday() == time.Sunday || t.Hour() >= 19:
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case t.Hour() < 8:
			return time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC).Add(d.hours(0, 2))
		default:
			return t
		}
	}
}

// add generates one expense spent on day by p, meant to end in fate, and
// returns the status it reached by now.
func (d *demo) add(p person, day time.Time, f fate, forced bool) models.Status {
	spentOn := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	k := d.pickKind(spentOn)
	// Status starts empty so that the "created" event reads "" → draft,
	// as Service.Create records it.
	e := models.Expense{EmployeeID: p.UserID, CategoryID: d.categories[k.category].ID, SpentOn: spentOn}
	d.describe(&e, k)

	t := d.plan(spentOn, forced)
	if t.created.After(d.now) {
		t.created = d.now.Add(-d.hours(1, 5))
		// Never before the day it was spent, even when seeding just after
		// midnight.
		if t.created.Before(spentOn) {
			t.created = spentOn
		}
	}
	comment := ""
	if f == fateRejected || f == fateRejectedThenFixed {
		comments := rejectionComments(k.category)
		comment = comments[d.rng.IntN(len(comments))]
	}
	missingReceipt := strings.Contains(comment, "receipt") && strings.Contains(comment, "attach")
	var receipt *models.Receipt
	if !missingReceipt && d.rng.IntN(10) < 8 {
		receipt = d.receiptFor(&e)
	}

	var evs []models.ExpenseEvent
	step := func(actor uint, at time.Time, action models.EventAction, to models.Status, comment string) bool {
		if at.After(d.now) {
			return false
		}
		evs = append(evs, models.ExpenseEvent{ActorID: actor, At: at, Action: action,
			FromStatus: e.Status, ToStatus: to, Comment: comment})
		e.Status = to
		e.UpdatedAt = at
		return true
	}
	e.CreatedAt = t.created
	step(p.UserID, t.created, models.EventCreated, models.StatusDraft, "")
	if f == fateDraft || !step(p.UserID, t.submitted, models.EventSubmitted, models.StatusSubmitted, "") {
		return d.keep(e, evs, receipt)
	}
	if f == fateSubmitted {
		return d.keep(e, evs, receipt)
	}
	if f == fateRejected || f == fateRejectedThenFixed {
		if !step(p.approver, t.decided, models.EventRejected, models.StatusRejected, comment) || f == fateRejected {
			return d.keep(e, evs, receipt)
		}
		if missingReceipt {
			receipt = d.receiptFor(&e)
			if !step(p.UserID, t.fixed, models.EventReceiptAttached, models.StatusRejected, receipt.FileName) {
				receipt = nil
				return d.keep(e, evs, receipt)
			}
		} else if !step(p.UserID, t.fixed, models.EventEdited, models.StatusRejected, "Changed description.") {
			return d.keep(e, evs, receipt)
		} else {
			e.Description += " (corrected)"
		}
		if !step(p.UserID, t.resubmitted, models.EventSubmitted, models.StatusSubmitted, "") {
			return d.keep(e, evs, receipt)
		}
	} else {
		t.approved = t.decided
	}
	approval := ""
	if d.rng.IntN(3) == 0 {
		comments := approvalComments()
		approval = comments[d.rng.IntN(len(comments))]
	}
	if !step(p.approver, t.approved, models.EventApproved, models.StatusApproved, approval) || f == fateApproved {
		return d.keep(e, evs, receipt)
	}
	if payer := d.payerFor(p.UserID); payer != 0 {
		step(payer, t.paid, models.EventReimbursed, models.StatusReimbursed, "")
	}
	return d.keep(e, evs, receipt)
}

func (d *demo) keep(e models.Expense, evs []models.ExpenseEvent, r *models.Receipt) models.Status {
	e.Version = len(evs)
	e.HasReceipt = r != nil
	if r != nil {
		r.CreatedAt = e.CreatedAt
	}
	d.expenses = append(d.expenses, e)
	d.events = append(d.events, evs)
	d.receipts = append(d.receipts, r)
	return e.Status
}

// payerFor picks someone in finance other than the claimant, or 0.
func (d *demo) payerFor(claimant uint) uint {
	var candidates []uint
	for _, f := range d.finance {
		if f != claimant {
			candidates = append(candidates, f)
		}
	}
	if len(candidates) == 0 {
		return 0
	}
	return candidates[d.rng.IntN(len(candidates))]
}

// pickKind draws a category by weight. The retired category only appears
// in the first half of the year, before it was retired.
func (d *demo) pickKind(spentOn time.Time) kind {
	retired := spentOn.After(d.now.AddDate(0, -6, 0))
	total := 0
	for _, k := range d.kinds {
		if _, ok := d.categories[k.category]; ok && !(retired && k.category == retiredCategory) {
			total += k.weight
		}
	}
	r := d.rng.IntN(total)
	for _, k := range d.kinds {
		if _, ok := d.categories[k.category]; !ok || (retired && k.category == retiredCategory) {
			continue
		}
		if r < k.weight {
			return k
		}
		r -= k.weight
	}
	return d.kinds[0]
}

// describe fills merchant, description, amount and currency.
func (d *demo) describe(e *models.Expense, k kind) {
	it := k.items[d.rng.IntN(len(k.items))]
	cs := homeCities()
	if it.abroad && d.rng.IntN(5) == 0 {
		cs = abroadCities()
	}
	c := cs[d.rng.IntN(len(cs))]
	e.Merchant = it.merchants[d.rng.IntN(len(it.merchants))]
	desc := it.descriptions[d.rng.IntN(len(it.descriptions))]
	if strings.Contains(desc, "%s") {
		desc = fmt.Sprintf(desc, c.name)
	}
	e.Currency = "EUR"
	switch {
	case it.local:
		e.Currency = c.currency
	case it.usd && d.rng.IntN(2) == 0:
		e.Currency = "USD"
	}
	if k.category == "Mileage" {
		km := 20 + d.rng.IntN(380)
		e.AmountMinor = int64(km) * 30 // €0.30 per km
		e.Description = fmt.Sprintf("%s, %d km at €0.30", desc, km)
		return
	}
	// Skewed towards the cheap end, as real receipts are.
	f := d.rng.Float64()
	cents := it.minCents + int64(f*f*float64(it.maxCents-it.minCents))
	if it.whole {
		cents = cents / 100 * 100
	}
	e.AmountMinor = max(1, fromEuroCents(cents, e.Currency))
	e.Description = desc
}

// receiptFor makes a small PDF receipt for e.
func (d *demo) receiptFor(e *models.Expense) *models.Receipt {
	data := receiptPDF(e.Merchant, e.SpentOn.Format(DateLayout), e.Description, e.Currency+" "+PlainAmount(e.AmountMinor, e.Currency))
	name := strings.ToLower(strings.NewReplacer(" ", "-", "'", "").Replace(e.Merchant)) + "-" + e.SpentOn.Format("20060102") + ".pdf"
	return &models.Receipt{FileName: name, ContentType: ContentTypePDF, Size: int64(len(data)), Data: data}
}

// save writes the generated expenses, their events and receipts in
// batches. Expenses are sorted by date so that ids grow with time, as they
// would have in real life.
func (d *demo) save(tx *gorm.DB) error {
	order := make([]int, len(d.expenses))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(d.expenses[a].CreatedAt.UnixNano(), d.expenses[b].CreatedAt.UnixNano())
	})
	exps := make([]models.Expense, len(order))
	for i, j := range order {
		exps[i] = d.expenses[j]
	}
	if len(exps) == 0 {
		return nil
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(&exps, 500).Error; err != nil {
		return fmt.Errorf("create demo expenses: %w", err)
	}
	t := totals{}
	for i := range exps {
		t.add(&exps[i], 1)
	}
	if err := t.apply(tx); err != nil {
		return err
	}
	var evs []models.ExpenseEvent
	var receipts []models.Receipt
	for i, j := range order {
		for _, ev := range d.events[j] {
			ev.ExpenseID = exps[i].ID
			evs = append(evs, ev)
		}
		if r := d.receipts[j]; r != nil {
			r.ExpenseID = exps[i].ID
			receipts = append(receipts, *r)
		}
	}
	// Events in the order they happened, so that ids follow time too.
	slices.SortStableFunc(evs, func(a, b models.ExpenseEvent) int { return a.At.Compare(b.At) })
	if err := tx.Omit(clause.Associations).CreateInBatches(&evs, 500).Error; err != nil {
		return fmt.Errorf("create demo history: %w", err)
	}
	if len(receipts) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(&receipts, 100).Error; err != nil {
			return fmt.Errorf("create demo receipts: %w", err)
		}
	}
	return nil
}

// receiptPDF writes a one-page PDF with the lines of a shop receipt. The
// text is limited to ASCII, which the standard Helvetica font can show
// without embedding anything.
func receiptPDF(merchant, date, description, total string) []byte {
	esc := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if r < 32 || r > 126 {
				return '?'
			}
			return r
		}, s)
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
	}
	content := fmt.Sprintf("BT /F1 16 Tf 24 340 Td (%s) Tj /F1 10 Tf 0 -28 Td (Receipt  %s) Tj 0 -20 Td (%s) Tj 0 -32 Td /F1 13 Tf (Total  %s) Tj /F1 9 Tf 0 -40 Td (Thank you for your visit.) Tj ET",
		esc(merchant), esc(date), esc(description), esc(total))
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 400] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return []byte(b.String())
}
