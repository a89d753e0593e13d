package expenses_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/company-expenses/company-expenses/app/expenses"
)

// FuzzValidateDraft feeds the expense form's fields, as typed, to Validate
// (what the expense form's handler calls): it never panics, every refusal is
// a message for the user, and what it accepts is sane: the date is the day
// typed (YYYY-MM-DD, midnight UTC, not in the future, not older than
// MaxAgeYears), the amount is the one ParseAmount reads, and the texts are
// valid UTF-8 without control characters. The clock is fixed (testNow), so
// a seed that is valid today stays valid.
// Seeds: testdata/fuzz/FuzzValidateDraft.
func FuzzValidateDraft(f *testing.F) {
	e := sqliteEnv(f)
	travel := strconv.FormatUint(uint64(e.c.Travel.ID), 10)
	telephone := strconv.FormatUint(uint64(e.c.Telephone.ID), 10)
	for _, d := range []struct{ date, amount, cur, merchant, cat string }{
		{"2026-03-14", "12.50", "EUR", "Deutsche Bahn", travel},
		{"2026-03-16", "1", "JPY", "Tomorrow Inc", travel},
		{"2026-03-17", "1", "EUR", "Future", travel},
		{"2024-03-15", "1", "EUR", "Two years ago", travel},
		{"2024-03-14", "1", "EUR", "Too old", travel},
		{"2026-02-29", "1", "EUR", "Not a leap year", travel},
		{"2024-02-29", "1", "EUR", "Leap day", travel},
		{"2026-3-5", "1", "EUR", "Short date", travel},
		{" 2026-03-01 ", "1", "EUR", "Spaces", travel},
		{"2026-03-01T00:00:00Z", "1", "EUR", "RFC 3339", travel},
		{"+2026-03-01", "1", "EUR", "Sign", travel},
		{"0000-01-01", "1", "EUR", "Year zero", travel},
		{"2026-03-01", "1", "EUR", "Inactive", telephone},
		{"2026-03-01", "1", "EUR", "Bad\x00merchant", travel},
		{"2026-03-01", "1", "EUR", "\xff\xfe", "0"},
		{"2026-03-01", "1", "EUR", "=cmd|' /C calc'!A0", "4294967296"},
	} {
		f.Add(d.date, d.amount, d.cur, d.merchant, "A description", d.cat)
	}
	today := testNow().UTC().Truncate(24 * time.Hour)
	f.Fuzz(func(t *testing.T, date, amount, currency, merchant, description, category string) {
		fields, err := e.svc.Validate(e.ctx, expenses.Draft{SpentOn: date, Amount: amount, Currency: currency,
			Merchant: merchant, Description: description, CategoryID: category}, nil)
		var fe expenses.FieldErrors
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("Validate failed with %v, want field messages", err)
		}
		for k, msg := range fe {
			if msg == "" || !utf8.ValidString(msg) {
				t.Fatalf("field %s has an empty or broken message %q", k, msg)
			}
		}
		if _, bad := fe["spent_on"]; !bad {
			d := fields.SpentOn
			if d.Location() != time.UTC || d.Hour()+d.Minute()+d.Second()+d.Nanosecond() != 0 {
				t.Fatalf("date %q read as %v, not midnight UTC", date, d)
			}
			if d.Format(expenses.DateLayout) != strings.TrimSpace(date) {
				t.Fatalf("date %q read as another day, %s", date, d.Format(expenses.DateLayout))
			}
			if d.After(today.AddDate(0, 0, 1)) || d.Before(today.AddDate(-expenses.MaxAgeYears, 0, 0)) {
				t.Fatalf("date %q accepted outside the allowed range", date)
			}
		}
		if _, bad := fe["amount"]; !bad && fe["currency"] == "" {
			want, perr := expenses.ParseAmount(amount, fields.Currency)
			if perr != nil || want != fields.AmountMinor {
				t.Fatalf("amount %q read as %d, ParseAmount says %d, %v", amount, fields.AmountMinor, want, perr)
			}
		}
		for name, s := range map[string]string{"merchant": fields.Merchant, "description": fields.Description} {
			if fe[name] != "" {
				continue
			}
			if !utf8.ValidString(s) {
				t.Fatalf("%s %q accepted with invalid UTF-8", name, s)
			}
			for _, r := range s {
				if unicode.IsControl(r) && (name == "merchant" || !strings.ContainsRune("\n\r\t", r)) {
					t.Fatalf("%s %q accepted with control character %U", name, s, r)
				}
			}
		}
		if fe["category_id"] == "" && fields.CategoryID != e.c.Travel.ID && fields.CategoryID != e.c.Meals.ID {
			t.Fatalf("category %q accepted as %d, which is not an active category", category, fields.CategoryID)
		}
	})
}
