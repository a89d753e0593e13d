// Package middleware holds the small HTTP middlewares of the application, one
// per file with a test beside it. They are chained in one visible place:
// app/web/routes.go.
package middleware
