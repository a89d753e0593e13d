package dbtest

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
)

// EmptyOnlySQLite is EmptySQLite whatever TEST_DB says, for tests that
// compare the two engines side by side.
func EmptyOnlySQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return sqliteFile(t)
}

// EachEngine runs f as parallel subtests "sqlite" and "postgres", f getting
// a function that opens a fresh, empty database of that engine each time it
// is called (whatever TEST_DB says; the PostgreSQL one skips without
// TEST_DATABASE_URL). For tests that compare two databases of one engine,
// such as a migrated one and one made from the models.
func EachEngine(t *testing.T, f func(t *testing.T, empty func() *gorm.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, func() *gorm.DB { return sqliteFile(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, func() *gorm.DB { return EmptyPostgres(t) })
	})
}

// Column is a column as the database describes it, normalised so that the
// same model gives the same Column whichever way the table was created.
type Column struct {
	Type     string
	Nullable bool
	Default  string
}

// Index is an index by what it covers (its columns and expressions, as the
// database prints them) and whether it is unique.
type Index struct {
	Unique bool
	Def    string
}

// Table is a table's columns, primary key and indexes.
type Table struct {
	Columns    map[string]Column
	PrimaryKey []string
	Indexes    map[string]Index
}

// Schema is every table of a database (the test's schema on PostgreSQL),
// by name, without the migrations' version tables and SQLite's own tables.
type Schema map[string]Table

// Introspect reads db's schema from the database's catalogue
// (sqlite_master and its pragmas; information_schema and pg_indexes).
func Introspect(t testing.TB, db *gorm.DB) Schema {
	t.Helper()
	if db.Dialector.Name() == "postgres" {
		return introspectPostgres(t, db)
	}
	return introspectSQLite(t, db)
}

func skipTable(name string) bool {
	return strings.HasPrefix(name, "schema_versions_") || strings.HasPrefix(name, "sqlite_")
}

func introspectSQLite(t testing.TB, db *gorm.DB) Schema {
	t.Helper()
	var tables []string
	must(t, db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Scan(&tables).Error)
	s := Schema{}
	for _, name := range tables {
		if skipTable(name) {
			continue
		}
		tbl := Table{Columns: map[string]Column{}, Indexes: map[string]Index{}}
		var cols []struct {
			Cid     int
			Name    string
			Type    string
			NotNull bool `gorm:"column:notnull"`
			Dflt    *string
			Pk      int
		}
		must(t, db.Raw("SELECT cid, name, type, \"notnull\", dflt_value AS dflt, pk FROM pragma_table_info(?)", name).Scan(&cols).Error)
		sort.Slice(cols, func(i, j int) bool { return cols[i].Pk < cols[j].Pk })
		for _, c := range cols {
			def := ""
			if c.Dflt != nil {
				def = normaliseDefault(*c.Dflt)
			}
			// SQLite lets a primary key column other than an INTEGER
			// PRIMARY KEY hold NULL unless it says NOT NULL, and gorm's
			// tables do not say it; what matters is that both agree.
			tbl.Columns[c.Name] = Column{Type: strings.ToLower(c.Type), Nullable: !c.NotNull, Default: def}
			if c.Pk > 0 {
				tbl.PrimaryKey = append(tbl.PrimaryKey, c.Name)
			}
		}
		var idx []struct {
			Name   string
			Unique bool
			Origin string
			SQL    *string
		}
		must(t, db.Raw("SELECT l.name, l.\"unique\", l.origin, m.sql FROM pragma_index_list(?) l LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name", name).Scan(&idx).Error)
		for _, ix := range idx {
			if ix.Origin == "pk" {
				continue // the primary key, compared above
			}
			def := ""
			if ix.SQL != nil {
				def = indexDef(*ix.SQL)
			}
			tbl.Indexes[ix.Name] = Index{Unique: ix.Unique, Def: def}
		}
		s[name] = tbl
	}
	return s
}

func introspectPostgres(t testing.TB, db *gorm.DB) Schema {
	t.Helper()
	var tables []string
	must(t, db.Raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name").Scan(&tables).Error)
	s := Schema{}
	for _, name := range tables {
		if skipTable(name) {
			continue
		}
		tbl := Table{Columns: map[string]Column{}, Indexes: map[string]Index{}}
		var cols []struct {
			ColumnName    string
			DataType      string
			CharMaxLength *int `gorm:"column:character_maximum_length"`
			IsNullable    string
			ColumnDefault *string
		}
		must(t, db.Raw(`SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, name).Scan(&cols).Error)
		for _, c := range cols {
			typ := c.DataType
			if c.CharMaxLength != nil {
				typ = fmt.Sprintf("%s(%d)", typ, *c.CharMaxLength)
			}
			def := ""
			if c.ColumnDefault != nil {
				def = normaliseDefault(*c.ColumnDefault)
			}
			tbl.Columns[c.ColumnName] = Column{Type: typ, Nullable: c.IsNullable == "YES", Default: def}
		}
		must(t, db.Raw(`SELECT a.attname FROM pg_index i
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass AND i.indisprimary
			ORDER BY array_position(i.indkey, a.attnum)`, name).Scan(&tbl.PrimaryKey).Error)
		var idx []struct {
			Indexname string
			Indexdef  string
			Primary   bool
		}
		must(t, db.Raw(`SELECT p.indexname, p.indexdef, i.indisprimary AS "primary" FROM pg_indexes p
			JOIN pg_class c ON c.relname = p.indexname JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = p.schemaname
			JOIN pg_index i ON i.indexrelid = c.oid
			WHERE p.schemaname = current_schema() AND p.tablename = ?`, name).Scan(&idx).Error)
		for _, ix := range idx {
			if ix.Primary {
				continue
			}
			tbl.Indexes[ix.Indexname] = Index{Unique: strings.HasPrefix(ix.Indexdef, "CREATE UNIQUE"), Def: indexDef(ix.Indexdef)}
		}
		s[name] = tbl
	}
	return s
}

var quotes = strings.NewReplacer("`", "", `"`, "", " ", "", "\n", "", "\t", "")

// indexDef is what an index covers: its CREATE INDEX statement from the
// column list on, without quotes and spaces, lower case (on PostgreSQL from
// USING on, so that the schema name drops out).
func indexDef(sql string) string {
	s := strings.ToLower(sql)
	if i := strings.Index(s, " using "); i >= 0 {
		s = s[i+len(" using "):]
	} else if i := strings.Index(s, "("); i >= 0 {
		s = s[i:]
	}
	return quotes.Replace(s)
}

var castSuffix = regexp.MustCompile(`::[a-z ]+(\([0-9]+\))?$`)

// normaliseDefault makes gorm's "" and a hand-written ” the same, and
// (true) and true, and drops PostgreSQL's ::type suffix.
func normaliseDefault(d string) string {
	d = strings.TrimSpace(d)
	for len(d) > 1 && d[0] == '(' && d[len(d)-1] == ')' {
		d = d[1 : len(d)-1]
	}
	d = castSuffix.ReplaceAllString(d, "")
	d = strings.ReplaceAll(d, `"`, "'")
	return strings.ToLower(d)
}

// Extra is a table or an index that migrations create on purpose beyond
// what the models describe (a full-text table, an index on an expression
// gorm cannot declare): Table alone names a whole table, Table and Index
// one index.
type Extra struct{ Table, Index string }

// SchemaDiff compares the schema the migrations made (migrated) with the
// one gorm's AutoMigrate makes from the models (fromModels), and returns one
// line per difference, naming the table and the column or index, or nil
// when they agree. extras are left out of the comparison.
func SchemaDiff(migrated, fromModels Schema, extras ...Extra) []string {
	extraTable := func(name string) bool {
		return slices.ContainsFunc(extras, func(e Extra) bool { return e.Table == name && e.Index == "" })
	}
	extraIndex := func(table, index string) bool {
		return slices.Contains(extras, Extra{Table: table, Index: index})
	}
	var out []string
	add := func(format string, args ...any) {
		out = append(out, fmt.Sprintf(format, args...)+": add a migration (README, \"Changing the schema\")")
	}
	for _, name := range sortedKeys(fromModels) {
		want := fromModels[name]
		got, ok := migrated[name]
		if !ok {
			add("table %s: the models have it, the migrations do not create it", name)
			continue
		}
		for _, col := range sortedKeys(want.Columns) {
			w := want.Columns[col]
			g, ok := got.Columns[col]
			switch {
			case !ok:
				add("table %s, column %s: the models have it (%s), the migrations do not create it", name, col, w.Type)
			case g.Type != w.Type:
				add("table %s, column %s: type %s after the migrations, %s in the models", name, col, g.Type, w.Type)
			case g.Nullable != w.Nullable:
				add("table %s, column %s: nullable %v after the migrations, %v in the models", name, col, g.Nullable, w.Nullable)
			case g.Default != w.Default:
				add("table %s, column %s: default %q after the migrations, %q in the models", name, col, g.Default, w.Default)
			}
		}
		for _, col := range sortedKeys(got.Columns) {
			if _, ok := want.Columns[col]; !ok {
				add("table %s, column %s: the migrations create it, the models do not have it", name, col)
			}
		}
		if !slices.Equal(got.PrimaryKey, want.PrimaryKey) {
			add("table %s: primary key %v after the migrations, %v in the models", name, got.PrimaryKey, want.PrimaryKey)
		}
		for _, ix := range sortedKeys(want.Indexes) {
			w := want.Indexes[ix]
			g, ok := got.Indexes[ix]
			switch {
			case !ok:
				add("table %s, index %s: the models have it (%s), the migrations do not create it", name, ix, w.Def)
			case g.Unique != w.Unique:
				add("table %s, index %s: unique %v after the migrations, %v in the models", name, ix, g.Unique, w.Unique)
			case g.Def != w.Def:
				add("table %s, index %s: covers %s after the migrations, %s in the models", name, ix, g.Def, w.Def)
			}
		}
		for _, ix := range sortedKeys(got.Indexes) {
			if _, ok := want.Indexes[ix]; !ok && !extraIndex(name, ix) {
				add("table %s, index %s: the migrations create it, the models do not have it", name, ix)
			}
		}
	}
	for _, name := range sortedKeys(migrated) {
		if _, ok := fromModels[name]; !ok && !extraTable(name) {
			add("table %s: the migrations create it, the models do not have it", name)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// contractOnly are the statements that break a running older version:
// dropping or renaming what it reads, or changing a column's type. Dropping
// an index is not among them: no version reads an index, it only gets
// slower without it.
var contractOnly = regexp.MustCompile(`(?i)\b(DROP\s+(TABLE|COLUMN|VIEW)|RENAME\b|ALTER\s+(COLUMN\s+)?\w+\s+(SET\s+DATA\s+)?TYPE\b|DROP\s+CONSTRAINT|SET\s+NOT\s+NULL)`)

// LintMigrations checks the files of a schema against the expand/contract
// rule (README, "Changing the schema"): the Up part of a migration only
// adds, unless its name ends in _contract.sql. It returns one line per
// offending file and statement.
func LintMigrations(s database.Schema) ([]string, error) {
	var out []string
	err := fs.WalkDir(s.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		if strings.HasSuffix(path, "_contract.sql") {
			return nil
		}
		b, err := fs.ReadFile(s.FS, path)
		if err != nil {
			return err
		}
		up := string(b)
		if i := strings.Index(up, "-- +goose Down"); i >= 0 {
			up = up[:i]
		}
		for n, line := range strings.Split(up, "\n") {
			code, _, _ := strings.Cut(line, "--")
			if m := contractOnly.FindString(code); m != "" {
				out = append(out, fmt.Sprintf("%s/%s:%d: %q removes or changes what an older version may still read; "+
					"do it in a later release, in a file named …_contract.sql", s.Name, path, n+1, m))
			}
		}
		return nil
	})
	return out, err
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
