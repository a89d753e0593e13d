package rolemap_test

import (
	"slices"
	"testing"

	"github.com/company-expenses/company-expenses/app/rolemap"
)

func TestParseReadsRolesWithAlternativeGroups(t *testing.T) {
	t.Parallel()
	m, err := rolemap.Parse(" admin=IT-Admins , finance=Finance-Team| Accounts ,")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.ManagedRoles(); !slices.Equal(got, []string{"admin", "finance"}) {
		t.Errorf("ManagedRoles = %v", got)
	}
	if got := m.Groups("finance"); !slices.Equal(got, []string{"Finance-Team", "Accounts"}) {
		t.Errorf("Groups(finance) = %v", got)
	}
	if m.String() != "admin=IT-Admins,finance=Finance-Team|Accounts" {
		t.Errorf("String = %q", m.String())
	}
}

func TestParseRefusesMalformedMaps(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"admin", "=IT", "admin=", "admin=|", "admin=A,admin=B"} {
		if _, err := rolemap.Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestEmptyMapManagesNothingAndKeepsRoles(t *testing.T) {
	t.Parallel()
	m, err := rolemap.Parse("")
	if err != nil || !m.Empty() {
		t.Fatalf("Parse(\"\") = %v, %v", m, err)
	}
	if got := m.Apply([]string{"employee", "admin"}, []string{"IT-Admins"}); !slices.Equal(got, []string{"employee", "admin"}) {
		t.Errorf("Apply = %v", got)
	}
}

func TestApplyGrantsAndRevokesManagedRolesOnlyAndIgnoresCase(t *testing.T) {
	t.Parallel()
	m, err := rolemap.Parse("admin=IT-Admins,finance=Finance-Team|Accounts")
	if err != nil {
		t.Fatal(err)
	}
	// finance granted through its second group, case-insensitively;
	// admin revoked (no group); manager is app-managed and stays.
	got := m.Apply([]string{"employee", "admin", "manager"}, []string{"accounts"})
	if want := []string{"employee", "manager", "finance"}; !slices.Equal(got, want) {
		t.Errorf("Apply = %v, want %v", got, want)
	}
	if got := m.Apply([]string{"employee", "finance"}, nil); !slices.Equal(got, []string{"employee"}) {
		t.Errorf("Apply with no groups = %v, want finance revoked", got)
	}
}
