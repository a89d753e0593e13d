package database

// #include <stdlib.h>
//
// // The SQLite that github.com/mattn/go-sqlite3 compiles into the binary.
// typedef struct sqlite3 sqlite3;
// extern int sqlite3_db_config(sqlite3*, int op, ...);
//
// // SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h.
// enum { ce_dbconfig_enable_qpsg = 1007 };
//
// // ce_set_qpsg sets the connection's query planner stability guarantee
// // (on > 0; -1 only reads it) and returns it as it is then, or -1 on error.
// static int ce_set_qpsg(void *db, int on) {
// 	int now = -1;
// 	if (sqlite3_db_config((sqlite3*)db, ce_dbconfig_enable_qpsg, on, &now) != 0) return -1;
// 	return now;
// }
import "C"

import (
	"errors"
	"reflect"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// enableQPSG turns on SQLite's query planner stability guarantee on conn.
//
// Why: without it SQLite plans some statements by the values bound to
// them (a "col = ?" that the plan filters on, a LIMIT ?, a LIKE pattern)
// and marks them to be prepared again whenever those bindings change; the
// driver clears the bindings after every run, so such a statement was
// parsed and planned again at every run although it came from the
// statement cache. That was a third of a dashboard request's CPU. With
// the guarantee a plan never depends on bound values, which is what a
// cached statement assumes anyway.
//
// The driver has no setting for it (a build with
// CGO_CFLAGS=-DSQLITE_ENABLE_QPSG would do, but every build would need the
// flag), so this calls sqlite3_db_config on the connection's handle, the
// driver's unexported field db. TestEverySQLiteConnectionHasThePlannerStabilityGuarantee
// fails if a new version of the driver moves it.
func enableQPSG(conn *sqlite3.SQLiteConn) error {
	db, err := sqliteHandle(conn)
	if err != nil {
		return err
	}
	if C.ce_set_qpsg(db, 1) != 1 {
		return errors.New("SQLite: could not enable the query planner stability guarantee")
	}
	return nil
}

// plannerStability reports whether conn has the guarantee.
func plannerStability(conn *sqlite3.SQLiteConn) (bool, error) {
	db, err := sqliteHandle(conn)
	if err != nil {
		return false, err
	}
	return C.ce_set_qpsg(db, -1) == 1, nil
}

// sqliteHandle is conn's sqlite3* handle.
func sqliteHandle(conn *sqlite3.SQLiteConn) (unsafe.Pointer, error) {
	f := reflect.ValueOf(conn).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, errors.New("SQLite: the driver's connection has no handle field db (github.com/mattn/go-sqlite3 changed?)")
	}
	return f.UnsafePointer(), nil
}
