package home

import (
	"bytes"
	"context"
	"testing"
)

// TestChartBarsAreWhatTheTemplMarkupWrites: the hand-written bars and
// table rows give byte for byte what the same markup in templ gives,
// hostile category names included.
func TestChartBarsAreWhatTheTemplMarkupWrites(t *testing.T) {
	t.Parallel()
	months := []string{"2025-12", "2026-01", "2026-02"}
	in := ChartInput{Months: months, Currency: "EUR", Points: []Point{
		{Month: "2025-12", Category: "Travel", Minor: 12_345},
		{Month: "2025-12", Category: `<script>alert("x")</script> & 'co'`, Minor: 999},
		{Month: "2026-01", Category: "Meals", Minor: 1},
		{Month: "2026-02", Category: "Travel", Minor: 7_000_000},
	}}
	for i, c := range []Chart{BuildChart(in), BuildChart(ChartInput{Months: months, Currency: "JPY"})} {
		var got, want bytes.Buffer
		if err := bars(c.Segments).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		if err := barsMarkup(c.Segments).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() || i == 0 && !bytes.Contains(got.Bytes(), []byte("&lt;script&gt;")) {
			t.Errorf("bars wrote\n%s\ntempl writes\n%s", got.String(), want.String())
		}
		got.Reset()
		want.Reset()
		if err := tableRows(c.Table).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		if err := tableRowsMarkup(c.Table).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("tableRows wrote\n%s\ntempl writes\n%s", got.String(), want.String())
		}
	}
}
