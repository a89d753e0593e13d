package textcheck_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/textcheck"
)

func TestCleanAcceptsOrdinaryTextAndRefusesWhatIsNotText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		multiLine bool
		want      string
		problem   string
	}{
		{"plain name", "Ivy Tran", false, "Ivy Tran", ""},
		{"surrounding spaces are trimmed", "  Ivy Tran \t", false, "Ivy Tran", ""},
		{"accents and other scripts", "Zoë Ødegård 王芳 محمد", false, "Zoë Ødegård 王芳 محمد", ""},
		{"emoji with a zero-width joiner", "Team 👩‍💻", false, "Team 👩‍💻", ""},
		{"right-to-left mark is allowed", "שלום\u200f", false, "שלום\u200f", ""},
		{"empty stays empty for the caller to judge", "", false, "", ""},
		{"only spaces count as empty", "   \t ", false, "", ""},
		{"invalid UTF-8", "Ivy \xff Tran", false, "", textcheck.MsgNotText},
		{"NUL", "Ivy\x00Tran", false, "", textcheck.MsgControl},
		{"NUL in multi-line text", "line\x00", true, "", textcheck.MsgControl},
		{"LF in a one-line value", "Ivy\nTran", false, "", textcheck.MsgLineBreak},
		{"CR in a one-line value", "Ivy\rTran", false, "", textcheck.MsgLineBreak},
		{"tab inside a one-line value", "Ivy\tTran", false, "", textcheck.MsgControl},
		{"escape", "Ivy\x1b[31mTran", false, "", textcheck.MsgControl},
		{"DEL", "Ivy\x7f", false, "", textcheck.MsgControl},
		{"C1 control", "Ivy\u0085Tran", false, "", textcheck.MsgControl},
		{"LRE U+202A", "a\u202Ab", false, "", textcheck.MsgBidi},
		{"RLO U+202E", "Taxi \u202E001$", false, "", textcheck.MsgBidi},
		{"LRI U+2066", "a\u2066b", true, "", textcheck.MsgBidi},
		{"PDI U+2069", "a\u2069b", false, "", textcheck.MsgBidi},
		{"only a zero-width space", "\u200b", false, "", textcheck.MsgInvisible},
		{"only invisible characters and spaces", " \u200b\u200c\ufeff\u2060 ", true, "", textcheck.MsgInvisible},
		{"multi-line keeps line breaks", "first\nsecond", true, "first\nsecond", ""},
		{"multi-line normalises CRLF", "first\r\nsecond\rthird", true, "first\nsecond\nthird", ""},
		{"multi-line refuses tabs", "first\tsecond", true, "", textcheck.MsgControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problem := textcheck.Clean(tt.in, tt.multiLine)
			if problem != tt.problem {
				t.Fatalf("Clean(%q) problem = %q, want %q", tt.in, problem, tt.problem)
			}
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
