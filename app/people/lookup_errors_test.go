package people_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/people"
)

// failQueriesOn makes every SELECT on table fail with err, the way a lost
// connection or a locked database would, and leaves other tables alone.
func failQueriesOn(t *testing.T, db *gorm.DB, table string, err error) {
	t.Helper()
	name := "test:fail-" + table
	if e := db.Callback().Query().Before("gorm:query").Register(name, func(tx *gorm.DB) {
		if tx.Statement.Table == table {
			_ = tx.AddError(err)
		}
	}); e != nil {
		t.Fatal(e)
	}
}

// A database error while checking the form is the server's problem: it must
// not come back as the person's mistake ("Choose a department from the
// list") nor be taken as "this e-mail is free".
func TestFormChecksReportDatabaseErrorsInsteadOfBlamingTheInput(t *testing.T) {
	t.Parallel()
	for _, table := range []string{"departments", "users"} {
		t.Run(table, func(t *testing.T) {
			t.Parallel()
			c := newCompany(t)
			down := errors.New("database went away")
			failQueriesOn(t, c.db, table, down)
			f := c.validForm()
			f.ManagerID = "" // its lookup already reports errors; check the others
			_, err := c.svc.CreateLocal(context.Background(), f)
			var ve *people.ValidationError
			if errors.As(err, &ve) {
				t.Fatalf("a failing %s lookup came back as the person's mistake: %v", table, ve.Fields)
			}
			if !errors.Is(err, down) {
				t.Fatalf("CreateLocal with a failing %s lookup: %v, want the database error", table, err)
			}
		})
	}
}
