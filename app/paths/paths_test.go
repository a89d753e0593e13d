package paths_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/paths"
)

func TestSafeNextKeepsPathsOnThisSite(t *testing.T) {
	t.Parallel()
	for _, next := range []string{
		"/",
		"/expenses",
		"/expenses/42?x=1",
		"/expenses?status=submitted&page=2#top",
		"/admin/users/7",
		"/search?q=caf%C3%A9",
		// A path that merely looks like a URL is still a path here.
		"/https://evil.com",
		"/" + strings.Repeat("a", 1999),
	} {
		if got := paths.SafeNext(next); got != next {
			t.Errorf("SafeNext(%q) = %q, want it unchanged", next, got)
		}
	}
}

func TestSafeNextSendsEverythingElseHome(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, next string }{
		{"empty", ""},
		{"scheme-relative URL", "//evil.com"},
		{"scheme-relative URL with path", "//evil.com/expenses"},
		{"backslash that browsers read as a slash", "/\\evil.com"},
		{"backslash later in the path", "/expenses\\..\\..\\evil"},
		{"absolute https URL", "https://evil.com"},
		{"absolute URL without slashes", "https:evil.com"},
		{"javascript: URL", "javascript:alert(1)"},
		{"relative path", "expenses/42"},
		{"decoded CRLF header injection", "/\r\nSet-Cookie: session=evil"},
		{"tab that browsers strip to make //", "/\t/evil.com"},
		{"NUL byte", "/expenses\x00"},
		{"DEL byte", "/expenses\x7f"},
		{"over 2000 characters", "/" + strings.Repeat("a", 2000)},
	}
	for _, tt := range tests {
		if got := paths.SafeNext(tt.next); got != paths.Home {
			t.Errorf("%s: SafeNext(%q) = %q, want %q", tt.name, tt.next, got, paths.Home)
		}
	}
}

// A percent-encoded CR LF arrives here still encoded only when it was
// encoded twice in the query string. SafeNext does not decode it, and it
// need not: what it returns goes into a Location header as it is, and the
// encoded form cannot split a header. The property that matters is that no
// raw control character ever comes out.
func TestSafeNextNeverReturnsRawControlCharacters(t *testing.T) {
	t.Parallel()
	for _, next := range []string{
		"/%0d%0aSet-Cookie",
		"/%0D%0ASet-Cookie:%20a=b",
		"/\r\nSet-Cookie",
		"/%00",
	} {
		got := paths.SafeNext(next)
		if strings.ContainsAny(got, "\r\n\x00") {
			t.Errorf("SafeNext(%q) = %q, which holds a raw control character", next, got)
		}
		if got != paths.Home && got != next {
			t.Errorf("SafeNext(%q) = %q, want the input unchanged or Home", next, got)
		}
		if strings.HasPrefix(got, "//") {
			t.Errorf("SafeNext(%q) = %q, which leaves the site", next, got)
		}
	}
}

func TestLoginNextOmitsHomeAndEncodesTheTarget(t *testing.T) {
	t.Parallel()
	tests := []struct{ next, want string }{
		{"", "/login"},
		{"/", "/login"},
		{"/expenses", "/login?next=%2Fexpenses"},
		{"/expenses/42?x=1&y=2", "/login?next=%2Fexpenses%2F42%3Fx%3D1%26y%3D2"},
		{"/search?q=a b", "/login?next=%2Fsearch%3Fq%3Da+b"},
	}
	for _, tt := range tests {
		if got := paths.LoginNext(tt.next); got != tt.want {
			t.Errorf("LoginNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// What the sign-in page reads back from ?next= must be exactly the target
// that was encoded, query string and all.
func TestLoginNextRoundTripsThroughTheQueryString(t *testing.T) {
	t.Parallel()
	for _, next := range []string{"/expenses/42?x=1&y=2", "/search?q=caf%C3%A9#results", "/a+b/c d"} {
		u, err := url.Parse(paths.LoginNext(next))
		if err != nil {
			t.Fatalf("LoginNext(%q) is not a URL: %v", next, err)
		}
		if u.Path != paths.Login {
			t.Errorf("LoginNext(%q) path = %q, want %q", next, u.Path, paths.Login)
		}
		if got := u.Query().Get("next"); got != next {
			t.Errorf("LoginNext(%q) carries next=%q", next, got)
		}
	}
}

func TestURLBuildersUseTheRoutePatterns(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{paths.AdminUser(7), "/admin/users/7"},
		{strings.Replace(paths.AdminUserPattern, ":id", "7", 1), paths.AdminUser(7)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
