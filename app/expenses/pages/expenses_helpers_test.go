package pages_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/expenses"
	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/models"
)

// The demo accounts of README, and the people around them: Emily reports to
// Marcus, who reports to Helen; Fiona (finance) and Adam (admin) report to
// Helen; Liam is Emily's colleague under Marcus.
const (
	employee = "employee@example.com"
	manager  = "manager@example.com"
	finance  = "finance@example.com"
	admin    = "admin@example.com"
	helen    = "helen.novak@example.com"
	liam     = "liam.chen@example.com"
	finance2 = "daniel.okafor@example.com"
)

// world is a running app plus direct access to the expenses service, to set
// up expenses in any status quickly and to check what the HTTP side did.
type world struct {
	*apptest.Server
	svc  *expenses.Service
	ppl  *people.Service
	cats map[string]models.Category
	ctx  context.Context
}

var merchantSeq atomic.Int64

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := demoApp(t, apptest.Options{})
	w := &world{Server: srv, svc: expenses.NewService(srv.DB), ppl: srv.App.Web.People(), ctx: context.Background()}
	cats, err := expenses.EnsureCategories(w.ctx, srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	w.cats = cats
	return w
}

// person loads someone as the session middleware does.
func (w *world) person(t *testing.T, email string) *models.Employee {
	t.Helper()
	var id uint
	w.DB.Raw("SELECT id FROM users WHERE email = ?", email).Scan(&id)
	e, err := w.ppl.Get(w.ctx, id)
	if err != nil {
		t.Fatalf("load %s: %v", email, err)
	}
	return e
}

// browser is a browser signed in as email.
func (w *world) browser(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := w.Browser(t)
	b.Login(email, apptest.DemoPassword)
	return b
}

// uniqueMerchant returns a merchant name no other expense has, so that
// tests can find their own rows among the demo data.
func uniqueMerchant(prefix string) string {
	return fmt.Sprintf("%s %d", prefix, merchantSeq.Add(1))
}

func (w *world) draft(merchant string) expenses.Draft {
	return expenses.Draft{
		SpentOn:    time.Now().UTC().AddDate(0, 0, -3).Format(expenses.DateLayout),
		CategoryID: strconv.FormatUint(uint64(w.cats["Travel"].ID), 10),
		Amount:     "42.50", Currency: "EUR", Merchant: merchant, Description: "Train to the customer",
	}
}

// expense creates an expense of owner's and walks it through the workflow
// to status, each step taken by the person the rules require.
func (w *world) expense(t *testing.T, ownerEmail string, status models.Status) *models.Expense {
	t.Helper()
	return w.expenseWith(t, ownerEmail, status, w.draft(uniqueMerchant("Test merchant")))
}

func (w *world) expenseWith(t *testing.T, ownerEmail string, status models.Status, d expenses.Draft) *models.Expense {
	t.Helper()
	owner := w.person(t, ownerEmail)
	e, err := w.svc.Create(w.ctx, owner, d, status != models.StatusDraft)
	if err != nil {
		t.Fatalf("create expense: %v", err)
	}
	if status == models.StatusDraft || status == models.StatusSubmitted {
		return e
	}
	mgr := w.personByID(t, *owner.ManagerID)
	switch status {
	case models.StatusRejected:
		e, err = w.svc.Reject(w.ctx, mgr, e.ID, e.Version, "The date on the receipt does not match.")
	case models.StatusApproved, models.StatusReimbursed:
		e, err = w.svc.Approve(w.ctx, mgr, e.ID, e.Version, "")
	}
	if err != nil {
		t.Fatalf("decide on expense: %v", err)
	}
	if status == models.StatusReimbursed {
		payer := w.person(t, finance)
		if owner.UserID == payer.UserID {
			payer = w.person(t, finance2)
		}
		if e, err = w.svc.Reimburse(w.ctx, payer, e.ID, e.Version); err != nil {
			t.Fatalf("reimburse: %v", err)
		}
	}
	return e
}

func (w *world) personByID(t *testing.T, id uint) *models.Employee {
	t.Helper()
	e, err := w.ppl.Get(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// stored reads an expense straight from the database, or nil when it is
// gone.
func (w *world) stored(t *testing.T, id uint) *models.Expense {
	t.Helper()
	var e models.Expense
	if err := w.DB.Where("id = ?", id).Limit(1).Find(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 {
		return nil
	}
	return &e
}

func (w *world) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := w.DB.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func idString(id uint) string { return strconv.FormatUint(uint64(id), 10) }

// post sends an action form as the browser would, with the CSRF token from
// the given page and the expense's version, whether or not the page shows
// the form.
func post(t *testing.T, b *apptest.Browser, path string, version int, extra url.Values) *apptest.Response {
	t.Helper()
	form := url.Values{"_csrf": {b.CSRF("/profile")}, "version": {strconv.Itoa(version)}}
	for k, v := range extra {
		form[k] = v
	}
	return b.PostForm(path, form)
}

// multipartPost posts fields and an optional file as multipart/form-data.
func multipartPost(t *testing.T, b *apptest.Browser, base, path string, fields url.Values, fileName string, file []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("receipt", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.Do(req)
}

// pngBytes is a real, small PNG image.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 60))
	for x := range 40 {
		for y := range 60 {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 4), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// flashes returns the texts of the flash messages on a page, by kind.
func flashes(doc *goquery.Document, kind string) string {
	var out []string
	doc.Find(".flashes .alert-" + kind).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return strings.Join(out, " | ")
}
