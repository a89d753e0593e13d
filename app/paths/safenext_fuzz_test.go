package paths_test

import (
	"net/url"
	"testing"

	"github.com/company-expenses/company-expenses/app/paths"
)

// FuzzSafeNextStaysOnThisSite checks the return-target sanitiser on any
// text: the result is always a path on this site, which a browser resolves
// to this host. It is never scheme-relative ("//host"), never "/\host"
// (browsers read the backslash as a slash), never holds a character a
// browser strips or rewrites before resolving (tabs, line breaks, other
// controls, backslashes), and never has a scheme ("javascript:"). A safe
// path comes back unchanged.
// Seeds: testdata/fuzz/FuzzSafeNextStaysOnThisSite.
func FuzzSafeNextStaysOnThisSite(f *testing.F) {
	for _, s := range []string{"/expenses/12", "/expenses?scope=all&page=2", "//evil.example", "/\\evil.example",
		"\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example", "https://evil.example",
		"javascript:alert(1)", "/javascript:alert(1)", "JaVaScRiPt:alert(1)", "/%2F%2Fevil.example",
		"/%5Cevil.example", "/.//evil.example", "/\u3000/evil.example", "/\uff0f\uff0fevil.example",
		"/@evil.example", "/login?next=//evil.example", "", "/", "?x", "#frag", "/a#//evil.example",
		"///evil.example", "/\x00/evil.example", "/\x7f", "http:/evil.example", "/:80"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/some/page?x=1")
	f.Fuzz(func(t *testing.T, next string) {
		got := paths.SafeNext(next)
		if got == "" || got[0] != '/' {
			t.Fatalf("SafeNext(%q) = %q, not a path", next, got)
		}
		if len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("SafeNext(%q) = %q, which a browser reads as another host", next, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || r == '\\' {
				t.Fatalf("SafeNext(%q) = %q holds %U, which browsers strip or rewrite", next, got, r)
			}
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q, not a URL: %v", next, got, err)
		}
		if u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("SafeNext(%q) = %q has a scheme, host or user", next, got)
		}
		if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
			t.Fatalf("SafeNext(%q) = %q resolves to %s", next, got, r)
		}
		if got != paths.Home && got != next {
			t.Fatalf("SafeNext(%q) = %q: a kept target must come back unchanged", next, got)
		}
	})
}
