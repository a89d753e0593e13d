package profile

import (
	"fmt"
	"strings"
)

// qrQuiet is the blank margin QR readers need around the code, in modules.
const qrQuiet = 4

func qrViewBox(rows [][]bool) string {
	n := len(rows) + 2*qrQuiet
	return fmt.Sprintf("0 0 %d %d", n, n)
}

// qrPath draws every dark module as a 1×1 square of one SVG path.
func qrPath(rows [][]bool) string {
	var b strings.Builder
	for y, row := range rows {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
			}
		}
	}
	return b.String()
}
