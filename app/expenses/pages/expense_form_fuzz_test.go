package pages

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/company-expenses/company-expenses/app/expenses"
)

// FuzzReadDraftDecodesTheExpenseFormAsSent decodes any body as the expense
// form, URL-encoded and as multipart/form-data: readDraft never panics, a
// URL-encoded form comes out field for field as url.ParseQuery reads it (the
// first value of each), with no receipt, and a multipart body is either read
// or refused with 400, never with another error. The handlers then
// validate the draft (FuzzValidateDraft in app/expenses).
// Seeds: testdata/fuzz/FuzzReadDraftDecodesTheExpenseFormAsSent.
func FuzzReadDraftDecodesTheExpenseFormAsSent(f *testing.F) {
	f.Add([]byte("spent_on=2026-03-01&category_id=1&amount=12.50&currency=EUR&merchant=Bahn&description=Train"), false)
	f.Add([]byte("amount=1&amount=2&merchant=%3Cscript%3E&merchant=x"), false)
	f.Add([]byte("merchant=%ff%fe%00&description=a%0d%0ab"), false)
	f.Add([]byte("%zz=1&;=2&amount"), false)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.SetBoundary("fuzzboundary")
	mw.WriteField("merchant", "Bahn")
	fw, _ := mw.CreateFormFile("receipt", "../../etc/passwd.png")
	fw.Write([]byte("\x89PNG\r\n\x1a\n"))
	mw.Close()
	f.Add(mp.Bytes(), true)
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"receipt\"; filename=\"a\"\r\n\r\nx"), true)
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte, multipartBody bool) {
		req := httptest.NewRequest(http.MethodPost, "/expenses", bytes.NewReader(body))
		if multipartBody {
			req.Header.Set("Content-Type", "multipart/form-data; boundary=fuzzboundary")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		c := e.NewContext(req, httptest.NewRecorder())
		d, err := readDraft(c)
		if multipartBody {
			var he *echo.HTTPError
			if err != nil && !(errors.As(err, &he) && he.Code == http.StatusBadRequest) {
				t.Fatalf("multipart body refused with %v, want 400", err)
			}
			if d.Receipt != nil && len(d.Receipt.Data) > expenses.MaxReceiptBytes+1 {
				t.Fatalf("receipt of %d bytes read whole", len(d.Receipt.Data))
			}
			return
		}
		if err != nil {
			t.Fatalf("URL-encoded body: %v", err)
		}
		if d.Receipt != nil {
			t.Fatal("a URL-encoded body produced a receipt")
		}
		q, _ := url.ParseQuery(string(body))
		for name, got := range map[string]string{"spent_on": d.SpentOn, "category_id": d.CategoryID, "amount": d.Amount,
			"currency": d.Currency, "merchant": d.Merchant, "description": d.Description} {
			if want := q.Get(name); got != want {
				t.Fatalf("field %s = %q, the body says %q", name, got, want)
			}
		}
	})
}
