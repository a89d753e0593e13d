package expenses_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/models"
	expenseviews "github.com/company-expenses/company-expenses/views/expenses"
)

// TestStatusBadgeShowsEveryStatusWithItsClassAndLabel checks the badge's
// fixed elements against the statuses themselves, so that a status added
// or relabelled in models cannot go out of step with them.
func TestStatusBadgeShowsEveryStatusWithItsClassAndLabel(t *testing.T) {
	t.Parallel()
	for _, s := range append(models.AllStatuses(), "on-hold") {
		var buf bytes.Buffer
		if err := expenseviews.StatusBadge(s).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		b := doc.Find("span.badge")
		if b.Length() != 1 {
			t.Fatalf("%s: %d badges in %q", s, b.Length(), buf.String())
		}
		if got, want := b.AttrOr("class", ""), "badge status-"+string(s); got != want {
			t.Errorf("%s: class %q, want %q", s, got, want)
		}
		if got := b.AttrOr("data-status", ""); got != string(s) {
			t.Errorf("%s: data-status %q", s, got)
		}
		if got := strings.TrimSpace(b.Text()); got != s.Label() {
			t.Errorf("%s: label %q, want %q", s, got, s.Label())
		}
	}
}
