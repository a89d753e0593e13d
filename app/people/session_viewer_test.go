package people_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/auth"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// SessionViewer replaces auth.Sessions.Lookup plus Service.Viewer on every
// signed-in request: it must load the very same session and person, every
// column and every role, on both databases.
func TestSessionViewerLoadsWhatLookupAndViewerLoad(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		svc := people.NewService(db, testRoles)
		sessions := auth.NewSessions(db, 2*time.Hour, 24*time.Hour)
		boss := createPerson(t, db, "boss@example.com", models.RoleEmployee)
		cases := map[string]*models.Employee{
			"two roles, a manager, a department": createPerson(t, db, "two@example.com", models.RoleEmployee, models.RoleAdmin),
			"no role at all":                     createPerson(t, db, "none@example.com"),
		}
		dept := models.Department{Name: "Sales"}
		if err := db.Create(&dept).Error; err != nil {
			t.Fatal(err)
		}
		two := cases["two roles, a manager, a department"]
		if err := db.Model(two).Updates(map[string]any{"manager_id": boss.UserID, "department_id": dept.ID, "avatar_url": "https://example.com/a.png"}).Error; err != nil {
			t.Fatal(err)
		}
		for name, e := range cases {
			token, err := sessions.Create(ctx, e.UserID, "sso:oidc", "Firefox", "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			wantSession, err := sessions.Lookup(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			wantViewer, err := svc.Viewer(ctx, e.UserID)
			if err != nil {
				t.Fatal(err)
			}
			gotSession, gotViewer, found, err := svc.SessionViewer(ctx, auth.HashToken(token))
			if err != nil || !found {
				t.Fatalf("%s: SessionViewer: found=%v err=%v", name, found, err)
			}
			if !reflect.DeepEqual(gotSession, wantSession) {
				t.Errorf("%s: session\n got %+v\nwant %+v", name, gotSession, wantSession)
			}
			if len(wantViewer.User.Roles) == 0 {
				wantViewer.User.Roles = nil // Preload leaves an empty slice
			}
			// Roles are a set; Preload returns them in no particular order.
			slices.SortFunc(wantViewer.User.Roles, func(a, b models.UserRole) int { return strings.Compare(string(a.Role), string(b.Role)) })
			if !reflect.DeepEqual(gotViewer, wantViewer) {
				t.Errorf("%s: viewer\n got %+v\nwant %+v", name, gotViewer, wantViewer)
			}
		}
		if _, _, found, err := svc.SessionViewer(ctx, auth.HashToken("no-such-token")); found || err != nil {
			t.Errorf("unknown token: found=%v err=%v, want not found", found, err)
		}
	})
}
