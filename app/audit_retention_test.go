package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app"
	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
)

func TestHousekeepingDeletesAuditEventsOlderThanAuditRetentionAndZeroKeepsThem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		retention string
		left      int64
	}{{"720h", 1}, {"0", 2}} {
		t.Run("AUDIT_RETENTION="+tc.retention, func(t *testing.T) {
			t.Parallel()
			db := dbtest.SQLite(t)
			a, err := app.NewWithDB(context.Background(), devConfig(t, map[string]string{"SEED_DEMO_DATA": "off", "AUDIT_RETENTION": tc.retention}), db, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for range 2 {
				if err := audit.Record(ctx, db, audit.Event{Kind: audit.SignedOut, Actor: audit.ByUser(1), SubjectID: 1}); err != nil {
					t.Fatal(err)
				}
			}
			// The first is 31 days old.
			db.Exec("UPDATE audit_events SET at = ? WHERE id = (SELECT min(id) FROM audit_events)", time.Now().UTC().Add(-31*24*time.Hour))
			app.PruneAudit(a, ctx)
			var left int64
			db.Model(&audit.Entry{}).Count(&left)
			if left != tc.left {
				t.Errorf("%d events left, want %d", left, tc.left)
			}
		})
	}
}
