package module_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// modulePath is the template's module path, as go.mod declares it.
const modulePath = "github.com/company-expenses/company-expenses"

// demoDirs are the expenses demo's package folders (the same ones
// newproject -without-demo deletes).
var demoDirs = []string{"app/expenses", "views/expenses", "views/home"}

// wiring is the one template package allowed to import the demo, and the
// one demo package it may import: app/app.go's modules() line.
const (
	wiring     = "app"
	wiringPlug = "app/expenses/expensesmodule"
)

// pendingTestMoves are template packages whose tests still exercise the
// demo's pages and must move to the demo's folders (stage 5 of the
// template/demo split). The test fails when one no longer needs to be
// listed, so the list stays exact.
var pendingTestMoves = []string{"app/web"}

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func isDemo(path string) bool {
	rel, ok := strings.CutPrefix(path, modulePath+"/")
	if !ok {
		return false
	}
	for _, d := range demoDirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// TestTemplateImportsNothingOfTheDemo checks the seam's promise: apart
// from the one wiring call, no package of the template imports a package
// of the demo, so that go list -deps of every template package but the
// wiring (and main, which runs it) holds no demo package.
func TestTemplateImportsNothingOfTheDemo(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-json", modulePath+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var testsStillOnDemo []string
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if isDemo(p.ImportPath) {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, modulePath), "/")
		for _, imp := range p.Imports {
			if !isDemo(imp) {
				continue
			}
			if rel == wiring && imp == modulePath+"/"+wiringPlug {
				continue
			}
			t.Errorf("template package %s imports the demo's %s; only %s may, through %s", p.ImportPath, imp, wiring, wiringPlug)
		}
		if slices.ContainsFunc(append(p.TestImports, p.XTestImports...), isDemo) {
			testsStillOnDemo = append(testsStillOnDemo, rel)
		}
	}
	for _, rel := range testsStillOnDemo {
		if !slices.Contains(pendingTestMoves, rel) {
			t.Errorf("the tests of template package %s import the demo; test the demo in its own folders", rel)
		}
	}
	for _, rel := range pendingTestMoves {
		if !slices.Contains(testsStillOnDemo, rel) {
			t.Errorf("the tests of %s no longer import the demo: remove it from pendingTestMoves", rel)
		}
	}
}
