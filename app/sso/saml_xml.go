package sso

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// errXMLDTD refuses XML with a document type declaration.
var errXMLDTD = errors.New("the XML has a document type declaration (DTD); SAML messages never need one")

// refuseDTD refuses XML that declares a DTD, anywhere. SAML messages and
// metadata never carry one, and a DTD is how entity expansion ("billion
// laughs") and external entities (reading files, calling URLs) get into an
// XML parser. Go's encoding/xml does not expand them, but the document is
// also canonicalised and signature-checked by other code: refusing it
// outright keeps every later step away from it.
func refuseDTD(raw []byte) error {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("XML: %w", err)
		}
		if _, ok := tok.(xml.Directive); ok {
			return errXMLDTD
		}
	}
}
