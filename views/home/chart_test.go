package home_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/views/home"
)

func months(n int) []string {
	out := make([]string, n)
	for i := range n {
		// Twelve months from April 2025: a year boundary in the middle.
		m := (3+i)%12 + 1
		y := 2025 + (3+i)/12
		out[i] = fmt.Sprintf("%d-%02d", y, m)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.11 }

func TestChartStacksCategoriesPerMonthWithinThePlot(t *testing.T) {
	t.Parallel()
	c := home.BuildChart(home.ChartInput{
		Months: months(12), Currency: "EUR",
		Points: []home.Point{
			{Month: "2025-04", Category: "Travel", Minor: 30000},
			{Month: "2025-04", Category: "Meals", Minor: 10000},
			{Month: "2026-01", Category: "Travel", Minor: 20000},
			{Month: "2030-01", Category: "Travel", Minor: 99999999}, // outside the axis: ignored
		},
	})
	if c.Empty {
		t.Fatal("chart with data is empty")
	}
	if len(c.Segments) != 3 {
		t.Fatalf("%d segments, want 3", len(c.Segments))
	}
	// The axis tops at a round amount at or above the highest bar (€400).
	top := c.YTicks[len(c.YTicks)-1]
	if top.Label != "€400" || !near(top.Y, c.Top) {
		t.Errorf("top tick %+v, plot top %v", top, c.Top)
	}
	if first := c.YTicks[0]; first.Label != "€0" || !near(first.Y, c.Bottom) {
		t.Errorf("first tick %+v", first)
	}
	travel, meals := c.Segments[0], c.Segments[1]
	// Largest category first: at the bottom of the stack, first colour.
	if travel.Fill != home.Palette()[0] || meals.Fill != home.Palette()[1] {
		t.Errorf("fills %s %s", travel.Fill, meals.Fill)
	}
	if !near(travel.Y+travel.H, c.Bottom) || !near(meals.Y+meals.H, travel.Y) {
		t.Errorf("segments do not stack: travel %+v, meals %+v", travel, meals)
	}
	plotH := c.Bottom - c.Top
	if !near(travel.H, plotH*0.75) || !near(meals.H, plotH*0.25) {
		t.Errorf("heights %v and %v of %v", travel.H, meals.H, plotH)
	}
	for _, s := range c.Segments {
		if s.X < c.Left || s.X+s.W > c.Right || s.Y < c.Top-0.1 {
			t.Errorf("segment outside the plot: %+v", s)
		}
	}
	if !strings.Contains(travel.Label, "Travel, April 2025: €300.00") {
		t.Errorf("tooltip %q", travel.Label)
	}
	// January is in the tenth slot, and carries its year.
	if c.XLabels[9].Text != "Jan" || c.XLabels[9].Year != "2026" || c.XLabels[0].Year != "2025" || c.XLabels[1].Year != "" {
		t.Errorf("x labels %+v", c.XLabels)
	}
	if c.Table[0][0] != "April 2025" || c.Table[0][1] != "€300.00" || c.Table[0][3] != "€400.00" {
		t.Errorf("table row %v", c.Table[0])
	}
}

func TestChartTicksAreRoundAmountsInThreeToFiveSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		peak     int64
		currency string
		labels   string
	}{
		{4_000, "EUR", "€0 €10 €20 €30 €40"},
		{123_456, "EUR", "€0 €500 €1,000 €1,500"},
		{987_654_321, "EUR", "€0 €2M €4M €6M €8M €10M"},
		{3_200_000, "EUR", "€0 €10k €20k €30k €40k"},
		{12_345, "JPY", "¥0 ¥5k ¥10k ¥15k"},
		{8_000, "JPY", "¥0 ¥2,000 ¥4,000 ¥6,000 ¥8,000"},
		{4_999, "CHF", "CHF 0 CHF 10 CHF 20 CHF 30 CHF 40 CHF 50"},
	} {
		c := home.BuildChart(home.ChartInput{Months: months(1), Currency: tc.currency,
			Points: []home.Point{{Month: months(1)[0], Category: "Travel", Minor: tc.peak}}})
		var labels []string
		for _, tk := range c.YTicks {
			labels = append(labels, tk.Label)
		}
		if got := strings.Join(labels, " "); got != tc.labels {
			t.Errorf("peak %d %s: ticks %q, want %q", tc.peak, tc.currency, got, tc.labels)
		}
		if n := len(c.YTicks) - 1; n < 3 || n > 5 {
			t.Errorf("peak %d: %d steps", tc.peak, n)
		}
	}
}

func TestChartGroupsCategoriesBeyondThePaletteAsOther(t *testing.T) {
	t.Parallel()
	var points []home.Point
	for i := range len(home.Palette()) + 3 {
		points = append(points, home.Point{Month: "2025-04", Category: fmt.Sprintf("Cat %02d", i), Minor: int64(1000 * (20 - i))})
	}
	c := home.BuildChart(home.ChartInput{Months: months(12), Currency: "EUR", Points: points})
	if len(c.Legend) != len(home.Palette()) {
		t.Fatalf("%d legend entries, want %d", len(c.Legend), len(home.Palette()))
	}
	last := c.Legend[len(c.Legend)-1]
	if last.Name != "Other" || last.Fill != home.OtherColour {
		t.Errorf("last legend entry %+v", last)
	}
	// The four smallest (Cat 07 … Cat 10: 13, 12, 11 and 10 euros) add up
	// in the Other column.
	april := c.Table[0]
	if got := april[len(april)-2]; got != "€460.00" {
		t.Errorf("Other = %s, want €460.00 (row %v)", got, april)
	}
	if c.Legend[0].Name != "Cat 00" || c.Legend[6].Name != "Cat 06" {
		t.Errorf("legend %v", c.Legend)
	}
}

func TestEmptyChartSaysSo(t *testing.T) {
	t.Parallel()
	c := home.BuildChart(home.ChartInput{Months: months(12), Currency: "EUR"})
	if !c.Empty || len(c.Segments) != 0 || len(c.Legend) != 0 || len(c.Table) != 12 {
		t.Errorf("empty chart %+v", c)
	}
}

func TestChartViewIsAnAccessibleImageWithoutInlineStyles(t *testing.T) {
	t.Parallel()
	c := home.BuildChart(home.ChartInput{Months: months(12), Currency: "EUR",
		Points: []home.Point{{Month: "2025-05", Category: "Meals <script>", Minor: 1234}}})
	var buf bytes.Buffer
	if err := home.ChartView(c, "Your spending", "Bars per month").Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	svg := doc.Find("svg[role=img]").First()
	if svg.Find("title#chart-title").Text() != "Your spending" || svg.Find("desc").Text() != "Bars per month" {
		t.Error("no title and description")
	}
	if doc.Find("[style]").Length() != 0 {
		t.Error("inline style attribute")
	}
	if rect := svg.Find("g.chart-bars rect"); rect.Length() != 1 || rect.AttrOr("fill", "") != home.Palette()[0] {
		t.Error("the bar has no fill attribute")
	}
	if doc.Find("table.sr-only th").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Text() == "Meals <script>"
	}).Length() != 1 {
		t.Error("the category is not a column of the hidden table (or was not escaped)")
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("category name not escaped")
	}
}
