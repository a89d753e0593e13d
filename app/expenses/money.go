package expenses

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an integer number of minor units (cents, öre, or yen) plus an
// ISO 4217 currency code, never a float: 0.1 + 0.2 is not 0.3 in floating
// point, and an expense report must add up to the cent.

// MaxAmountMajor is the largest amount, in major units, that one expense may
// claim. Anything above is far more likely a typo (an extra zero, a pasted
// IBAN) than a real claim, and it keeps sums far away from int64 overflow.
const MaxAmountMajor = 1_000_000

// maxAmountInputLen refuses absurdly long input before parsing it.
const maxAmountInputLen = 32

// Currency is a currency the app accepts.
type Currency struct {
	Code string
	Name string
	// MinorUnits is the number of decimals: 2 for cents, 0 for yen.
	MinorUnits int
	// Symbol is written before the amount; currencies without a
	// well-known symbol are written with their code ("CHF 12.00").
	Symbol string
}

// Currencies lists the supported currencies, in the order forms offer them.
// To support another currency, add it here and to LookupCurrency.
func Currencies() []Currency {
	return []Currency{
		{Code: "EUR", Name: "Euro", MinorUnits: 2, Symbol: "€"},
		{Code: "USD", Name: "US dollar", MinorUnits: 2, Symbol: "$"},
		{Code: "GBP", Name: "Pound sterling", MinorUnits: 2, Symbol: "£"},
		{Code: "CHF", Name: "Swiss franc", MinorUnits: 2},
		{Code: "SEK", Name: "Swedish krona", MinorUnits: 2},
		{Code: "JPY", Name: "Japanese yen", MinorUnits: 0, Symbol: "¥"},
	}
}

// DefaultCurrency is preselected in forms.
const DefaultCurrency = "EUR"

// LookupCurrency returns the supported currency with the given code.
func LookupCurrency(code string) (Currency, bool) {
	for _, c := range Currencies() {
		if c.Code == code {
			return c, true
		}
	}
	return Currency{}, false
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// ParseAmount reads an amount typed by a person, such as "12.50", "1234.56"
// or "1,234.56", and returns it in minor units of currency. The comma is
// accepted only as a thousands separator in groups of three, so that
// "12,50" (a decimal comma) is refused with a hint instead of being read as
// 1250. Negative, zero, non-numeric and absurd amounts, and amounts with
// more decimals than the currency has, are refused; the error is a
// FieldErrors whose message can be shown as is.
func ParseAmount(input, currency string) (int64, error) {
	cur, ok := LookupCurrency(currency)
	if !ok {
		return 0, FieldErrors{"currency": "Choose one of the supported currencies."}
	}
	fail := func(msg string) (int64, error) { return 0, FieldErrors{"amount": msg} }
	s := strings.TrimSpace(input)
	switch {
	case s == "":
		return fail("Enter the amount.")
	case len(s) > maxAmountInputLen:
		return fail("This amount is too long to be real.")
	case strings.HasPrefix(s, "-"):
		// Only a number is negative: a minus sign before anything else
		// ("-12,3x") is a typo, and "more than zero" would mislead.
		if !numberLike(s[1:]) {
			return fail("Enter the amount as a number, for example 1,234.56.")
		}
		return fail("The amount must be more than zero.")
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot && !allDigits(frac) {
		return fail("Enter the amount as a number, for example 1,234.56.")
	}
	digits, ok := groupedDigits(intPart)
	if !ok {
		if !hasDot && looksLikeDecimalComma(intPart) {
			return fail("Use a dot for decimals, for example 12.50.")
		}
		return fail("Enter the amount as a number, for example 1,234.56.")
	}
	if len(frac) > cur.MinorUnits {
		if cur.MinorUnits == 0 {
			return fail(cur.Code + " amounts have no decimals.")
		}
		return fail(fmt.Sprintf("%s amounts have at most %d decimals.", cur.Code, cur.MinorUnits))
	}
	digits = strings.TrimLeft(digits, "0")
	tooLarge := fmt.Sprintf("The amount cannot be more than %s.", FormatAmount(MaxAmountMajor*pow10(cur.MinorUnits), cur.Code))
	if len(digits) > len(strconv.Itoa(MaxAmountMajor)) {
		return fail(tooLarge)
	}
	var major int64
	if digits != "" {
		var err error
		if major, err = strconv.ParseInt(digits, 10, 64); err != nil {
			return fail("Enter the amount as a number, for example 1,234.56.")
		}
	}
	var minor int64
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return fail("Enter the amount as a number, for example 1,234.56.")
		}
		minor = f * pow10(cur.MinorUnits-len(frac))
	}
	total := major*pow10(cur.MinorUnits) + minor
	switch {
	case total <= 0:
		return fail("The amount must be more than zero.")
	case total > MaxAmountMajor*pow10(cur.MinorUnits):
		return fail(tooLarge)
	}
	return total, nil
}

// numberLike reports whether s is made of digits with at most one dot and
// any commas, starting with a digit: something a person meant as a number,
// whatever ParseAmount then says about its grouping or decimals.
func numberLike(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' || strings.Count(s, ".") > 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' && s[i] != ',' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// groupedDigits accepts "1234" and "1,234,567" (groups of exactly three
// after the first) and returns the digits without separators.
func groupedDigits(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, allDigits(s)
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// looksLikeDecimalComma recognises "12,5" and "12,50".
func looksLikeDecimalComma(s string) bool {
	i, f, ok := strings.Cut(s, ",")
	return ok && allDigits(i) && allDigits(f) && len(f) <= 2
}

// FormatAmount writes an amount for people: "€1,234.56", "$12.00",
// "¥1,200", "CHF 99.90". Unknown currencies are written with their code
// and two decimals.
func FormatAmount(minor int64, currency string) string {
	var buf [40]byte
	// One allocation per amount: a dashboard writes a few hundred.
	return string(AppendAmount(buf[:0], minor, currency))
}

// AppendAmount appends the amount as FormatAmount writes it to b, for text
// that holds an amount among other words (the chart's tooltips), built
// with one allocation.
func AppendAmount(b []byte, minor int64, currency string) []byte {
	cur := currencyOrDefault(currency)
	if minor < 0 {
		b, minor = append(b, '-'), -minor
	}
	if cur.Symbol != "" {
		b = append(b, cur.Symbol...)
	} else {
		b = append(append(b, cur.Code...), ' ')
	}
	return appendNumber(b, minor, cur.MinorUnits, true)
}

// PlainAmount writes an amount in major units with a dot and no grouping
// ("1234.56", "1200"), the form CSV files and edit forms use, and which
// ParseAmount reads back.
func PlainAmount(minor int64, currency string) string {
	cur := currencyOrDefault(currency)
	var buf [32]byte
	b := buf[:0]
	if minor < 0 {
		b, minor = append(b, '-'), -minor
	}
	return string(appendNumber(b, minor, cur.MinorUnits, false))
}

// currencyOrDefault looks code up, and treats an unknown code (from data
// older than the currency table) as having two decimals.
func currencyOrDefault(code string) Currency {
	if cur, ok := LookupCurrency(code); ok {
		return cur
	}
	return Currency{Code: code, MinorUnits: 2}
}

// appendNumber appends minor (not negative) in major units to b: the
// digits, grouped by three with commas if group, then a dot and minorUnits
// decimals.
func appendNumber(b []byte, minor int64, minorUnits int, group bool) []byte {
	p := pow10(minorUnits)
	var digits [20]byte
	major := strconv.AppendInt(digits[:0], minor/p, 10)
	for i, d := range major {
		if group && i > 0 && (len(major)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d)
	}
	if minorUnits == 0 {
		return b
	}
	frac := strconv.AppendInt(digits[:0], minor%p, 10)
	b = append(b, '.')
	for range minorUnits - len(frac) {
		b = append(b, '0')
	}
	return append(b, frac...)
}
