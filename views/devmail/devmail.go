// Package devmail is the development mail viewer at /dev/mail: without
// SMTP_URL, development keeps every mail and shows it here, like a mail
// catcher, so `go run .` needs no mail server.
package devmail

// Row is one kept mail in the list.
type Row struct {
	URL     string
	To      string
	Subject string
	Kind    string
	Sent    string
}

// Message is one kept mail with both its parts.
type Message struct {
	To      string
	From    string
	Subject string
	Kind    string
	Sent    string
	Text    string
	HTML    string
}
