package database

import (
	"encoding/hex"
	"strings"
)

// TrigramTokens returns the distinct three-character windows of s, lower
// case, each written in hexadecimal and separated by spaces: words SQLite's
// full-text index (FTS4, its "simple" tokenizer) stores as they are, so
// that an FTS4 table of them indexes substrings, not words. A text
// containing a string contains all of the string's windows, which is what
// makes the index a correct first filter for LIKE '%…%' (app/expenses
// search.go). Strings shorter than three characters have no windows.
//
// The database calls it as the SQL function trigram_tokens(text), which
// every SQLite connection gets (OpenContext).
func TrigramTokens(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) < 3 {
		return ""
	}
	seen := make(map[string]struct{}, len(r))
	var b strings.Builder
	for i := 0; i+3 <= len(r); i++ {
		g := string(r[i : i+3])
		if _, dup := seen[g]; dup {
			continue
		}
		seen[g] = struct{}{}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte(g)))
	}
	return b.String()
}
