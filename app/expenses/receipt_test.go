package expenses_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/models"
)

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	return img
}

// pngBytes is a real, minimal PNG file.
func pngBytes() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// jpegBytes is a real, minimal JPEG file.
func jpegBytes() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// pdfBytes is a minimal PDF file.
func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// exeBytes starts like a Windows program.
func exeBytes() []byte {
	return append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
}

func TestCheckReceiptAcceptsRealPNGJPEGAndPDFByContent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"receipt.png", pngBytes(), "image/png"},
		{"receipt.jpg", jpegBytes(), "image/jpeg"},
		{"receipt.pdf", pdfBytes(), "application/pdf"},
		// The name does not matter, the bytes do.
		{"scan.pdf", pngBytes(), "image/png"},
		{"noextension", jpegBytes(), "image/jpeg"},
	}
	for _, tc := range cases {
		got, err := expenses.CheckReceipt(tc.name, tc.data)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestCheckReceiptRefusesAProgramNamedPNGWithAClearMessage(t *testing.T) {
	t.Parallel()
	_, err := expenses.CheckReceipt("receipt.png", exeBytes())
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || fe["receipt"] != "“receipt.png” is a program, not a receipt. Upload a photo (JPEG or PNG) or a PDF." {
		t.Errorf("got %v", err)
	}
	_, err = expenses.CheckReceipt("x.png", []byte("\x7fELF\x02\x01\x01rest of a linux binary"))
	if err == nil || !strings.Contains(err.Error(), "is a program") {
		t.Errorf("ELF: got %v", err)
	}
}

func TestCheckReceiptRefusesOtherTypesEmptyFilesAndFilesOver5MB(t *testing.T) {
	t.Parallel()
	big := append(pngBytes(), bytes.Repeat([]byte{0}, expenses.MaxReceiptBytes)...)
	exactly := append(pngBytes(), bytes.Repeat([]byte{0}, expenses.MaxReceiptBytes-len(pngBytes()))...)
	justOver := append(bytes.Clone(exactly), 0)
	cases := []struct {
		name, data, want string
	}{
		{"note.txt", "just some text", "is not a JPEG, PNG or PDF"},
		{"page.png", "<html><script>alert(1)</script></html>", "is not a JPEG, PNG or PDF"},
		{"anim.gif", "GIF89a\x01\x00\x01\x00", "is not a JPEG, PNG or PDF"},
		{"empty.png", "", "is empty"},
		{"huge.png", string(big), "The receipt “huge.png” is larger than 5 MB."},
		// One byte over: still refused, and not "5.0 MB; the limit is 5 MB".
		{"just-over.png", string(justOver), "The receipt “just-over.png” is larger than 5 MB."},
	}
	for _, tc := range cases {
		_, err := expenses.CheckReceipt(tc.name, []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := expenses.CheckReceipt("max.png", exactly); err != nil {
		t.Errorf("exactly 5 MB refused: %v", err)
	}
}

func TestReceiptFileNameKeepsOnlyASafeBaseName(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`C:\Users\erin\Desktop\taxi.pdf`:  "taxi.pdf",
		"../../etc/passwd":                "passwd",
		"a\"b\r\nc.png":                   "abc.png",
		"":                                "receipt",
		"..":                              "receipt",
		strings.Repeat("é", 200) + ".png": strings.Repeat("é", 127),
	}
	for in, want := range cases {
		if got := expenses.ReceiptFileName(in); got != want {
			t.Errorf("ReceiptFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReceiptIsServedOnlyToPeopleWhoMayViewTheExpense(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	d := e.draft()
	d.Receipt = &expenses.Upload{Name: "taxi.jpg", Data: jpegBytes()}
	x, err := e.svc.Create(e.ctx, e.c.Owner, d, false)
	if err != nil {
		t.Fatal(err)
	}
	if !x.HasReceipt {
		t.Fatal("HasReceipt not set")
	}
	check := func(who *models.Employee, visible bool) {
		t.Helper()
		r, err := e.svc.Receipt(e.ctx, who, x.ID)
		switch {
		case visible && (err != nil || r.ContentType != "image/jpeg" || r.FileName != "taxi.jpg" || !bytes.Equal(r.Data, jpegBytes())):
			t.Errorf("%s: %v", who.FullName, err)
		case !visible && !errors.Is(err, expenses.ErrNotFound):
			t.Errorf("%s got the receipt of a %s expense: %v", who.FullName, x.Status, err)
		}
	}
	check(e.c.Owner, true)
	check(e.c.Manager, false) // still a draft
	check(e.c.Finance, false)
	x, err = e.svc.Submit(e.ctx, e.c.Owner, x.ID, x.Version)
	if err != nil {
		t.Fatal(err)
	}
	check(e.c.Manager, true)
	check(e.c.Finance, true)
	check(e.c.Peer, false)
	check(e.c.OtherManager, false)
}

func TestReceiptInfoDescribesTheReceiptWithoutItsBytesToTheSamePeopleAsReceipt(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	d := e.draft()
	d.Receipt = &expenses.Upload{Name: "hotel.pdf", Data: pdfBytes()}
	x, err := e.svc.Create(e.ctx, e.c.Owner, d, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []*models.Employee{e.c.Owner, e.c.Manager, e.c.Finance, e.c.Peer, e.c.OtherManager} {
		_, full := e.svc.Receipt(e.ctx, who, x.ID)
		info, err := e.svc.ReceiptInfo(e.ctx, who, x.ID)
		if (full == nil) != (err == nil) {
			t.Errorf("%s: Receipt says %v, ReceiptInfo says %v", who.FullName, full, err)
		}
		if err == nil && *info != (expenses.ReceiptMeta{FileName: "hotel.pdf", ContentType: "application/pdf", Size: int64(len(pdfBytes()))}) {
			t.Errorf("%s: %+v", who.FullName, *info)
		}
	}
	if _, err := e.svc.ReceiptInfo(e.ctx, e.c.Manager, x.ID); err != nil {
		t.Errorf("the manager of a submitted expense: %v", err)
	}
	if _, err := e.svc.ReceiptInfo(e.ctx, e.c.Peer, x.ID); !errors.Is(err, expenses.ErrNotFound) {
		t.Errorf("a colleague got the receipt's description: %v", err)
	}
	without := e.expenseOf(e.c.Owner, models.StatusDraft)
	if _, err := e.svc.ReceiptInfo(e.ctx, e.c.Owner, without.ID); !errors.Is(err, expenses.ErrNotFound) {
		t.Errorf("an expense without a receipt: %v, want ErrNotFound", err)
	}
}

func TestAttachReceiptReplacesTheOldOneAndRecordsIt(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	x := e.expenseOf(e.c.Owner, models.StatusDraft)
	x, err := e.svc.AttachReceipt(e.ctx, e.c.Owner, x.ID, x.Version, expenses.Upload{Name: "a.png", Data: pngBytes()})
	if err != nil {
		t.Fatal(err)
	}
	x, err = e.svc.AttachReceipt(e.ctx, e.c.Owner, x.ID, x.Version, expenses.Upload{Name: "b.pdf", Data: pdfBytes()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Receipt(e.ctx, e.c.Owner, x.ID)
	if err != nil || r.FileName != "b.pdf" || r.ContentType != "application/pdf" || r.Size != int64(len(pdfBytes())) {
		t.Errorf("receipt %+v, %v", r, err)
	}
	evs := e.events(x.ID)
	if last := evs[len(evs)-1]; last.Action != models.EventReceiptAttached || last.Comment != "b.pdf" {
		t.Errorf("history %+v", last)
	}
	_, err = e.svc.AttachReceipt(e.ctx, e.c.Owner, x.ID, x.Version, expenses.Upload{Name: "c.png", Data: exeBytes()})
	var fe expenses.FieldErrors
	if !errors.As(err, &fe) || len(e.events(x.ID)) != len(evs) {
		t.Errorf("an executable was attached or recorded: %v", err)
	}
}
