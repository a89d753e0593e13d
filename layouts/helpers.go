package layouts

import "strconv"

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
