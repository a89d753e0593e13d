package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
)

// A role map that names a role the app does not have would grant nothing,
// silently: start-up refuses it and says which roles there are. The
// employee role is everyone's and cannot follow a group.
func TestStartUpRefusesARoleMapNamingAnUnknownRoleOrTheEmployeeRole(t *testing.T) {
	t.Parallel()
	for roleMap, want := range map[string][]string{
		"finanse=Finance-Team":           {`SSO_ROLE_MAP: the app has no role "finanse"`, "the roles it can map are", "admin"},
		"employee=Staff,admin=IT-Admins": {`SSO_ROLE_MAP: the "employee" role is everyone's`},
	} {
		cfg := devConfig(t, map[string]string{"SEED_DEMO_DATA": "off", "SSO_ROLE_MAP": roleMap})
		_, err := app.NewWithDB(context.Background(), cfg, dbtest.SQLite(t), slog.New(slog.DiscardHandler))
		if err == nil {
			t.Errorf("%s: the app started", roleMap)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", roleMap, err, w)
			}
		}
	}
	cfg := devConfig(t, map[string]string{"SEED_DEMO_DATA": "off", "SSO_ROLE_MAP": "admin=IT-Admins"})
	if _, err := app.NewWithDB(context.Background(), cfg, dbtest.SQLite(t), slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("a map of the template's admin role is refused: %v", err)
	}
}
