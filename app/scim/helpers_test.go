package scim_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/database/dbtest"
)

// testToken is SCIM_TOKEN in these tests.
const testToken = "scim-test-token-0123456789-abcdefghij"

// newServer starts the app (development, demo company, the development
// identity provider) with SCIM_TOKEN set and env on top.
func newServer(t *testing.T, env map[string]string) *apptest.Server {
	t.Helper()
	e := map[string]string{"SCIM_TOKEN": testToken}
	for k, v := range env {
		e[k] = v
	}
	return apptest.New(t, apptest.Options{Env: e})
}

// eachServer runs f on the app over SQLite and, with TEST_DATABASE_URL, over
// PostgreSQL.
func eachServer(t *testing.T, env map[string]string, f func(t *testing.T, srv *apptest.Server)) {
	t.Helper()
	dbtest.EachEmptyDB(t, func(t *testing.T, db *gorm.DB) {
		e := map[string]string{"SCIM_TOKEN": testToken}
		for k, v := range env {
			e[k] = v
		}
		f(t, apptest.NewWithDB(t, db, slog.New(slog.DiscardHandler), apptest.Options{Env: e}))
	})
}

// client speaks SCIM to a test server with a bearer token.
type client struct {
	t     *testing.T
	base  string
	token string
}

func scimClient(t *testing.T, srv *apptest.Server) *client {
	return &client{t: t, base: srv.URL + "/scim/v2", token: testToken}
}

// answer is a SCIM response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c *client) do(method, path, body string) answer {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			c.t.Errorf("%s %s: Content-Type %q, want application/scim+json", method, path, ct)
		}
	}
	return a
}

// must fails the test unless the answer has status want.
func (a answer) must(t *testing.T, want int) answer {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d\n%s", a.status, want, a.raw)
	}
	return a
}

// get reads a value from the body by a dotted path; numbers index lists.
func (a answer) get(path string) any {
	var v any = a.body
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i := 0
			for _, ch := range part {
				i = i*10 + int(ch-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (a answer) str(path string) string {
	s, _ := a.get(path).(string)
	return s
}

// ssoSignIn signs in at the development identity provider as someone its
// picker does not offer (name and e-mail typed into its form) and returns
// the app's answer to the callback.
func ssoSignIn(t *testing.T, b *apptest.Browser, name, email string) *apptest.Response {
	t.Helper()
	res := b.Get("/auth/openid-connect")
	if res.StatusCode != http.StatusFound {
		t.Fatalf("GET /auth/openid-connect: status %d, want a redirect to the identity provider", res.StatusCode)
	}
	picker := b.Get(res.Location())
	form := picker.Doc(t).Find(`form[data-testid="devidp-new"]`).First()
	data := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		data.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	data.Set("name", name)
	data.Set("email", email)
	action, err := picker.Request.URL.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	answer := b.PostForm(action.String(), data)
	if answer.StatusCode != http.StatusSeeOther && answer.StatusCode != http.StatusFound {
		t.Fatalf("identity provider answered %d, want a redirect to the app's callback\n%s", answer.StatusCode, answer.Body)
	}
	return b.Get(answer.Location())
}

func count(t *testing.T, srv *apptest.Server, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := srv.DB.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// enterprise reads a string of the enterprise extension by a dotted path.
func (a answer) enterprise(path string) string {
	ext, _ := a.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	return answer{body: ext}.str(path)
}
