package sso_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/sso"
)

// TestSAMLRequestsMigrationCreatesTheTableAutoMigrateCreates runs the goose
// migration of sso_saml_requests on an empty database and compares the
// table (columns, types, nullability, defaults, indexes) with the one gorm's
// AutoMigrate makes of sso.SAMLRequest, on SQLite and PostgreSQL; and runs it
// again on the auto-migrated one, which it must adopt as it is (IF NOT
// EXISTS), so that databases of either origin end up alike.
func TestSAMLRequestsMigrationCreatesTheTableAutoMigrateCreates(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name string
		open func(*testing.T) *gorm.DB
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			auto, migrated := d.open(t), d.open(t)
			if err := auto.AutoMigrate(&sso.SAMLRequest{}); err != nil {
				t.Fatal(err)
			}
			up := gooseUp(t, "migrations/"+d.name+"/00002_saml_requests.sql")
			for _, db := range []*gorm.DB{migrated, auto} {
				for _, stmt := range up {
					if err := db.Exec(stmt).Error; err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
				}
			}
			want, got := tableSchema(t, auto, d.name), tableSchema(t, migrated, d.name)
			if got != want {
				t.Errorf("the migration's table:\n%s\nAutoMigrate's:\n%s", got, want)
			}
		})
	}
}

// gooseUp returns the statements of a goose file's Up section.
func gooseUp(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "-- +goose Up")
	up, _, ok2 := strings.Cut(rest, "-- +goose Down")
	if !ok || !ok2 {
		t.Fatalf("%s: no -- +goose Up … -- +goose Down sections", path)
	}
	var stmts []string
	for s := range strings.SplitSeq(up, ";") {
		var lines []string
		for l := range strings.SplitSeq(s, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			stmts = append(stmts, strings.Join(lines, " "))
		}
	}
	return stmts
}

// tableSchema describes sso_saml_requests as the database reports it.
func tableSchema(t *testing.T, db *gorm.DB, dialect string) string {
	t.Helper()
	var sb strings.Builder
	if dialect == "sqlite" {
		var cols []struct {
			Name, Type string
			NotNull    bool
			DfltValue  *string
			PK         int
		}
		if err := db.Raw(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info('sso_saml_requests')`).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			dflt := "none"
			if c.DfltValue != nil {
				// gorm writes DEFAULT "", the migration the standard ''.
				dflt = strings.ReplaceAll(*c.DfltValue, `"`, `'`)
			}
			fmt.Fprintf(&sb, "%s %s notnull=%v default=%s pk=%d\n", c.Name, c.Type, c.NotNull, dflt, c.PK)
		}
		var idx []struct{ Name, Cols string }
		if err := db.Raw(`SELECT il.name, (SELECT group_concat(ii.name) FROM pragma_index_info(il.name) ii) AS cols
			FROM pragma_index_list('sso_saml_requests') il ORDER BY il.name`).Scan(&idx).Error; err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			fmt.Fprintf(&sb, "index %s (%s)\n", i.Name, i.Cols)
		}
		return sb.String()
	}
	var cols []struct {
		ColumnName, DataType   string
		CharacterMaximumLength *int
		IsNullable             string
		ColumnDefault          *string
	}
	if err := db.Raw(`SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'sso_saml_requests'
		ORDER BY ordinal_position`).Scan(&cols).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		size, dflt := 0, "none"
		if c.CharacterMaximumLength != nil {
			size = *c.CharacterMaximumLength
		}
		if c.ColumnDefault != nil {
			dflt = *c.ColumnDefault
		}
		fmt.Fprintf(&sb, "%s %s(%d) nullable=%s default=%s\n", c.ColumnName, c.DataType, size, c.IsNullable, dflt)
	}
	var idx []struct{ Indexname, Indexdef string }
	if err := db.Raw(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'sso_saml_requests'
		ORDER BY indexname`).Scan(&idx).Error; err != nil {
		t.Fatal(err)
	}
	var schema string
	db.Raw("SELECT current_schema()").Scan(&schema)
	for _, i := range idx {
		fmt.Fprintf(&sb, "index %s\n", strings.ReplaceAll(i.Indexdef, schema+".", ""))
	}
	return sb.String()
}
