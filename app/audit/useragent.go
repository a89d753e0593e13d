package audit

import (
	"regexp"
	"strings"
)

// ShortUserAgent turns a browser's User-Agent header into what a person
// reading the log needs, "Chrome 131 on macOS", and anything it does not
// recognise (a script, a SCIM client) into its first word, so that the
// log stays readable and a header cannot fill it.
func ShortUserAgent(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return ""
	}
	browser := ""
	for _, b := range browsers {
		if m := b.re.FindStringSubmatch(ua); m != nil {
			browser = b.name + " " + m[1]
			break
		}
	}
	os := ""
	for _, o := range systems {
		if strings.Contains(ua, o.marker) {
			os = o.name
			break
		}
	}
	switch {
	case browser != "" && os != "":
		return browser + " on " + os
	case browser != "":
		return browser
	}
	first, _, _ := strings.Cut(ua, " ")
	return Clean(first, 60)
}

// browsers are tried in order: Edge and Opera also say Chrome, Chrome also
// says Safari.
var browsers = []struct {
	name string
	re   *regexp.Regexp
}{
	{"Edge", regexp.MustCompile(`Edg(?:e|A|iOS)?/(\d+)`)},
	{"Opera", regexp.MustCompile(`OPR/(\d+)`)},
	{"Firefox", regexp.MustCompile(`(?:Firefox|FxiOS)/(\d+)`)},
	{"Chrome", regexp.MustCompile(`(?:Chrome|CriOS)/(\d+)`)},
	{"Safari", regexp.MustCompile(`Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/`)},
}

// systems are tried in order: iPhones say "like Mac OS X", Android says
// Linux.
var systems = []struct{ marker, name string }{
	{"iPhone", "iOS"},
	{"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Windows", "Windows"},
	{"Mac OS X", "macOS"},
	{"Linux", "Linux"},
}
