package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/mail"
	mailviews "github.com/company-expenses/company-expenses/views/mail"
)

func TestPlainTextKeepsParagraphsLineBreaksListsAndLinkTargets(t *testing.T) {
	t.Parallel()
	in := `<p>Hello Ada &amp; Bob,</p> <p>your account at
	  Acme   was created.<br/>Sign in: <a href="https://x.example/login?a=1&amp;b=2">here</a></p>
	<ul><li>one</li><li>two</li></ul><p><a href="https://x.example">https://x.example</a></p>`
	want := "Hello Ada & Bob,\n\nyour account at Acme was created.\nSign in: here (https://x.example/login?a=1&b=2)\n\n- one\n- two\n\nhttps://x.example\n"
	if got := mail.PlainText(in); got != want {
		t.Fatalf("PlainText =\n%q\nwant\n%q", got, want)
	}
}

func TestRenderWritesTheTestMailInTheRecipientsNameWithoutEscapes(t *testing.T) {
	t.Parallel()
	d := mailviews.Test{Name: "Zoë O'Brien & Co", AppName: "Company Expenses", BaseURL: "http://localhost:8080"}
	text, html, err := mail.Render(context.Background(), mailviews.TestText(d), mailviews.TestHTML(d))
	if err != nil {
		t.Fatal(err)
	}
	want := "Hello Zoë O'Brien & Co,\n\nthis is a test mail from Company Expenses. It reached you, so mail from the app reaches people.\n\nSent from http://localhost:8080 at the request of Zoë O'Brien & Co.\n"
	if text != want {
		t.Errorf("text =\n%q\nwant\n%q", text, want)
	}
	if want := "Hello Zoë O&#39;Brien &amp; Co,"; !strings.Contains(html, want) {
		t.Errorf("HTML lacks %q: %s", want, html)
	}
}
