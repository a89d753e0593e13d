package expenses

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxReceiptBytes is the largest receipt accepted: 5 MB is plenty for a
// phone photo or a scanned PDF and keeps the database small. Handlers
// should cap the request body a little above it (http.MaxBytesReader) so
// that a huge upload is cut off before it is read into memory.
const MaxReceiptBytes = 5 << 20

// Upload is a file as a person sent it: the name their computer gave it and
// its bytes.
type Upload struct {
	Name string
	Data []byte
}

// The content types a receipt may have.
const (
	ContentTypeJPEG = "image/jpeg"
	ContentTypePNG  = "image/png"
	ContentTypePDF  = "application/pdf"
)

// CheckReceipt decides whether a file may be stored as a receipt and
// returns its content type. The type comes from the bytes, never from the
// name or from the browser's Content-Type header, both of which the sender
// controls: "receipt.png" that is really a program is refused. Only JPEG,
// PNG and PDF are accepted, up to MaxReceiptBytes. The error is a
// FieldErrors for the "receipt" field.
func CheckReceipt(name string, data []byte) (string, error) {
	fail := func(format string, args ...any) (string, error) {
		return "", FieldErrors{"receipt": fmt.Sprintf(format, args...)}
	}
	shown := ReceiptFileName(name)
	switch {
	case len(data) == 0:
		return fail("The receipt “%s” is empty.", shown)
	case len(data) > MaxReceiptBytes:
		// Not "is 5.0 MB; the limit is 5 MB": rounding makes a file just
		// over the limit look as if it were within it.
		return fail("The receipt “%s” is larger than %d MB. Upload a smaller photo or scan; a lower resolution usually does it.", shown, MaxReceiptBytes>>20)
	}
	// http.DetectContentType implements the WHATWG sniffing algorithm; it
	// already recognises "%PDF-", which is checked explicitly as well so
	// that the rule is visible here.
	switch sniffed := http.DetectContentType(data); {
	case sniffed == ContentTypeJPEG, sniffed == ContentTypePNG:
		return sniffed, nil
	case sniffed == ContentTypePDF || bytes.HasPrefix(data, []byte("%PDF-")):
		return ContentTypePDF, nil
	}
	if looksExecutable(data) {
		return fail("“%s” is a program, not a receipt. Upload a photo (JPEG or PNG) or a PDF.", shown)
	}
	return fail("“%s” is not a JPEG, PNG or PDF file. Upload a photo (JPEG or PNG) or a PDF.", shown)
}

// looksExecutable recognises Windows, Linux and macOS programs and scripts,
// to say plainly what was refused.
func looksExecutable(data []byte) bool {
	for _, magic := range [][]byte{
		[]byte("MZ"),             // Windows PE
		[]byte("\x7fELF"),        // Linux
		[]byte("#!"),             // scripts
		{0xcf, 0xfa, 0xed, 0xfe}, // Mach-O 64-bit
		{0xce, 0xfa, 0xed, 0xfe}, // Mach-O 32-bit
		{0xca, 0xfe, 0xba, 0xbe}, // Mach-O universal
	} {
		if bytes.HasPrefix(data, magic) {
			return true
		}
	}
	return false
}

// ReceiptFileName cleans the name a browser sent for an upload so that it is
// safe to store and to show and to put in a Content-Disposition header: the
// last path element only (Windows browsers may send C:\…), no control
// characters or quotes, at most 255 bytes, and "receipt" when nothing is
// left.
func ReceiptFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "receipt"
	}
	return name
}
