package home

import (
	"cmp"
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	domain "github.com/company-expenses/company-expenses/app/expenses"
)

// The chart is drawn on the server as SVG: no JavaScript, no chart library,
// and it prints. This file turns monthly totals into geometry; chart.templ
// only writes the numbers out. Colours are SVG fill attributes rather than
// style attributes, because the Content-Security-Policy forbids inline
// styles.

// Palette is the fixed list of category colours, in the order categories
// get them (largest total first). It is chosen to stay distinguishable for
// the common forms of colour blindness (no two neighbouring hues); more
// categories than colours are grouped as "Other".
func Palette() []string {
	return []string{"#4f46e5", "#0891b2", "#f59e0b", "#10b981", "#e11d48", "#8b5cf6", "#84cc16", "#78716c"}
}

// OtherColour fills the "Other" group.
const OtherColour = "#94a3b8"

// Chart dimensions, in SVG user units (the SVG scales to its container).
const (
	chartWidth   = 720
	chartHeight  = 280
	marginLeft   = 64
	marginRight  = 12
	marginTop    = 14
	marginBottom = 40
	barShare     = 0.62 // of a month's slot
)

// Point is one category's total in one month, in minor units of the chart's
// currency.
type Point struct {
	Month    string // "2026-03"
	Category string
	Minor    int64
}

// ChartInput is what BuildChart draws: the months of the axis, oldest first,
// and the totals in one currency.
type ChartInput struct {
	Months   []string
	Currency string
	Points   []Point
}

// Chart is the geometry of a stacked bar chart, ready to be written as SVG,
// and the same numbers as a table for screen readers.
type Chart struct {
	Width, Height int
	// Plot area.
	Left, Right, Top, Bottom float64
	Currency                 string
	Segments                 []Segment
	XLabels                  []AxisLabel
	YTicks                   []Tick
	Legend                   []LegendItem
	// Table holds the numbers as text: one row per month, one column per
	// legend entry, then the month's total.
	Table [][]string
	// Empty is true when there is nothing to draw.
	Empty bool
}

// Segment is one category's part of one month's bar.
type Segment struct {
	X, Y, W, H float64
	Fill       string
	// Label says what the segment is, for the tooltip (<title>).
	Label string
}

// AxisLabel is a month under the x axis, with the year under the first
// month and under each January.
type AxisLabel struct {
	X    float64
	Text string
	Year string
}

// Tick is a horizontal grid line with its amount.
type Tick struct {
	Y     float64
	Label string
}

// LegendItem names a colour.
type LegendItem struct {
	Name string
	Fill string
}

// BuildChart lays out a stacked bar chart of in: one bar per month, one
// segment per category, the y axis in round amounts of the currency.
func BuildChart(in ChartInput) Chart {
	c := Chart{
		Width: chartWidth, Height: chartHeight,
		Left: marginLeft, Right: chartWidth - marginRight,
		Top: marginTop, Bottom: chartHeight - marginBottom,
		Currency: in.Currency,
	}
	month := map[string]int{}
	for i, m := range in.Months {
		month[m] = i
	}

	// Categories by total, largest first; those past the palette become
	// "Other".
	totals := map[string]int64{}
	for _, p := range in.Points {
		if _, ok := month[p.Month]; ok && p.Minor > 0 {
			totals[p.Category] += p.Minor
		}
	}
	names := make([]string, 0, len(totals))
	for n := range totals {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(totals[b], totals[a]), strings.Compare(a, b))
	})
	group := map[string]int{} // category → legend index
	for i, n := range names {
		if len(names) > len(Palette()) && i >= len(Palette())-1 {
			if i == len(Palette())-1 {
				c.Legend = append(c.Legend, LegendItem{Name: "Other", Fill: OtherColour})
			}
			group[n] = len(Palette()) - 1
			continue
		}
		c.Legend = append(c.Legend, LegendItem{Name: n, Fill: Palette()[i]})
		group[n] = i
	}

	// values[month][legend entry]
	values := make([][]int64, len(in.Months))
	for i := range values {
		values[i] = make([]int64, len(c.Legend))
	}
	var peak int64
	for _, p := range in.Points {
		mi, ok := month[p.Month]
		if !ok || p.Minor <= 0 {
			continue
		}
		values[mi][group[p.Category]] += p.Minor
	}
	monthTotals := make([]int64, len(in.Months))
	for i, vs := range values {
		for _, v := range vs {
			monthTotals[i] += v
		}
		peak = max(peak, monthTotals[i])
	}

	cur, _ := domain.LookupCurrency(in.Currency)
	step, top := axisScale(peak, pow10(cur.MinorUnits))
	c.Empty = peak == 0
	plotH := c.Bottom - c.Top
	y := func(v int64) float64 { return c.Bottom - plotH*float64(v)/float64(top) }
	for v := int64(0); v <= top; v += step {
		c.YTicks = append(c.YTicks, Tick{Y: round1(y(v)), Label: tickLabel(v, top, in.Currency)})
	}

	long := make([]string, len(in.Months)) // "March 2026", once per month
	for i, m := range in.Months {
		long[i] = monthLong(m)
	}
	slot := (c.Right - c.Left) / float64(max(len(in.Months), 1))
	barW := slot * barShare
	c.Segments = make([]Segment, 0, len(in.Months)*len(c.Legend))
	var tip []byte // a segment's tooltip, built in one buffer
	for i, m := range in.Months {
		x := c.Left + float64(i)*slot + (slot-barW)/2
		label := AxisLabel{X: round1(c.Left + float64(i)*slot + slot/2), Text: monthName(m)}
		if i == 0 || strings.HasSuffix(m, "-01") {
			label.Year = m[:min(4, len(m))]
		}
		c.XLabels = append(c.XLabels, label)
		var stacked int64
		for li, v := range values[i] {
			if v == 0 {
				continue
			}
			y0, y1 := y(stacked), y(stacked+v)
			stacked += v
			tip = append(append(append(append(tip[:0], c.Legend[li].Name...), ", "...), long[i]...), ": "...)
			c.Segments = append(c.Segments, Segment{
				X: round1(x), Y: round1(y1), W: round1(barW), H: round1(y0 - y1),
				Fill:  c.Legend[li].Fill,
				Label: string(domain.AppendAmount(tip, v, in.Currency)),
			})
		}
	}

	c.Table = make([][]string, 0, len(in.Months))
	for i := range in.Months {
		row := make([]string, 0, len(c.Legend)+2)
		row = append(row, long[i])
		for _, v := range values[i] {
			row = append(row, domain.FormatAmount(v, in.Currency))
		}
		row = append(row, domain.FormatAmount(monthTotals[i], in.Currency))
		c.Table = append(c.Table, row)
	}
	return c
}

// axisScale returns a round step between ticks (1, 2 or 5 times a power of
// ten, and at least one major unit) and the top of the axis, a multiple of
// the step at or above peak. Aiming at a fifth of the peak, and the round
// steps being at most 2.5 times apart, gives three to five steps.
func axisScale(peak, unit int64) (step, top int64) {
	if peak <= 0 {
		return unit, 4 * unit
	}
	raw := (peak + 4) / 5
	step = unit
	for step < raw {
		switch d := firstDigit(step); d {
		case 1:
			step *= 2
		case 2:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	top = (peak + step - 1) / step * step
	return step, top
}

// firstDigit returns the leading digit of n > 0.
func firstDigit(n int64) int64 {
	for n >= 10 {
		n /= 10
	}
	return n
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// tickLabel writes an axis amount briefly, in one style for the whole axis
// (chosen by its top): "€0", "€500", "€2,500", "€25k", "€1.5M", "CHF 40".
func tickLabel(minor, top int64, currency string) string {
	cur, ok := domain.LookupCurrency(currency)
	if !ok {
		cur = domain.Currency{Code: currency, MinorUnits: 2}
	}
	unit := pow10(cur.MinorUnits)
	if minor == 0 || top < 10_000*unit {
		whole := domain.FormatAmount(minor-minor%unit, currency)
		if cur.MinorUnits > 0 {
			whole = whole[:strings.LastIndexByte(whole, '.')]
		}
		return whole
	}
	prefix := cur.Symbol
	if prefix == "" {
		prefix = cur.Code + " "
	}
	major := float64(minor) / float64(unit)
	if top >= 1_000_000*unit {
		return prefix + strconv.FormatFloat(major/1_000_000, 'f', -1, 64) + "M"
	}
	return prefix + strconv.FormatFloat(major/1_000, 'f', -1, 64) + "k"
}

func parseMonth(m string) (time.Time, bool) {
	t, err := time.Parse("2006-01", m)
	return t, err == nil
}

// monthName is "Mar" for "2026-03".
func monthName(m string) string {
	if t, ok := parseMonth(m); ok {
		return t.Format("Jan")
	}
	return m
}

// monthLong is "March 2026" for "2026-03".
func monthLong(m string) string {
	if t, ok := parseMonth(m); ok {
		return t.Format("January 2006")
	}
	return m
}

// F writes a coordinate for an SVG attribute.
func F(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// bars writes the chart's segments, exactly as the markup
//
//	<rect x={ F(s.X) } y={ F(s.Y) } width={ F(s.W) } height={ F(s.H) } fill={ s.Fill }><title>{ s.Label }</title></rect>
//
// would in chart.templ, but into one buffer: templ's generated code formats
// and escapes each attribute and text on its own, about ten allocations a
// segment, and a chart at 100,000 expenses has a hundred segments, which
// made them a third of a dashboard's allocations.
// TestChartBarsAreWhatTheTemplMarkupWrites compares the two.
func bars(segments []Segment) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		b := make([]byte, 0, 160*len(segments))
		for _, s := range segments {
			b = append(b, `<rect x="`...)
			b = strconv.AppendFloat(b, s.X, 'f', -1, 64)
			b = append(b, `" y="`...)
			b = strconv.AppendFloat(b, s.Y, 'f', -1, 64)
			b = append(b, `" width="`...)
			b = strconv.AppendFloat(b, s.W, 'f', -1, 64)
			b = append(b, `" height="`...)
			b = strconv.AppendFloat(b, s.H, 'f', -1, 64)
			b = append(b, `" fill="`...)
			b = append(b, templ.EscapeString(s.Fill)...)
			b = append(b, `"><title>`...)
			b = append(b, templ.EscapeString(s.Label)...)
			b = append(b, `</title></rect>`...)
		}
		_, err := w.Write(b)
		return err
	})
}

// tableRows writes the rows of the chart's table for screen readers, as
// tableRowsMarkup in chart.templ would, into one buffer, for the reason
// bars gives: a dozen rows of ten cells.
func tableRows(rows [][]string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		b := make([]byte, 0, 1024*len(rows))
		for _, row := range rows {
			b = append(b, "<tr>"...)
			for i, cell := range row {
				if i == 0 {
					b = append(b, `<th scope="row">`...)
					b = append(b, templ.EscapeString(cell)...)
					b = append(b, "</th>"...)
					continue
				}
				b = append(b, "<td>"...)
				b = append(b, templ.EscapeString(cell)...)
				b = append(b, "</td>"...)
			}
			b = append(b, "</tr>"...)
		}
		_, err := w.Write(b)
		return err
	})
}
