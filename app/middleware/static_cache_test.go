package middleware_test

import (
	"testing"

	"github.com/company-expenses/company-expenses/app/middleware"
)

func TestStaticCacheKeepsFingerprintedFilesForAYear(t *testing.T) {
	t.Parallel()
	tests := []struct{ target, want string }{
		{"/static/app.css?v=3f2a9c", "public, max-age=31536000, immutable"},
		{"/static/app.css", "public, max-age=300"},
		// An empty fingerprint is no fingerprint.
		{"/static/app.css?v=", "public, max-age=300"},
		{"/static/app.css?version=3f2a9c", "public, max-age=300"},
	}
	for _, tt := range tests {
		if got := serve(middleware.StaticCache, tt.target).Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tt.target, got, tt.want)
		}
	}
}

func TestNoStoreKeepsPagesOutOfCaches(t *testing.T) {
	t.Parallel()
	if got := serve(middleware.NoStore, "/expenses").Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}
