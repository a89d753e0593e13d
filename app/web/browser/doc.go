// Package browser holds the template's own browser tests: a real headless
// Chromium (chromedp, through app/apptest/browsertest) drives the template
// alone, without any module (apptest.New with no Modules, as app/web's
// tests run it), so they prove the same in a project made with
// `go run ./app/cmd/newproject -without-demo`. They check that the sign-in
// page, home, profile, two-factor, people, a person's sessions and the
// settings pass axe-core's serious and critical rules and fit 1280×800 and
// 390×844 without sideways scrolling, for an employee and an administrator;
// that a deep link opened signed out comes back after single sign-on
// through the development provider; and that every page sends the
// Content-Security-Policy and the browser reports no violation of it.
//
// They save screenshots into $E2E_SCREENSHOTS, or
// company-expenses-screenshots in the system's temporary folder, named
// template-…; without Chromium they skip. The package has no code of its
// own; everything is in the _test.go files. Run them alone with
//
//	go test -count=1 -v ./app/web/browser/
package browser
