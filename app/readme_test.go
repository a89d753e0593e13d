package app_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// README is the map a forker reads first ("Where does X live?", the
// tutorial's steps): a path it names that does not exist, or a test it
// cites that was renamed, sends them nowhere. These tests keep it true.

const repoRoot = ".."

var (
	// `app/web/routes.go`, [text](app/sso), `views/<feature>/*.templ`
	readmeCode = regexp.MustCompile("`([^`\\s]+)`")
	readmeLink = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
	// Test and benchmark names cited in prose: `TestSomethingHappens`.
	readmeTestName = regexp.MustCompile("`((?:Test|Benchmark|Fuzz)[A-Z][A-Za-z0-9_]*)`")
	placeholder    = regexp.MustCompile(`<[^>]+>`)
)

// repoPath reports whether s names a file or folder of this repository
// (rather than a URL path such as /auth/... or a variable).
func repoPath(s string) bool {
	s = strings.TrimPrefix(s, "./")
	for _, top := range []string{"app/", "views/", "layouts/", "models/", "static/", ".ci/", ".github/"} {
		if strings.HasPrefix(s, top) || s == strings.TrimSuffix(top, "/") {
			return true
		}
	}
	switch s {
	case "main.go", "go.mod", "go.sum", ".env.example", ".gitignore":
		return true
	}
	return false
}

func TestEveryPathREADMENamesExists(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range readmeCode.FindAllStringSubmatch(string(readme), -1) {
		names = append(names, m[1])
	}
	for _, m := range readmeLink.FindAllStringSubmatch(string(readme), -1) {
		names = append(names, m[1])
	}
	checked := 0
	for _, name := range names {
		if !repoPath(name) {
			continue
		}
		checked++
		// `views/<feature>/*.templ` stands for any feature folder.
		pattern := filepath.Join(repoRoot, placeholder.ReplaceAllString(strings.TrimSuffix(name, "/"), "*"))
		matches, err := filepath.Glob(pattern)
		if err != nil || len(matches) == 0 {
			t.Errorf("README names %q, which does not exist in the repository: fix README or restore the file", name)
		}
	}
	if checked < 20 {
		t.Fatalf("found only %d repository paths in README; the pattern no longer matches how README writes them", checked)
	}
}

func TestEveryTestREADMECitesExists(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var source strings.Builder
	err = filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "data" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			source.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := source.String()
	for _, m := range readmeTestName.FindAllStringSubmatch(string(readme), -1) {
		if !regexp.MustCompile(`func (\([^)]*\) )?` + m[1] + `\(`).MatchString(all) {
			t.Errorf("README cites %s, but no test of that name exists: fix README or the test's name", m[1])
		}
	}
}
