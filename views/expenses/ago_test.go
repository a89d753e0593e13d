package expenses

import (
	"testing"
	"time"
)

func TestAgoCountsCalendarDaysBeyondToday(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-30 * time.Second), "just now"},
		{now.Add(-5 * time.Minute), "5 minutes ago"},
		{now.Add(-3 * time.Hour), "3 hours ago"},
		{time.Date(2026, 3, 15, 23, 0, 0, 0, time.UTC), "yesterday"}, // 11 hours ago, but another date
		{time.Date(2026, 3, 15, 1, 0, 0, 0, time.UTC), "yesterday"},
		{time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC), "2 days ago"}, // 38 hours ago
		{time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC), "6 days ago"},
		{time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), Date(time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC))},
	} {
		if got := Ago(tc.at, now); got != tc.want {
			t.Errorf("Ago(%s) = %q, want %q", tc.at.Format(time.RFC3339), got, tc.want)
		}
	}
}
