// Package faults holds the load and fault tests of the expenses demo: they
// build the real server binary, run it on a fresh SQLite file on a free
// local port, drive it with concurrent demo users signing in, creating,
// submitting, approving and reimbursing expenses, stop it with SIGTERM in the
// middle of the load, and then read the database file directly to check that
// every write a client saw acknowledged is there and that each expense's
// history agrees with its status.
//
// The tests are skipped under -short. They talk only to 127.0.0.1 and stop
// by themselves after a bounded time.
package faults
