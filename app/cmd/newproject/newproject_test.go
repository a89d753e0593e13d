package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var acme = names{Module: "example.com/acme", Name: "Acme Travel", Slug: "acme-travel", Binary: "acme"}

func TestRewriteRulesChangeWhatANewAppCarriesAndLeaveTheRest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    string
		in      string
		want    string
		with    names // acme when zero
		changed bool
	}{
		{"go import", "app/web/x.go",
			`import "github.com/company-expenses/company-expenses/app/paths"`,
			`import "example.com/acme/app/paths"`, names{}, true},
		{"go string naming a package", "app/sso/deps_test.go",
			`const pkg = "github.com/company-expenses/company-expenses/app/sso"`,
			`const pkg = "example.com/acme/app/sso"`, names{}, true},
		{"generated templ code", "views/ui/x_templ.go",
			"import (\n\t\"github.com/company-expenses/company-expenses/layouts\"\n)",
			"import (\n\t\"example.com/acme/layouts\"\n)", names{}, true},
		{"templ file", "views/auth/login.templ",
			"import \"github.com/company-expenses/company-expenses/layouts\"\n",
			"import \"example.com/acme/layouts\"\n", names{}, true},
		{"go.mod module line", "go.mod",
			"module github.com/company-expenses/company-expenses\n\ngo 1.26.0\n",
			"module example.com/acme\n\ngo 1.26.0\n", names{}, true},
		{"module path in README", "README.md",
			"gonew github.com/company-expenses/company-expenses example.com/yourapp\n",
			"gonew example.com/acme example.com/yourapp\n", names{}, true},
		{"a longer module path is another module", "app/x.go",
			`"github.com/company-expenses/company-expenses-extras/x"`,
			`"github.com/company-expenses/company-expenses-extras/x"`, names{}, false},
		{"a bare company-expenses in prose stays", "README.md",
			"Ask the company-expenses team.\n", "Ask the company-expenses team.\n", names{}, false},
		{"README title", "README.md",
			"# Company Expenses\n\nA Go starter template\n", "# Acme Travel\n\nA Go starter template\n", names{}, true},
		{"README title with CRLF", "README.md",
			"# Company Expenses\r\nA\r\n", "# Acme Travel\r\nA\r\n", names{}, true},
		{"a README subheading is not the title", "README.md",
			"## Company Expenses\n", "## Company Expenses\n", names{}, false},
		{"README prose about the Mendix sample app stays", "README.md",
			"takes the sample \"Company Expenses\" app and adds\n", "takes the sample \"Company Expenses\" app and adds\n", names{}, false},
		{"README documents APP_NAME's default", "README.md",
			"| `APP_NAME` | `Company Expenses` | shown in the navigation widget |\n",
			"| `APP_NAME` | `Acme Travel` | shown in the navigation widget |\n", names{}, true},
		{"README runs the binary", "README.md",
			"SSO_OIDC_CLIENT_ID=… \\\n./company-expenses\n", "SSO_OIDC_CLIENT_ID=… \\\n./acme\n", names{}, true},
		{"APP_NAME default", "app/config/config.go",
			`AppName: env("APP_NAME", "Company Expenses"),`, `AppName: env("APP_NAME", "Acme Travel"),`, names{}, true},
		{"APP_NAME default is a valid Go string for any name", "app/config/config.go",
			`AppName: env("APP_NAME", "Company Expenses"),`, `AppName: env("APP_NAME", "Say \"Hi\" \\ Co"),`,
			names{Module: "example.com/hi", Name: `Say "Hi" \ Co`, Slug: "say-hi-co", Binary: "hi"}, true},
		{"development IdP client id", "app/app.go",
			`const devIdPClientID = "company-expenses-dev"`, `const devIdPClientID = "acme-travel-dev"`, names{}, true},
		{"SSO flow cookie key labels", "app/sso/flow.go",
			`hkdf.Key(sha256.New, s, nil, "company-expenses sso flow cookie: hmac", 64)`,
			`hkdf.Key(sha256.New, s, nil, "acme-travel sso flow cookie: hmac", 64)`, names{}, true},
		{"program doc comment", "main.go",
			"// Command company-expenses serves the Company Expenses app.\n//\n",
			"// Command acme serves the Acme Travel app.\n//\n", names{}, true},
		{"ignored binary", ".gitignore",
			"/data/\n/company-expenses\n*.db\n", "/data/\n/acme\n*.db\n", names{}, true},
		{"an ignore line that merely starts alike stays", ".gitignore",
			"/company-expenses-old\n", "/company-expenses-old\n", names{}, false},
		{"doc comment naming the app", "app/web/app.go",
			"// Package web is the HTTP side of Company Expenses: the routes\n",
			"// Package web is the HTTP side of Acme Travel: the routes\n", names{}, true},
		{"possessive doc comment", "app/provisioning/first_login.go",
			"// Package provisioning creates and updates Company Expenses' people from\n",
			"// Package provisioning creates and updates Acme Travel's people from\n", names{}, true},
		{"possessive of a name ending in s", "app/provisioning/first_login.go",
			"// updates Company Expenses' people\n", "// updates Acme Trips' people\n",
			names{Module: "example.com/trips", Name: "Acme Trips", Slug: "acme-trips", Binary: "trips"}, true},
		{"CI script header", ".ci/run", "# CI for Company Expenses: checks\n", "# CI for Acme Travel: checks\n", names{}, true},
		{"stylesheet header", "static/css/app.css",
			" * Company Expenses — hand-written stylesheet\n", " * Acme Travel — hand-written stylesheet\n", names{}, true},
		{"device cookie key label", "app/auth/device.go",
			`m.Write([]byte("company-expenses device cookie v1"))`, `m.Write([]byte("acme-travel device cookie v1"))`, names{}, true},
		{"demo password", "app/seed/seed.go",
			`const DemoPassword = "expenses-demo"`, `const DemoPassword = "acme-travel-demo"`, names{}, true},
		{"SQLite file named for the app", "app/config/config.go",
			`SQLitePath:    env("SQLITE_PATH", "data/expenses.db"),`, `SQLitePath:    env("SQLITE_PATH", "data/acme-travel.db"),`, names{}, true},
		{".env.example names the app", ".env.example",
			"# APP_NAME=Company Expenses\n", "# APP_NAME=Acme Travel\n", names{}, true},
		{"the app name in other docs stays", "static/vendor/README.md",
			"Vendored for Company Expenses.\n", "Vendored for Company Expenses.\n", names{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := tt.with
			if n == (names{}) {
				n = acme
			}
			got, changed := rewrite(tt.path, []byte(tt.in), rules, n, make([]bool, len(rules)))
			if string(got) != tt.want || changed != tt.changed {
				t.Errorf("rewrite(%s):\n%q\ngot (changed=%v)\n%q\nwant (changed=%v)\n%q", tt.path, tt.in, changed, got, tt.changed, tt.want)
			}
		})
	}
}

func TestCheckNamesDerivesSlugAndBinaryAndRefusesBadInput(t *testing.T) {
	t.Parallel()
	ok := []struct{ module, name, slug, binary string }{
		{"example.com/acme", "Acme Travel", "acme-travel", "acme"},
		{" example.com/acme ", "  Acme Travel ", "acme-travel", "acme"},
		{"example.com/acme/v2", "Acme — Travel & Co.", "acme-travel-co", "acme"},
		{"acme", "ACME 2", "acme-2", "acme"},
		{"example.com/acme/v1", "x", "x", "v1"}, // v1 is not a major version suffix
		{"example.com/acme/v12", "x", "x", "acme"},
		{"example.com/v2", "x", "x", "example.com"},                      // as go build names it
		{"github.com/acme/travel-app", "旅行", "travel-app", "travel-app"}, // no ASCII in the name: the binary's
	}
	for _, tt := range ok {
		n, err := checkNames(tt.module, tt.name)
		if err != nil {
			t.Errorf("checkNames(%q, %q): %v", tt.module, tt.name, err)
			continue
		}
		if n.Slug != tt.slug || n.Binary != tt.binary || n.Module != strings.TrimSpace(tt.module) || n.Name != strings.TrimSpace(tt.name) {
			t.Errorf("checkNames(%q, %q) = %+v, want slug %q, binary %q", tt.module, tt.name, n, tt.slug, tt.binary)
		}
	}
	bad := []struct{ module, name, msg string }{
		{"", "Acme", "-module is required"},
		{oldModule, "Acme", "the template's own module path"},
		{"example.com/acme/", "Acme", "empty path element"},
		{"example.com//acme", "Acme", "empty path element"},
		{"-acme", "Acme", "must not start with '-'"},
		{"example.com/ac me", "Acme", "not allowed in a module path"},
		{"example.com/acme.", "Acme", "must not start or end with '.'"},
		{"example.com/acme", " ", "-name is required"},
		{"example.com/acme", "Acme\nTravel", "control characters"},
		{"example.com/acme", strings.Repeat("a", 101), "longer than 100"},
	}
	for _, tt := range bad {
		if _, err := checkNames(tt.module, tt.name); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("checkNames(%q, %q) = %v, want an error saying %q", tt.module, tt.name, err, tt.msg)
		}
	}
}

// writeFiles makes a tree from path → content; a content starting with
// "->" makes a symbolic link.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listTree lists the files (and links) under root, slash-separated.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

func fakeOptions(src, dir string) options {
	return options{Src: src, Dir: dir, Module: acme.Module, Name: acme.Name, Rules: rules, Demo: demo, Skip: templateOnly}
}

func TestCopyWithoutGitSkipsDotGitDataAndWhatGitignoreIgnores(t *testing.T) {
	t.Parallel()
	src := t.TempDir() // not inside a git checkout, so the walk is used
	writeFiles(t, src, map[string]string{
		".gitignore":                 "# build output\n/data/\n/company-expenses\n*.db\nnode_modules/\n/tmp/\n!keep.db\n",
		".git/config":                "[core]\n",
		"data/expenses.db":           "db",
		"company-expenses":           "binary",
		"app/local.db":               "db",
		"static/node_modules/x.js":   "x",
		"tmp/scratch.txt":            "x",
		"app/tmp/kept.go":            "package tmp\n", // /tmp/ is anchored: only the root's
		"app/cmd/newproject/main.go": "package main\n",
		"main.go":                    "package main\n",
		"go.mod":                     "module " + oldModule + "\n",
		"link.go":                    "->main.go",
	})
	dir := filepath.Join(t.TempDir(), "acme")
	if _, err := generate(fakeOptions(src, dir)); err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "app/tmp/kept.go", "go.mod", "link.go", "main.go"}
	if got := listTree(t, dir); !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	if target, err := os.Readlink(filepath.Join(dir, "link.go")); err != nil || target != "main.go" {
		t.Errorf("link.go: %q, %v; want a link to main.go", target, err)
	}
	if gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(gomod) != "module example.com/acme\n" {
		t.Errorf("go.mod = %q", gomod)
	}
}

func TestCopyFromAGitCheckoutTakesTrackedAndUntrackedButNotIgnoredFiles(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	src := t.TempDir()
	writeFiles(t, src, map[string]string{
		".gitignore":       "*.log\n",
		"tracked.go":       "package x\n",
		"gone.go":          "package x\n",
		"untracked.go":     "package x\n",
		"debug.log":        "ignored",
		"notes.txt":        "tracked, then excluded: git still tracks it",
		"local.txt":        "untracked and excluded in .git/info/exclude, which a walk would not know",
		"data/expenses.db": "never copied, even though git would track it here",
	})
	for _, args := range [][]string{{"init", "-q"}, {"add", ".gitignore", "tracked.go", "gone.go", "notes.txt"}} {
		if out, err := exec.Command("git", append([]string{"-C", src}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.Remove(filepath.Join(src, "gone.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, ".git", "info", "exclude"), []byte("notes.txt\nlocal.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "acme")
	if _, err := generate(fakeOptions(src, dir)); err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "notes.txt", "tracked.go", "untracked.go"}
	if got := listTree(t, dir); !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
}

func TestBinaryFilesAreCopiedByteForByteAndModesKept(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00"), oldModule...)
	writeFiles(t, src, map[string]string{".github/screenshot.png": string(png), ".ci/run": "#!/bin/sh\n# CI for Company Expenses\n"})
	if err := os.Chmod(filepath.Join(src, ".ci/run"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() // exists and is empty: accepted
	if _, err := generate(fakeOptions(src, dir)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, ".github/screenshot.png")); !bytes.Equal(got, png) {
		t.Errorf("the image was changed: %q", got)
	}
	fi, err := os.Stat(filepath.Join(dir, ".ci/run"))
	if err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf(".ci/run lost its executable bit: %v, %v", fi.Mode(), err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, ".ci/run")); string(got) != "#!/bin/sh\n# CI for Acme Travel\n" {
		t.Errorf(".ci/run = %q", got)
	}
}

func TestRewrittenGoFilesAreGofmtedWhenTheNewPathSortsDifferently(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	in := "package web\n\nimport (\n\t\"github.com/company-expenses/company-expenses/app/paths\"\n\t\"github.com/labstack/echo/v4\"\n)\n\nvar _ = paths.Home\nvar _ echo.Context\n"
	writeFiles(t, src, map[string]string{"app/web/x.go": in})
	dir := filepath.Join(t.TempDir(), "new")
	opts := fakeOptions(src, dir)
	opts.Module = "zzz.example/acme" // sorts after github.com: the two imports swap
	if _, err := generate(opts); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "app/web/x.go"))
	want := "package web\n\nimport (\n\t\"github.com/labstack/echo/v4\"\n\t\"zzz.example/acme/app/paths\"\n)\n\nvar _ = paths.Home\nvar _ echo.Context\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if formatted, err := format.Source(got); err != nil || !bytes.Equal(formatted, got) {
		t.Errorf("the result is not gofmt-clean: %v", err)
	}
}

func TestGenerateRefusesANonEmptyDirAndADirInsideTheSource(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"main.go": "package main\n"})
	full := t.TempDir()
	writeFiles(t, full, map[string]string{"README.md": "mine"})
	links := t.TempDir()
	if err := os.Symlink(src, filepath.Join(links, "src")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, dir, msg string }{
		{"not empty", full, "is not empty"},
		{"the source itself", src, "is inside the template"},
		{"inside the source", filepath.Join(src, "new", "acme"), "is inside the template"},
		{"inside the source through a link", filepath.Join(links, "src", "acme"), "is inside the template"},
		{"a file", filepath.Join(src, "main.go"), "is inside the template"},
		{"a file outside", filepath.Join(full, "README.md"), "is a file"},
	}
	for _, tt := range tests {
		_, err := generate(fakeOptions(src, tt.dir))
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: generate into %s = %v, want an error saying %q", tt.name, tt.dir, err, tt.msg)
		}
	}
	if got := listTree(t, full); !slices.Equal(got, []string{"README.md"}) {
		t.Errorf("the refused folder was changed: %q", got)
	}
	if got := listTree(t, src); !slices.Equal(got, []string{"main.go"}) {
		t.Errorf("the source was changed: %q", got)
	}
}

func TestWithoutDemoIsRefusedWithAClearMessageUntilTheManifestIsReady(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"main.go": "package main\n"})
	dir := filepath.Join(t.TempDir(), "acme")
	opts := fakeOptions(src, dir)
	opts.WithoutDemo = true
	opts.Demo.Ready = false
	_, err := generate(opts)
	if err == nil || err.Error() != errDemoNotSeparable {
		t.Fatalf("generate -without-demo = %v, want %q", err, errDemoNotSeparable)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused DIR was created: %v", err)
	}
}

func TestWithoutDemoLeavesOutTheManifestsPathsAndWiringWhenReady(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{
		"app/app.go":             "package app\n\nimport (\n\t\"x/app/demo\"\n)\n\nfunc wire() {\n\tdemo.Plug(a)\n\tother()\n}\n",
		"app/demo/demo.go":       "package demo\n",
		"app/demoish/keep.go":    "package demoish\n", // a folder that merely starts alike
		"models/expense.go":      "package models\n",
		"models/expense_test.go": "package models\n",
	})
	m := manifest{Ready: true, Paths: []string{"app/demo/", "models/expense.go"},
		Wiring: wiring{File: "app/app.go", Lines: []string{`"x/app/demo"`, "demo.Plug(a)"}}}
	dir := filepath.Join(t.TempDir(), "acme")
	opts := fakeOptions(src, dir)
	opts.WithoutDemo, opts.Demo = true, m
	if _, err := generate(opts); err != nil {
		t.Fatal(err)
	}
	want := []string{"app/app.go", "app/demoish/keep.go", "models/expense_test.go"}
	if got := listTree(t, dir); !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "app/app.go"))
	if want := "package app\n\nimport ()\n\nfunc wire() {\n\tother()\n}\n"; string(got) != want {
		t.Errorf("app/app.go =\n%s\nwant\n%s", got, want)
	}

	// A manifest that no longer matches the code fails instead of
	// producing a project that does not build.
	opts.Dir = filepath.Join(t.TempDir(), "acme")
	opts.Demo.Wiring.Lines = []string{"demo.Start(a)"}
	if _, err := generate(opts); err == nil || !strings.Contains(err.Error(), `"demo.Start(a)" is not there`) {
		t.Errorf("a missing wiring line: %v", err)
	}
	if _, err := os.Stat(opts.Dir); !os.IsNotExist(err) {
		t.Errorf("DIR was created for a failed run: %v", err)
	}
}

func TestRunRefusesBadFlagsWithMessagesAndExitCodes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "acme")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-module", "example.com/acme", "-name", "Acme Travel"}, 2, "usage: go run ./app/cmd/newproject"},
		{[]string{"-name", "Acme Travel", dir}, 1, "-module is required"},
		{[]string{"-module", "example.com/acme", dir}, 1, "-name is required"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.msg) {
			t.Errorf("run %q = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.msg)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a refused run created DIR: %v", err)
	}
}

// newProjectFromCheckout runs the command on this checkout, as a user would
// from the template's root, into a new folder.
func newProjectFromCheckout(t *testing.T, extra ...string) (dir, stdout string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "acme travel")
	var out, errOut bytes.Buffer
	args := append([]string{"-module", "example.com/acme", "-name", "Acme Travel"}, extra...)
	if code := run(append(args, dir), &out, &errOut); code != 0 {
		t.Fatalf("newproject exited with %d: %s", code, errOut.String())
	}
	if errOut.Len() > 0 {
		// Warnings: a rule matched nothing, so the template moved under it.
		t.Errorf("newproject warned:\n%s", errOut.String())
	}
	return dir, out.String()
}

func TestNewProjectFromThisCheckoutKeepsNoTraceOfTheTemplatesModuleGitOrData(t *testing.T) {
	t.Parallel()
	dir, stdout := newProjectFromCheckout(t)
	if want := "cd '" + dir + "' && go test ./... && go run .\n"; !strings.Contains(stdout, want) {
		t.Errorf("the next steps do not say %q:\n%s", want, stdout)
	}
	for _, p := range []string{".git", "data", "app/cmd/newproject"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); !os.IsNotExist(err) {
			t.Errorf("%s was copied (%v)", p, err)
		}
	}
	files := listTree(t, dir)
	if !slices.Contains(files, "go.mod") || !slices.Contains(files, "app/sso/flow.go") || !slices.Contains(files, ".github/screenshot.png") {
		t.Fatalf("the copy misses files: %q", files)
	}
	for _, p := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(oldModule)) {
			t.Errorf("%s still names %s", p, oldModule)
		}
		if bytes.Contains(data, []byte("company-expenses-dev")) {
			t.Errorf("%s still names the template's development client id", p)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if modulePath(gomod) != "example.com/acme" {
		t.Errorf("go.mod declares %q", modulePath(gomod))
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if !bytes.HasPrefix(readme, []byte("# Acme Travel\n")) {
		t.Errorf("README starts %q", readme[:min(40, len(readme))])
	}
}

// hashTree maps every file under root to its SHA-256.
func hashTree(t *testing.T, root string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, p := range listTree(t, root) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		sums[p] = hex.EncodeToString(sum[:])
	}
	return sums
}

func TestNewProjectFromThisCheckoutBuildsVetsRegeneratesTemplUnchangedAndPassesTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a whole new project (minutes); run without -short")
	}
	t.Parallel()
	dir, _ := newProjectFromCheckout(t)
	// staticcheck saw this code in the template's own run: only the
	// module path differs.
	checkProject(t, dir, false)
}

// The project without the demo is the template a fork starts from: it must
// build and pass its tests at once, and show nothing of the expenses demo.
func TestNewProjectWithoutTheDemoBuildsVetsRegeneratesTemplUnchangedAndPassesTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a whole new project (minutes); run without -short")
	}
	t.Parallel()
	dir, _ := newProjectFromCheckout(t, "-without-demo")
	for _, p := range demo.Paths {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p))); !os.IsNotExist(err) {
			t.Errorf("the demo's %s was copied (%v)", p, err)
		}
	}
	checkProject(t, dir, true)
	checkNoTraceOfTheDemo(t, dir)
}

// checkProject builds, vets (and staticchecks, when asked) and tests the
// project in dir, offline, and checks that templ generate changes nothing. The tests run
// with -short and leave out coveredByTheMainRun.
func checkProject(t *testing.T, dir string, staticcheck bool) {
	t.Helper()
	// Offline and with go.mod and go.sum as generated: no proxy, no
	// -mod=mod, only the shared module cache.
	env := append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	goCmd("build", "./...")
	goCmd("vet", "./...")
	if staticcheck {
		goCmd("tool", "staticcheck", "./...")
	}
	before := hashTree(t, dir)
	goCmd("tool", "templ", "generate")
	after := hashTree(t, dir)
	for p, sum := range after {
		if before[p] != sum {
			t.Errorf("go tool templ generate changed %s", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("go tool templ generate removed %s", p)
		}
	}
	goCmd(append([]string{"test", "-short"}, packagesToTest(t, dir, env)...)...)
}

// coveredByTheMainRun are the packages whose tests a generated project
// does not run again: the slowest (HTTP suites, browser, load and fault
// tests), whose code and tests are this checkout's with only the module path
// rewritten, and which this checkout's own go test ./... runs in the same CI
// run. The template's tests run the template alone (apptest without
// modules), so that run proves them for a project without the demo too.
// The rest, which the rewrites and the dropped demo do touch (README's
// paths, the wiring in app/app.go, the seed, the names, the config
// defaults), run in every generated project; go vet has compiled every
// test of the project already.
var coveredByTheMainRun = []string{"app/web", "app/sso", "app/devidp", "app/mail", "app/expenses/"}

// packagesToTest lists the project's packages but coveredByTheMainRun.
func packagesToTest(t *testing.T, dir string, env []string) []string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-f", "{{.ImportPath}}", "./...")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	module := modulePath(must(os.ReadFile(filepath.Join(dir, "go.mod"))))
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
		if !slices.ContainsFunc(coveredByTheMainRun, func(c string) bool {
			return rel == c || strings.HasSuffix(c, "/") && strings.HasPrefix(rel, c)
		}) {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("only %d packages to test in the new project: %v", len(pkgs), pkgs)
	}
	return pkgs
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// demoWords are what a person using a project without the demo must not
// meet: the demo's pages, roles and people.
var demoWords = []string{"expense", "reimburse", "approval", "manager@example.com", "finance@example.com", "Marcus Reed", "Fiona Walsh"}

// checkNoTraceOfTheDemo looks where a user of the app or a reader of the
// project meets words: README, .env.example, the views, the layouts, the
// stylesheet's selectors aside, and the sign-in page's demo accounts (the
// seed).
func checkNoTraceOfTheDemo(t *testing.T, dir string) {
	t.Helper()
	for _, p := range listTree(t, dir) {
		seen := strings.HasSuffix(p, ".templ") || p == ".env.example" || strings.HasPrefix(p, "app/seed/") && !strings.HasSuffix(p, "_test.go")
		if !seen && p != "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			// Comments in views and code explain the seam ("the
			// expenses demo does"); only what is shown counts.
			if p != "README.md" && p != ".env.example" && isComment(line) {
				continue
			}
			low := strings.ToLower(line)
			if p == "README.md" && strings.Contains(low, "mendix") {
				continue // the Mendix tutorial's sample app is called Company Expenses
			}
			for _, w := range demoWords {
				if strings.Contains(low, strings.ToLower(w)) {
					t.Errorf("%s:%d names the demo (%q): %s", p, i+1, w, strings.TrimSpace(line))
				}
			}
		}
	}
}

func isComment(line string) bool {
	l := strings.TrimSpace(line)
	return strings.HasPrefix(l, "//") || strings.HasPrefix(l, "/*") || strings.HasPrefix(l, "*") || strings.HasPrefix(l, "#")
}

// The demo manifest describes this template as it is: every demo path is
// there, and dropping the wiring lines from the real app/app.go finds each
// exactly once and leaves no other mention of the demo's module in it.
func TestDemoManifestNamesThisTemplatesDemoFoldersAndItsOneWiringCall(t *testing.T) {
	t.Parallel()
	src, err := findTemplateRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := readTree(src)
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f file) bool { return inPaths(f.Path, templateOnly) })
	for _, p := range demo.Paths {
		if !slices.ContainsFunc(files, func(f file) bool { return inPaths(f.Path, []string{p}) }) {
			t.Errorf("demo path %s is not in the template", p)
		}
	}
	kept, err := dropDemo(files, demo)
	if err != nil {
		t.Fatalf("dropDemo: %v", err)
	}
	for _, f := range kept {
		if f.Path == demo.Wiring.File && strings.Contains(string(f.Data), "expensesmodule") {
			t.Errorf("%s still mentions expensesmodule after the wiring lines are dropped", f.Path)
		}
	}
}

func TestMarkedTextIsDroppedByTagAndBadMarkersAreRefused(t *testing.T) {
	t.Parallel()
	in := "# App\n" +
		"Intro.\n" +
		"Demo sentence. <!-- demo-only:line -->\n" +
		"<!-- demo-only:start -->\n## The demo\nAll about it.\n<!-- demo-only:end -->\n" +
		"<!-- template-only:start -->\n## Start a project\n<!-- template-only:end -->\n" +
		"| a | b | <!-- demo-only:line -->\n" +
		"End.\n"
	got, err := dropMarked([]byte(in), tagDemoOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := "# App\nIntro.\n<!-- template-only:start -->\n## Start a project\n<!-- template-only:end -->\nEnd.\n"
	if string(got) != want {
		t.Errorf("demo-only dropped:\n%s\nwant\n%s", got, want)
	}
	got, err = dropMarked(got, tagTemplateOnly)
	if err != nil || string(got) != "# App\nIntro.\nEnd.\n" {
		t.Errorf("template-only dropped: %q, %v", got, err)
	}
	if got, _ := dropMarked([]byte("no markers\n"), tagDemoOnly); string(got) != "no markers\n" {
		t.Errorf("text without markers changed: %q", got)
	}
	for _, bad := range []struct{ in, msg string }{
		{"a\n# demo-only:start\nb\n", "line 2: demo-only:start is never closed"},
		{"a\n# demo-only:end\n", "line 2: demo-only:end without a demo-only:start"},
		{"# demo-only:start\n# demo-only:start\n# demo-only:end\n", "line 2: demo-only:start inside the block opened at line 1"},
	} {
		if _, err := dropMarked([]byte(bad.in), tagDemoOnly); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("dropMarked(%q) = %v, want an error saying %q", bad.in, err, bad.msg)
		}
	}
}

func TestEveryProjectDropsTemplateOnlyTextAndWithoutDemoAlsoDemoOnlyText(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	readme := "# Company Expenses\n<!-- template-only:start -->\nnewproject\n<!-- template-only:end -->\nDemo. <!-- demo-only:line -->\nKept.\n"
	writeFiles(t, src, map[string]string{
		"README.md":  readme,
		"app/app.go": "package app\n\nimport (\n\t\"x/app/demo\"\n)\n\nfunc wire() {\n\tdemo.Plug(a)\n}\n",
	})
	m := manifest{Ready: true, Wiring: wiring{File: "app/app.go", Lines: []string{`"x/app/demo"`, "demo.Plug(a)"}}}
	for _, tc := range []struct {
		withoutDemo bool
		want        string
	}{
		{false, "# Acme Travel\nDemo. <!-- demo-only:line -->\nKept.\n"},
		{true, "# Acme Travel\nKept.\n"},
	} {
		dir := filepath.Join(t.TempDir(), "acme")
		opts := fakeOptions(src, dir)
		opts.WithoutDemo, opts.Demo = tc.withoutDemo, m
		if _, err := generate(opts); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(got) != tc.want {
			t.Errorf("without demo %v: README =\n%s\nwant\n%s", tc.withoutDemo, got, tc.want)
		}
	}
}
