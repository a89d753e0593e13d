package sso_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The SSO module is the Go counterpart of the Mendix tutorial's AppCloudServices
// module: imported whole and upgraded whole, so apps customise it through
// its Config and hooks and never edit it. For that it must not import any
// other package of this repository: not the app's models, layouts, paths or
// views, and nothing of the expenses domain. Its own sub-packages (its
// pages, app/sso/ssopages) are part of it.
const (
	repo   = "github.com/company-expenses/company-expenses/"
	module = repo + "app/sso"
)

func inModule(pkg string) bool { return pkg == module || strings.HasPrefix(pkg, module+"/") }

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %v: %v\n%s", args, err, msg)
	}
	return strings.Fields(string(out))
}

func TestSSOPackageImportsNothingElseOfThisRepository(t *testing.T) {
	t.Parallel()
	// -deps without -test: the non-test code of the module and everything
	// it needs, transitively.
	deps := goList(t, "-deps", module+"/...")
	if len(deps) == 0 {
		t.Fatal("go list printed nothing")
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, repo) && !inModule(dep) {
			t.Errorf("the SSO module depends on %s", dep)
		}
	}
}

// The module's tests run against a small fake app (fakeapp_test.go), not
// the expenses demo. The one package of the repository they may use is the
// development identity provider: it plays the identity provider, not the
// app.
func TestSSOTestsImportOnlyTheDevelopmentIdentityProviderOfThisRepository(t *testing.T) {
	t.Parallel()
	allowed := repo + "app/devidp"
	imports := goList(t, "-f", `{{join .TestImports "\n"}}{{"\n"}}{{join .XTestImports "\n"}}`, module+"/...")
	if len(imports) == 0 {
		t.Fatal("go list printed no test imports")
	}
	for _, imp := range imports {
		if strings.HasPrefix(imp, repo) && !inModule(imp) && imp != allowed {
			t.Errorf("the SSO module's tests import %s", imp)
		}
	}
}
