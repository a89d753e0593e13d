package sso_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The SSO package is the Go counterpart of the seed's AppCloudServices
// module: apps customise it through its Config and hooks and never edit it,
// so that it can be upgraded as a unit. It may know users and identities
// (models) and render inside the app's layouts, but nothing of the expenses
// domain or of the web layer that wires it.
func TestSSOPackageImportsNothingOfTheExpensesDomain(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/company-expenses/company-expenses/app/sso").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/app/expenses", "/app/policy", "/app/web", "/app/provisioning", "/app/people", "/views/expenses", "/views/home", "/views/admin"} {
			if strings.HasSuffix(dep, banned) || strings.Contains(dep, banned+"/") {
				t.Errorf("app/sso depends on %s", dep)
			}
		}
	}
}
