package expenses

import (
	"slices"
	"testing"
)

// walkedWindow is how the page links were chosen before: every page from
// 1 to total, kept when it is the first, the last or within two of cur.
func walkedWindow(cur, total int) []int {
	if total <= 1 {
		return nil
	}
	var out []int
	last := 0
	for n := 1; n <= total; n++ {
		if n == 1 || n == total || (n >= cur-2 && n <= cur+2) {
			if last != 0 && n != last+1 {
				out = append(out, 0)
			}
			out = append(out, n)
			last = n
		}
	}
	return out
}

func TestPageLinksAreTheFirstTheLastAndTwoEitherSideOfTheCurrentPageWithGaps(t *testing.T) {
	t.Parallel()
	for total := 0; total <= 12; total++ {
		for cur := 1; cur <= max(total, 1)+1; cur++ {
			if got, want := pageWindow(cur, total), walkedWindow(cur, total); !slices.Equal(got, want) {
				t.Errorf("page %d of %d: links %v, want %v", cur, total, got, want)
			}
		}
	}
	if got, want := pageWindow(2000, 4000), []int{1, 0, 1998, 1999, 2000, 2001, 2002, 0, 4000}; !slices.Equal(got, want) {
		t.Errorf("page 2,000 of 4,000: links %v, want %v", got, want)
	}
}
