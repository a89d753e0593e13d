package mail

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns the output of a plain-text templ component into plain
// text: <p>, <div> and headings become paragraphs separated by a blank line,
// <br/> a line break, <li> a line starting with "- ", and
// <a href="u">label</a> "label (u)" when the label is not the address
// itself. Other tags are dropped and character references decoded, so
// "{ name }" with a "&" in it reads as written.
func PlainText(markup string) string {
	z := html.NewTokenizer(strings.NewReader(markup))
	var b strings.Builder
	var href string
	var label strings.Builder
	inLink := false
	// breaks are written lazily, so that nested blocks and trailing ones
	// do not pile up blank lines.
	pending := 0
	write := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString(strings.Repeat("\n", pending))
		}
		pending = 0
		b.WriteString(s)
	}
	brk := func(n int) { pending = max(pending, n) }
	for {
		switch z.Next() {
		case html.ErrorToken:
			lines := strings.Split(strings.TrimSpace(b.String()), "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight(l, " ")
			}
			return strings.Join(lines, "\n") + "\n"
		case html.TextToken:
			t := collapse(string(z.Text()))
			if b.Len() == 0 || pending > 0 {
				t = strings.TrimLeft(t, " ")
			}
			if inLink {
				label.WriteString(t)
			} else {
				write(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch tok.Data {
			case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table":
				brk(2)
			case "br", "tr":
				brk(1)
			case "li":
				if tok.Type == html.StartTagToken {
					brk(1)
					write("- ")
				} else {
					brk(1)
				}
			case "a":
				if tok.Type == html.StartTagToken {
					inLink, href = true, ""
					label.Reset()
					for _, a := range tok.Attr {
						if a.Key == "href" {
							href = a.Val
						}
					}
				} else if inLink {
					inLink = false
					l := strings.TrimSpace(label.String())
					switch {
					case href == "" || l == href:
						write(l)
					case l == "":
						write(href)
					default:
						write(l + " (" + href + ")")
					}
				}
			}
		}
	}
}

// collapse replaces each run of white space with one space, as a browser
// shows text.
func collapse(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		if s != "" {
			return " "
		}
		return ""
	}
	out := strings.Join(f, " ")
	if strings.IndexAny(s[:1], " \t\r\n") == 0 {
		out = " " + out
	}
	if strings.IndexAny(s[len(s)-1:], " \t\r\n") == 0 {
		out += " "
	}
	return out
}
