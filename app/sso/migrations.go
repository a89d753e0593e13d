package sso

import (
	"embed"
	"io/fs"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the module's schema (the tables of Models) as goose SQL
// files: a folder "sqlite" and a folder "postgres", numbered 00001_…,
// 00002_…. The app runs them after the template's, whose users the
// identities reference (app/database, Migrate).
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is there, or this does not compile
	}
	return sub
}
