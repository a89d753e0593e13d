package expenses_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

func TestValidateRefusesEachKindOfBadInputOnItsField(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	cases := []struct {
		name  string
		edit  func(d *expenses.Draft)
		field string
		want  string
	}{
		{"negative amount", func(d *expenses.Draft) { d.Amount = "-12.00" }, "amount", "more than zero"},
		{"zero amount", func(d *expenses.Draft) { d.Amount = "0" }, "amount", "more than zero"},
		{"non-numeric amount", func(d *expenses.Draft) { d.Amount = "12 euros" }, "amount", "as a number"},
		{"absurd amount", func(d *expenses.Draft) { d.Amount = "25,000,000" }, "amount", "cannot be more than"},
		{"too many decimals", func(d *expenses.Draft) { d.Amount = "1.234" }, "amount", "at most 2 decimals"},
		{"unsupported currency", func(d *expenses.Draft) { d.Currency = "BTC" }, "currency", "supported currencies"},
		{"missing date", func(d *expenses.Draft) { d.SpentOn = "" }, "spent_on", "Enter the date"},
		{"malformed date", func(d *expenses.Draft) { d.SpentOn = "10/03/2026" }, "spent_on", "YYYY-MM-DD"},
		{"over-long date", func(d *expenses.Draft) { d.SpentOn = strings.Repeat("2", 5000) }, "spent_on", "YYYY-MM-DD"},
		{"future date", func(d *expenses.Draft) { d.SpentOn = "2026-03-17" }, "spent_on", "cannot be in the future"},
		{"too old", func(d *expenses.Draft) { d.SpentOn = "2024-03-14" }, "spent_on", "older than 2 years"},
		{"no category", func(d *expenses.Draft) { d.CategoryID = "" }, "category_id", "Choose a category."},
		{"unknown category", func(d *expenses.Draft) { d.CategoryID = "9999" }, "category_id", "Choose one of the categories."},
		{"garbage category", func(d *expenses.Draft) { d.CategoryID = "1 OR 1=1" }, "category_id", "Choose one of the categories."},
		{"deactivated category", func(d *expenses.Draft) { d.CategoryID = itoa(e.c.Telephone.ID) }, "category_id", "“Telephone” is no longer in use"},
		{"empty merchant", func(d *expenses.Draft) { d.Merchant = "   " }, "merchant", "Enter the merchant"},
		{"over-long merchant", func(d *expenses.Draft) { d.Merchant = strings.Repeat("m", 201) }, "merchant", "at most 200 characters long (this one has 201)"},
		{"over-long description", func(d *expenses.Draft) { d.Description = strings.Repeat("d", 2001) }, "description", "at most 2000 characters"},
		{"NUL in merchant", func(d *expenses.Draft) { d.Merchant = "Shop\x00" }, "merchant", "control characters"},
		{"invalid UTF-8", func(d *expenses.Draft) { d.Description = "caf\xe9" }, "description", "not text"},
		{"executable receipt", func(d *expenses.Draft) { d.Receipt = &expenses.Upload{Name: "r.png", Data: exeBytes()} }, "receipt", "is a program"},
	}
	for _, tc := range cases {
		d := e.draft()
		tc.edit(&d)
		_, err := e.svc.Validate(e.ctx, d, nil)
		var fe expenses.FieldErrors
		errors.As(err, &fe)
		if !strings.Contains(fe[tc.field], tc.want) {
			t.Errorf("%s: %s = %q, want it to contain %q (all: %v)", tc.name, tc.field, fe[tc.field], tc.want, fe)
		}
		if len(fe) != 1 {
			t.Errorf("%s: errors on other fields too: %v", tc.name, fe)
		}
	}
}

func TestValidateAcceptsAGoodDraftAndReturnsItsValues(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	d := e.draft()
	d.Merchant, d.Description, d.Currency = "  Deutsche Bahn ", "Line one\nLine two\twith a tab", "eur"
	f, err := e.svc.Validate(e.ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Merchant != "Deutsche Bahn" || f.Currency != "EUR" || f.AmountMinor != 1250 || f.CategoryID != e.c.Travel.ID || !f.SpentOn.Equal(day(2026, 3, 10)) {
		t.Errorf("fields %+v", f)
	}
}

func TestValidateAllowsTomorrowForPeopleAheadInTimeAndTwoYearsBack(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	for _, date := range []string{"2026-03-16", "2024-03-15", "2026-03-15"} {
		d := e.draft()
		d.SpentOn = date
		if _, err := e.svc.Validate(e.ctx, d, nil); err != nil {
			t.Errorf("%s: %v", date, err)
		}
	}
}

func TestValidateLetsAnExpenseKeepItsDeactivatedCategory(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	d := e.draft()
	d.CategoryID = itoa(e.c.Telephone.ID)
	current := &models.Expense{CategoryID: e.c.Telephone.ID}
	if _, err := e.svc.Validate(e.ctx, d, current); err != nil {
		t.Errorf("keeping the category: %v", err)
	}
}
