package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/static"
)

// staticFiles serves the embedded static files and answers 404 for folders:
// http.FileServer would list their contents, which shows nothing a visitor
// needs and everything a forker later adds there.
func staticFiles(fsys fs.FS) echo.HandlerFunc {
	files := http.StripPrefix(static.Prefix, http.FileServerFS(fsys))
	return func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, static.Prefix)
		if name == "" || strings.HasSuffix(name, "/") {
			return echo.ErrNotFound
		}
		fi, err := fs.Stat(fsys, name)
		if err != nil || fi.IsDir() {
			return echo.ErrNotFound
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
