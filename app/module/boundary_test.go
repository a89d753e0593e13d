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
// of the demo, in its code or its tests, so that go list -deps of every
// template package but the wiring (and main, which runs it) holds no demo
// package and the template's tests pass in a project made without it.
func TestTemplateImportsNothingOfTheDemo(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-json", modulePath+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
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
		// A template package's tests must pass in a project made
		// without the demo, so they may not import it either.
		if slices.ContainsFunc(append(p.TestImports, p.XTestImports...), isDemo) {
			t.Errorf("the tests of template package %s import the demo; test the demo in its own folders", rel)
		}
	}
}
