package layouts

import (
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

func formatCount(n int64) string {
	if n > 99 {
		return "99+"
	}
	return strconv.FormatInt(n, 10)
}

func pendingLabel(n int64) string {
	return strconv.FormatInt(n, 10) + " pending"
}

// adminPrefix marks the administration pages the wide menu groups under
// "Admin".
const adminPrefix = "/admin/"

// splitAdmin separates the administration entries from the others, keeping
// their order.
func splitAdmin(items []MenuItem) (main, admin []MenuItem) {
	for _, m := range items {
		if strings.HasPrefix(m.URL, adminPrefix) {
			admin = append(admin, m)
		} else {
			main = append(main, m)
		}
	}
	return main, admin
}

func anyActive(items []MenuItem) bool {
	for _, m := range items {
		if m.Active {
			return true
		}
	}
	return false
}

// pendingTotal is the sum of the menu's pending counts, shown on the phone's
// menu button.
func pendingTotal(items []MenuItem) int64 {
	var n int64
	for _, m := range items {
		n += m.Badge
	}
	return n
}
