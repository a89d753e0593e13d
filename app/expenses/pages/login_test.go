package pages_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
)

// With the demo, the development sign-in page lists the demo company's four
// accounts of README, each with what it is for.
func TestSignInPageListsTheDemoCompanysAccountsInDevelopment(t *testing.T) {
	t.Parallel()
	srv := demoApp(t, apptest.Options{})
	var listed []string
	srv.Browser(t).Get("/login").Doc(t).Find(`[data-testid="demo-accounts"] li`).Each(func(_ int, s *goquery.Selection) {
		listed = append(listed, strings.Join(strings.Fields(s.Text()), " "))
	})
	want := "employee@example.com — employee,manager@example.com — manager of the employee," +
		"finance@example.com — finance,admin@example.com — administrator"
	if strings.Join(listed, ",") != want {
		t.Errorf("demo accounts listed:\n%v\nwant\n%s", listed, want)
	}
}
