package database

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// Every connection the pool opens has the guarantee (qpsg.go), not only
// the first: the pool opens them as requests need them.
func TestEverySQLiteConnectionHasThePlannerStabilityGuarantee(t *testing.T) {
	t.Parallel()
	db, err := Open("", filepath.Join(t.TempDir(), "qpsg.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	ctx := context.Background()
	var conns []*sql.Conn
	for range 3 { // held at once, so that they are three connections
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		err := c.Raw(func(driverConn any) error {
			on, err := plannerStability(driverConn.(*sqlite3.SQLiteConn))
			if err == nil && !on {
				t.Errorf("connection %d: no query planner stability guarantee", i)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
}
