package database_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
	"github.com/company-expenses/company-expenses/models"
)

// openPostgres opens dbURL like the app does; the pool is closed before the
// database is dropped (cleanups run last-registered first).
func openPostgres(t *testing.T, dbURL string) *gorm.DB {
	t.Helper()
	db, err := database.Open(dbURL, "", discard())
	if err != nil {
		t.Fatalf("Open PostgreSQL: %v", err)
	}
	if db.Dialector.Name() != "postgres" {
		t.Fatalf("Open(%s) chose %s", dbURL, db.Dialector.Name())
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// Several instances of the app starting together each run Migrate; the
// advisory lock makes them take turns instead of racing to create the same
// tables and types, and each migration runs once (onceOnly's would fail a
// second time).
func TestPostgresMigrateFromThreeInstancesAtOnce(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.PostgresURL(t)
	const instances = 3
	dbs := make([]*gorm.DB, instances)
	for i := range dbs {
		dbs[i] = openPostgres(t, dbURL)
	}
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			errs[i] = database.Migrate(context.Background(), db, database.Migrations{Schemas: []database.Schema{onceOnly()}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: Migrate: %v", i, err)
		}
	}
	for _, table := range []string{"users", "user_roles", "employees", "sessions", "login_attempts", "identities"} {
		if !dbs[0].Migrator().HasTable(table) {
			t.Errorf("table %s missing after migration", table)
		}
	}
	appliedOnce(t, dbs[0], onceOnly())
}

func TestPostgresStoresIsLocalUserFalseForSSOEmployees(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	for _, tt := range []struct {
		email string
		local bool
	}{
		{"sso@example.com", false},
		{"local@example.com", true},
	} {
		e := models.NewLocalEmployee(tt.email, "Person")
		e.IsLocalUser = tt.local
		if err := models.CreateEmployee(db, e); err != nil {
			t.Fatalf("CreateEmployee(%s): %v", tt.email, err)
		}
		var got bool
		if err := db.Raw("SELECT is_local_user FROM employees WHERE user_id = ?", e.UserID).Row().Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.local {
			t.Errorf("created with IsLocalUser=%v, stored %v", tt.local, got)
		}
	}
}

func TestPostgresEmployeesInsertedWithoutIsLocalUserDefaultToLocal(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	var id uint
	if err := db.Raw("INSERT INTO users (email, active) VALUES (?, ?) RETURNING id", "raw@example.com", true).Row().Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO employees (user_id, full_name) VALUES (?, ?)", id, "Raw Insert").Error; err != nil {
		t.Fatalf("insert without is_local_user: %v", err)
	}
	var got bool
	if err := db.Raw("SELECT is_local_user FROM employees WHERE user_id = ?", id).Row().Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got {
		t.Error("the column default of is_local_user is false, want true")
	}
}

func TestPostgresRefusesADuplicateEmailWithDuplicatedKey(t *testing.T) {
	t.Parallel()
	db := dbtest.Postgres(t)
	if err := models.CreateEmployee(db, models.NewLocalEmployee("dup@example.com", "First")); err != nil {
		t.Fatal(err)
	}
	err := models.CreateEmployee(db, models.NewLocalEmployee("Dup@Example.com", "Second"))
	if !errors.Is(err, gorm.ErrDuplicatedKey) || !database.IsUniqueViolation(err) {
		t.Fatalf("second CreateEmployee with the same e-mail: err = %v, want gorm.ErrDuplicatedKey", err)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM employees").Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d employees after the refused insert, want 1", n)
	}
}
