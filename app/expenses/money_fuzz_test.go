package expenses_test

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses"
)

// FuzzParseAmount checks ParseAmount against an independent exact reading
// of the same text with math/big: whatever it accepts is exactly the decimal
// number typed, in minor units, positive and within the limit, and written
// back by PlainAmount and FormatAmount it reads back to the same number. It
// never panics, and no float is involved anywhere (big.Rat is exact).
// Seeds: testdata/fuzz/FuzzParseAmount.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "1,234.56", "0.01", "1000000", "1000000.01", "12,50", "-1", "1e3", "0x10",
		" 7 ", "1,23", "1.", ".5", "００１", "1_000", "NaN", "Inf", "9223372036854775807", "0.001"} {
		for _, cur := range []string{"EUR", "JPY", "XXX", ""} {
			f.Add(s, cur)
		}
	}
	f.Fuzz(func(t *testing.T, input, currency string) {
		got, err := expenses.ParseAmount(input, currency)
		if err != nil {
			var fe expenses.FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("ParseAmount(%q, %q) failed with %v, want a FieldErrors message for the user", input, currency, err)
			}
			return
		}
		cur, ok := expenses.LookupCurrency(currency)
		if !ok {
			t.Fatalf("ParseAmount accepted unknown currency %q", currency)
		}
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cur.MinorUnits)), nil)
		if got <= 0 || got > expenses.MaxAmountMajor*scale.Int64() {
			t.Fatalf("ParseAmount(%q, %q) = %d, outside (0, %d]", input, currency, got, expenses.MaxAmountMajor*scale.Int64())
		}
		typed := strings.ReplaceAll(strings.TrimSpace(input), ",", "")
		want, ok := new(big.Rat).SetString(typed)
		if !ok || strings.ContainsAny(typed, "eE/xXpP_+-") {
			t.Fatalf("ParseAmount(%q, %q) = %d, but the text is not a plain decimal number", input, currency, got)
		}
		want.Mul(want, new(big.Rat).SetInt(scale))
		if !want.IsInt() || want.Num().Int64() != got {
			t.Fatalf("ParseAmount(%q, %q) = %d minor units, the text says %s", input, currency, got, want.RatString())
		}
		roundTrip(t, got, cur)
	})
}

// FuzzAmountRoundTrip writes every amount in range with PlainAmount and
// FormatAmount and reads it back with ParseAmount.
// Seeds: testdata/fuzz/FuzzAmountRoundTrip.
func FuzzAmountRoundTrip(f *testing.F) {
	for _, m := range []int64{1, 99, 100, 101, 123456, 999999, 100000000, 1000000} {
		for i := range expenses.Currencies() {
			f.Add(m, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, minor int64, which uint8) {
		curs := expenses.Currencies()
		cur := curs[int(which)%len(curs)]
		max := int64(expenses.MaxAmountMajor)
		for range cur.MinorUnits {
			max *= 10
		}
		if minor <= 0 || minor > max {
			// Out of range: writing must still not panic.
			_ = expenses.PlainAmount(minor, cur.Code)
			_ = expenses.FormatAmount(minor, cur.Code)
			return
		}
		roundTrip(t, minor, cur)
	})
}

func roundTrip(t *testing.T, minor int64, cur expenses.Currency) {
	t.Helper()
	plain := expenses.PlainAmount(minor, cur.Code)
	if back, err := expenses.ParseAmount(plain, cur.Code); err != nil || back != minor {
		t.Fatalf("PlainAmount(%d, %s) = %q reads back as %d, %v", minor, cur.Code, plain, back, err)
	}
	formatted := expenses.FormatAmount(minor, cur.Code)
	prefix := cur.Symbol
	if prefix == "" {
		prefix = cur.Code + " "
	}
	number, ok := strings.CutPrefix(formatted, prefix)
	if !ok {
		t.Fatalf("FormatAmount(%d, %s) = %q lacks %q", minor, cur.Code, formatted, prefix)
	}
	if back, err := expenses.ParseAmount(number, cur.Code); err != nil || back != minor {
		t.Fatalf("FormatAmount(%d, %s) = %q reads back as %d, %v", minor, cur.Code, formatted, back, err)
	}
}
