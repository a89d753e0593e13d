// Package dbtest opens throw-away databases for tests. It is for tests only:
// no production code may import it.
//
// SQLite is always available: every test gets a file of its own under
// t.TempDir. PostgreSQL is used when TEST_DATABASE_URL names a server
// (postgres://…): every test then gets a schema (or, from PostgresURL, a
// database) of its own, dropped when the test ends. Without the variable the
// PostgreSQL tests skip themselves.
//
// The package imports app/database, so the tests of app/database itself can
// use it only from the external test package database_test.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/database"
)

// PostgresEnv names the environment variable that enables the PostgreSQL
// variants of the tests.
const PostgresEnv = "TEST_DATABASE_URL"

const skipMessage = "PostgreSQL tests skipped: set " + PostgresEnv + "=postgres://user@host:5432/db?sslmode=disable to run them"

// EngineEnv names the environment variable that switches the tests'
// default database: TEST_DB=postgres (with TEST_DATABASE_URL) makes SQLite,
// EmptySQLite and app/apptest give every test a PostgreSQL schema of its
// own instead of a SQLite file, so that the whole suite runs on PostgreSQL
// too (.ci/run runs the database-touching packages a second time so).
// Tests of SQLite's own behaviour call OnlySQLite.
const EngineEnv = "TEST_DB"

// OnPostgres reports whether TEST_DB=postgres asks for the whole suite on
// PostgreSQL.
func OnPostgres() bool { return os.Getenv(EngineEnv) == "postgres" }

// SQLite opens a database on its own SQLite file under t.TempDir, migrated
// with database.Migrate (the template's and SSO module's schemas, then the
// modules' migrations given, such as expenses.Migrations()), and closes it
// when the test
// ends. A file, not :memory:, so that tests see the locking of the real
// thing. With TEST_DB=postgres it is Postgres instead.
func SQLite(t testing.TB, mods ...database.Migrations) *gorm.DB {
	t.Helper()
	db := EmptySQLite(t)
	migrate(t, db, mods)
	return db
}

// EmptySQLite is SQLite without the migration: the file holds no tables, for
// tests of code that migrates the database itself. With TEST_DB=postgres it
// is EmptyPostgres instead.
func EmptySQLite(t testing.TB) *gorm.DB {
	t.Helper()
	if OnPostgres() {
		return EmptyPostgres(t)
	}
	return sqliteFile(t)
}

// OnlySQLite is SQLite whatever TEST_DB says, for tests of what only
// SQLite does (its write gate, its locking, its PRAGMAs, its FTS tables).
func OnlySQLite(t testing.TB, mods ...database.Migrations) *gorm.DB {
	t.Helper()
	db := sqliteFile(t)
	migrate(t, db, mods)
	return db
}

func sqliteFile(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := database.Open("", filepath.Join(t.TempDir(), "test.db"), discard())
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { closeDB(db) })
	return db
}

// Postgres opens a schema of its own in the PostgreSQL database named by
// TEST_DATABASE_URL, migrated with database.Migrate and the given modules' migrations, and
// drops it when the test ends. It skips the test when the variable is unset.
func Postgres(t testing.TB, mods ...database.Migrations) *gorm.DB {
	t.Helper()
	db := EmptyPostgres(t)
	migrate(t, db, mods)
	return db
}

// EmptyPostgres is Postgres without the migration: the schema holds no
// tables. Its pool is kept small (4 connections) because many tests run in
// parallel on one server; a test that needs more may raise it.
func EmptyPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	base := postgresBase(t)
	admin, err := database.Open(base, "", discard())
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	// The name is generated, never typed by anyone, so it is safe to splice
	// into the statement (identifiers cannot be bound parameters).
	schema := "t_" + randomHex(t, 8)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		closeDB(admin)
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		closeDB(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := database.Open(u.String(), "", discard())
	if err != nil {
		t.Fatalf("open PostgreSQL schema: %v", err)
	}
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(2)
	}
	// Registered after the schema's cleanup, so it runs before it: the pool
	// is closed before the schema is dropped.
	t.Cleanup(func() { closeDB(db) })
	return db
}

// PostgresURL creates an empty database of its own on the server named by
// TEST_DATABASE_URL and returns its URL, for tests that open the database
// themselves (as the app does, from a DATABASE_URL). The database is dropped
// when the test ends, even with connections still open. It skips the test
// when the variable is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := postgresBase(t)
	admin, err := database.Open(base, "", discard())
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	name := "ce_test_" + randomHex(t, 6)
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		closeDB(admin)
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		closeDB(admin)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// EachDB runs f as parallel subtests "sqlite" and "postgres", each on a
// database migrated with the given modules' migrations (see SQLite and
// Postgres). The
// PostgreSQL one skips itself when TEST_DATABASE_URL is unset.
func EachDB(t *testing.T, f func(t *testing.T, db *gorm.DB), mods ...database.Migrations) {
	t.Helper()
	each(t, f,
		func(t *testing.T) *gorm.DB { return SQLite(t, mods...) },
		func(t *testing.T) *gorm.DB { return Postgres(t, mods...) })
}

// EachEmptyDB is EachDB on databases without tables (see EmptySQLite and
// EmptyPostgres).
func EachEmptyDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	each(t, f,
		func(t *testing.T) *gorm.DB { return EmptySQLite(t) },
		func(t *testing.T) *gorm.DB { return EmptyPostgres(t) })
}

func each(t *testing.T, f func(t *testing.T, db *gorm.DB), sqlite, postgres func(t *testing.T) *gorm.DB) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, sqlite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, postgres(t))
	})
}

// postgresBase returns TEST_DATABASE_URL, or skips the test without it.
func postgresBase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(skipMessage)
	}
	if !database.IsPostgres(base) {
		t.Fatalf("%s must start with postgres://", PostgresEnv)
	}
	return base
}

func migrate(t testing.TB, db *gorm.DB, mods []database.Migrations) {
	t.Helper()
	if err := database.Migrate(context.Background(), db, database.Migrations{}.Join(mods...)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// PostgresBaseURL returns TEST_DATABASE_URL, for tests that need a
// connection of their own to the server (to end other connections, say),
// and skips the test when it is unset.
func PostgresBaseURL(t testing.TB) string {
	t.Helper()
	return postgresBase(t)
}
