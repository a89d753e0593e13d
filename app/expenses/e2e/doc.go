// Package e2e holds the expenses demo's end-to-end tests that drive a real headless Chromium
// through the application with chromedp: every golden path (an employee's
// claim with a receipt, the manager's inline approval, finance's
// reimbursement run, a rejected claim corrected and resubmitted, an
// administrator adding and deactivating people, the SSO round trip with a
// deep link and first-login provisioning, sign out with Back), and a walk
// over every page for each role and signed out at 1280×800 and 390×844 that
// runs axe-core (static/vendor/axe-core, injected by the tests, never served)
// and fails on any serious or critical violation or on sideways scrolling.
//
// The tests share one Chromium, each in tabs of its own browser context
// (own cookies), and run in parallel; each starts its own application on a
// throw-away SQLite database (apptest.New with the demo plugged in, on a
// real 127.0.0.1 listener).
// They save screenshots into $E2E_SCREENSHOTS, or
// company-expenses-screenshots in the system's temporary folder. The package
// has no code of its own; everything is in the _test.go files, on top of the
// template's browser helpers (app/apptest/browsertest: the shared Chromium,
// tabs, screenshots, the sideways-scrolling and axe-core checks, the page
// walk), which the template's own browser tests (app/web/browser) use too.
//
// Run them with the rest of the tests, or alone:
//
//	go test ./app/expenses/e2e/
//	go test -count=1 -v ./app/expenses/e2e/
//
// They need Chromium or Chrome: the first of CHROME_PATH, chromium,
// chromium-browser and google-chrome that is found. Without one they skip
// (on Debian or Ubuntu: apt-get install chromium). The browser runs headless
// and without its sandbox, so the tests also run as root in CI containers.
package e2e
