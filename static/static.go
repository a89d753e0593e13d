// Package static embeds the CSS, JavaScript and images into the binary, and
// names each file with a fingerprint of its content so that browsers may
// cache it for a year and still see a new version at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// Prefix is the URL path under which the files are served.
const Prefix = "/static/"

// Only the vendored files pages load are embedded: vendor/axe-core is the
// accessibility checker the browser tests inject, never served to users.
//
//go:embed css js img vendor/htmx
var files embed.FS

// FS returns the embedded files.
func FS() fs.FS { return files }

// fingerprints maps each file name to a short hash of its content. The files
// never change while the program runs, so computing it once is safe.
var fingerprints = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return m
})

// URL returns the cache-busting URL of an embedded file, for example
// URL("css/app.css") = "/static/css/app.css?v=1a2b3c4d5e6f".
func URL(name string) string {
	if v, ok := fingerprints()[name]; ok {
		return Prefix + name + "?v=" + v
	}
	return Prefix + name
}
