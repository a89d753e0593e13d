// Command newproject starts a new app from this template, offline, from a
// clone: it copies the files git tracks (or would: untracked but not ignored)
// into DIR, rewrites the module path,
// the app's name and the labels derived from it, and prints the next steps.
//
//	go run ./app/cmd/newproject -module example.com/acme -name "Acme Travel" [-without-demo] DIR
//
// Everything it rewrites is in the rules list below; everything the
// -without-demo flag leaves out is in the demo manifest under it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// oldModule is the template's module path, as go.mod declares it.
const oldModule = "github.com/company-expenses/company-expenses"

// rules are all the rewrites, applied in this order to every text file
// (binary files are copied as they are). In New, {module} is the new module
// path, {name} the app name, {goName} the name as a Go string literal,
// {possessive} the name with 's, {slug} the name as lower-case-words
// ("acme-travel") and {binary} the name `go build` gives the program (the
// module path's last element).
//
// The module path is replaced as text, not through go/ast: it also lives in
// .templ files, README, .ci/ and Go string literals (tests that name
// packages), which an import rewriter would miss, and the full path cannot
// occur by accident in prose. The match must not continue as a longer path
// (…/company-expenses-extras stays), and a bare "company-expenses" is never
// touched by this rule. Rewritten Go files are gofmt'ed, since the new path
// may sort differently among imports (templ generate does the same).
//
// The other rules are deliberately narrow: the app's own name and the labels
// a new app must not share with this one. The demo's prose that talks about
// the Mendix sample app "Company Expenses" (README) stays as it is.
var rules = []rule{
	{Files: "*", Old: oldModule, New: "{module}", Match: pathMatch,
		Why: "the module path: go.mod, imports, generated templ code, .templ files, docs"},
	{Files: "app/config/config.go", Old: `env("APP_NAME", "Company Expenses")`, New: `env("APP_NAME", {goName})`,
		Why: "the app name's one home: APP_NAME's default"},
	{Files: "README.md", Old: "# Company Expenses", New: "# {name}", Match: lineMatch,
		Why: "README's title"},
	{Files: "README.md", Old: "| `APP_NAME` | `Company Expenses` |", New: "| `APP_NAME` | `{name}` |",
		Why: "README's configuration table documents APP_NAME's default"},
	{Files: "app/app.go", Old: `devIdPClientID = "company-expenses-dev"`, New: `devIdPClientID = "{slug}-dev"`,
		Why: "the app's client id at the development identity provider"},
	{Files: "app/sso/flow.go", Old: `"company-expenses sso flow cookie: `, New: `"{slug} sso flow cookie: `,
		Why: "the SSO flow cookie's key labels: two apps sharing a SESSION_SECRET still cannot read each other's cookies"},
	{Files: "main.go", Old: "// Command company-expenses serves the Company Expenses app.",
		New: "// Command {binary} serves the {name} app.", Match: lineMatch,
		Why: "the program's doc comment"},
	{Files: ".gitignore", Old: "/company-expenses", New: "/{binary}", Match: lineMatch,
		Why: "the binary `go build` writes"},
	{Files: "README.md", Old: "./company-expenses", New: "./{binary}", Match: lineMatch,
		Why: "README runs the built binary"},
	{Files: "*.go", Old: "Company Expenses' ", New: "{possessive} ",
		Why: "doc comments naming the app, possessive"},
	{Files: "*.go .ci/run static/css/app.css .env.example", Old: "Company Expenses", New: "{name}",
		Why: "doc comments and headers naming the app, and .env.example's defaults"},
	{Files: "app/auth/device.go", Old: `"company-expenses device cookie v1"`, New: `"{slug} device cookie v1"`,
		Why: "the device cookie's key label, like the SSO flow cookie's"},
	{Files: "*", Old: "expenses-demo", New: "{slug}-demo",
		Why: "the demo accounts' password, shown on the development sign-in page"},
	{Files: "app/config/config.go app/config/config_test.go README.md .env.example", Old: "data/expenses.db", New: "data/{slug}.db",
		Why: "SQLITE_PATH's default: the database file is named for the app"},
}

// templateOnly are the template's own tools, left out of a new project:
// this command rewrites a tree that is the template, so a project made by it
// has no use for it (and its rules would rewrite themselves).
var templateOnly = []string{"app/cmd/newproject/"}

// demoSeparable says whether the demo (the expenses domain) can be left out:
// the seam exists (app/module, wired by one line in app/app.go), demo below
// names the demo's folders and that line, and the template's own tests run
// without the demo (app/module/boundary_test.go keeps them so).
// TestNewProjectWithoutTheDemoBuildsVetsRegeneratesTemplUnchangedAndPassesTests
// proves a project made without it.
const demoSeparable = true

// demo is what -without-demo leaves out: the demo's folders and files, the
// lines that plug it into the template (its one wiring call, and the import
// that only that call uses), and the text marked demo-only in any file (see
// dropMarked: README's sections on the demo, .ci/run's browser-test steps).
var demo = manifest{
	Ready: demoSeparable,
	Paths: []string{"app/expenses/", "views/expenses/", "views/home/", "models/expense.go"},
	Wiring: wiring{
		File: "app/app.go",
		// The seam's wiring call and its import, each exactly as it
		// appears on its line.
		Lines: []string{
			`"github.com/company-expenses/company-expenses/app/expenses/expensesmodule"`,
			`expensesmodule.New(db, log),`,
		},
	},
}

// errDemoNotSeparable is what -without-demo answers while demo is not ready.
const errDemoNotSeparable = "the demo is not yet separable from the template in this version (see CHANGELOG); run without -without-demo"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command without the process around it, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("newproject", flag.ContinueOnError)
	fs.SetOutput(stderr)
	module := fs.String("module", "", "the new module path, e.g. example.com/acme")
	name := fs.String("name", "", `the app's name, e.g. "Acme Travel"`)
	withoutDemo := fs.Bool("without-demo", false, "leave the demo (the expenses domain) out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: go run ./app/cmd/newproject -module example.com/acme -name "Acme Travel" [-without-demo] DIR`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	src, err := findTemplateRoot(".")
	if err != nil {
		fmt.Fprintln(stderr, "newproject:", err)
		return 1
	}
	res, err := generate(options{
		Src: src, Dir: fs.Arg(0), Module: *module, Name: *name,
		WithoutDemo: *withoutDemo, Rules: rules, Demo: demo, Skip: templateOnly,
	})
	if err != nil {
		fmt.Fprintln(stderr, "newproject:", err)
		return 1
	}
	for _, r := range res.Unmatched {
		// A rule that matched nothing means the template moved under it;
		// the project is still usable, so this warns rather than fails.
		fmt.Fprintf(stderr, "newproject: warning: rule %q (%s) matched nothing in %s\n", r.Old, r.Why, r.Files)
	}
	fmt.Fprintf(stdout, "Created %s (module %s) in %s: %d files.\n\nNext steps:\n", res.Name, res.Module, res.Dir, res.Files)
	fmt.Fprintf(stdout, "  cd %s && go test ./... && go run .\n", shellQuote(fs.Arg(0)))
	fmt.Fprintf(stdout, "  git init && git add -A && git commit -m %s\n", shellQuote("Start "+res.Name+" from the template"))
	return 0
}
