// Package textcheck holds the one rule for free text people type into the
// app (names, merchants, descriptions, comments, category names): it must
// be valid UTF-8, free of control characters and of the invisible
// characters that change the direction of text, and it must show something.
//
// Why: invalid UTF-8 and NUL make PostgreSQL refuse the row (a 500); CR/LF
// in a one-line value breaks CSV exports, e-mail headers and log lines; the
// bidi overrides make "Taxi ‮001$" read as "Taxi $100" (the Trojan Source
// trick); and a name made of zero-width spaces looks like no name at all.
package textcheck

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages Clean returns; callers show them beside the field.
const (
	MsgNotText   = "This contains bytes that are not text; please retype it."
	MsgControl   = "This contains control characters; please retype it."
	MsgLineBreak = "Keep this on one line."
	MsgBidi      = "This contains invisible characters that reverse the text's direction; please retype it."
	MsgInvisible = "This contains only invisible characters; type some visible text."
)

// Clean checks s as one form field and returns it trimmed of surrounding
// white space, with "" for a value that is only white space (the caller
// decides whether the field is required). multiLine allows line breaks;
// \r\n and a lone \r become \n. problem is "" when s is acceptable, else
// the message to show at the field.
func Clean(s string, multiLine bool) (clean, problem string) {
	if !utf8.ValidString(s) {
		return "", MsgNotText
	}
	if multiLine {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = strings.TrimSpace(s)
	visible := false
	for _, r := range s {
		switch {
		case r == '\n' && multiLine:
		case r == '\n' || r == '\r':
			return "", MsgLineBreak
		case unicode.IsControl(r):
			return "", MsgControl
		case isBidiControl(r):
			return "", MsgBidi
		case !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r):
			visible = true
		}
	}
	if s != "" && !visible {
		return "", MsgInvisible
	}
	return s, ""
}

// isBidiControl reports the embedding, override and isolate controls
// (U+202A–U+202E, U+2066–U+2069). The left-to-right and right-to-left
// marks stay allowed: they only nudge neutral characters and are typed in
// right-to-left languages.
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}
