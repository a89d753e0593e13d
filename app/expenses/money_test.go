package expenses_test

import (
	"errors"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses"
)

func TestParseAmountAcceptsDotDecimalsAndCommaThousands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, cur string
		want    int64
	}{
		{"12.50", "EUR", 1250},
		{"12.5", "EUR", 1250},
		{"12", "USD", 1200},
		{" 1234.56 ", "GBP", 123456},
		{"1,234.56", "CHF", 123456},
		{"123,456", "JPY", 123456},
		{"0.01", "SEK", 1},
		{"007.10", "EUR", 710},
		{"1200", "JPY", 1200},
		{"1,000,000.00", "EUR", 100_000_000},
		{"1000000", "JPY", 1_000_000},
	}
	for _, tc := range cases {
		got, err := expenses.ParseAmount(tc.in, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", tc.in, tc.cur, got, err, tc.want)
		}
	}
}

// A minus sign does not make garbage a negative number: "-12,3x" is told
// it is not a number, not that it must be more than zero (UI review).
func TestParseAmountSaysNotANumberWhenAMinusSignPrecedesSomethingThatDoesNotParse(t *testing.T) {
	t.Parallel()
	const notANumber = "Enter the amount as a number, for example 1,234.56."
	for _, in := range []string{"-12,3x", "-abc", "--5", "-", "- 5x", "-12.3.4"} {
		_, err := expenses.ParseAmount(in, "EUR")
		var fe expenses.FieldErrors
		if !errors.As(err, &fe) || fe["amount"] != notANumber {
			t.Errorf("ParseAmount(%q, EUR) error = %v, want amount: %q", in, err, notANumber)
		}
	}
}

func TestParseAmountRefusesWithAMessageForTheUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, cur, field, want string
	}{
		{"", "EUR", "amount", "Enter the amount."},
		{"-5", "EUR", "amount", "The amount must be more than zero."},
		{"-0.01", "EUR", "amount", "The amount must be more than zero."},
		{"0", "EUR", "amount", "The amount must be more than zero."},
		{"0.00", "EUR", "amount", "The amount must be more than zero."},
		{"twelve", "EUR", "amount", "Enter the amount as a number, for example 1,234.56."},
		{"12.", "EUR", "amount", "Enter the amount as a number, for example 1,234.56."},
		{"1e5", "EUR", "amount", "Enter the amount as a number, for example 1,234.56."},
		{"12,50", "EUR", "amount", "Use a dot for decimals, for example 12.50."},
		{"1,23,456", "EUR", "amount", "Enter the amount as a number, for example 1,234.56."},
		{"12.505", "EUR", "amount", "EUR amounts have at most 2 decimals."},
		{"1200.5", "JPY", "amount", "JPY amounts have no decimals."},
		{"1000000.01", "EUR", "amount", "The amount cannot be more than €1,000,000.00."},
		{"99999999999999999999999", "USD", "amount", "The amount cannot be more than $1,000,000.00."},
		{"1,000,001", "JPY", "amount", "The amount cannot be more than ¥1,000,000."},
		{"123456789012345678901234567890123", "EUR", "amount", "This amount is too long to be real."},
		{"12", "XYZ", "currency", "Choose one of the supported currencies."},
	}
	for _, tc := range cases {
		_, err := expenses.ParseAmount(tc.in, tc.cur)
		var fe expenses.FieldErrors
		if !errors.As(err, &fe) || fe[tc.field] != tc.want {
			t.Errorf("ParseAmount(%q, %s): got %v, want %s: %q", tc.in, tc.cur, err, tc.field, tc.want)
		}
	}
}

func TestFormatAmountWritesSymbolGroupingAndTheCurrencysDecimals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		minor int64
		cur   string
		want  string
	}{
		{123456, "EUR", "€1,234.56"},
		{1200, "USD", "$12.00"},
		{5, "GBP", "£0.05"},
		{1200, "JPY", "¥1,200"},
		{9990, "CHF", "CHF 99.90"},
		{100_000_000, "SEK", "SEK 1,000,000.00"},
		{-250, "EUR", "-€2.50"},
		{1234, "XYZ", "XYZ 12.34"},
	}
	for _, tc := range cases {
		if got := expenses.FormatAmount(tc.minor, tc.cur); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.minor, tc.cur, got, tc.want)
		}
	}
}

func TestPlainAmountIsReadBackByParseAmount(t *testing.T) {
	t.Parallel()
	for _, c := range expenses.Currencies() {
		for _, minor := range []int64{1, 99, 100, 123456, 100_000_000} {
			if c.MinorUnits == 0 && minor > 1_000_000 {
				continue
			}
			s := expenses.PlainAmount(minor, c.Code)
			got, err := expenses.ParseAmount(s, c.Code)
			if err != nil || got != minor {
				t.Errorf("%s %d → %q → %d, %v", c.Code, minor, s, got, err)
			}
		}
	}
}
