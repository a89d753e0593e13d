// Package e2e holds the end-to-end tests that drive a real headless Chromium
// through the application with chromedp: the SSO round trip through the
// development identity provider, the expense workflow from the employee's
// form to the manager's inline approval, and every administrator page loading
// without script errors or Content-Security-Policy violations.
//
// Each test starts its own application on a throw-away SQLite database
// (apptest.New, on a real 127.0.0.1 listener) and its own browser with a
// fresh profile. The package has no code of its own; everything is in the
// _test.go files.
//
// Run them with the rest of the tests, or alone:
//
//	go test ./app/e2e/
//	go test -count=1 -v ./app/e2e/
//
// They need Chromium or Chrome: the first of CHROME_PATH, chromium,
// chromium-browser and google-chrome that is found. Without one they skip
// (on Debian or Ubuntu: apt-get install chromium). The browser runs headless
// and without its sandbox, so the tests also run as root in CI containers.
package e2e
