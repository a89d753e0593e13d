package app_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/company-expenses/company-expenses/app/apptest"
	"github.com/company-expenses/company-expenses/app/sso"
)

// simpleSAMLphpDir is where Debian's simplesamlphp package installs the
// application (its www/ is the document root).
const simpleSAMLphpDir = "/usr/share/simplesamlphp"

// TestSAMLSignInThroughSimpleSAMLphpCreatesAnSSOEmployeeAndTheSecondSignInMatchesThem
// signs in through a real SAML identity provider, SimpleSAMLphp from
// Debian's packages, served by PHP's built-in server on loopback with a
// configuration this test writes: exampleauth:UserPass with one user, a
// persistent NameID from the uid attribute, signed assertions. A browser-like
// client (cookie jar, following redirects) starts at /auth/saml with a deep
// link, posts the IdP's login form, posts the SAMLResponse form to the ACS
// and lands on the deep link signed in as an SSO account.
func TestSAMLSignInThroughSimpleSAMLphpCreatesAnSSOEmployeeAndTheSecondSignInMatchesThem(t *testing.T) {
	t.Parallel()
	idp := startSimpleSAMLphp(t, requireSimpleSAMLphp(t))
	srv := appWithSimpleSAMLphp(t, idp)

	signIn := func() *goquery.Document {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		login := get(t, c, srv.URL+"/auth/saml?next=/profile")
		if !strings.HasPrefix(login.url, idp.url) {
			t.Fatalf("/auth/saml led to %s, want SimpleSAMLphp's login page\n%s", login.url, login.body)
		}
		form := login.doc.Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`input[name="password"]`).Length() > 0
		})
		if form.Length() == 0 {
			t.Fatalf("no login form at %s\n%s", login.url, login.body)
		}
		posted := submit(t, c, login, form, url.Values{"username": {"ann"}, "password": {"ann-password"}})
		// SimpleSAMLphp answers with its auto-submitting HTTP-POST form.
		acsForm := posted.doc.Find(`form`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`input[name="SAMLResponse"]`).Length() > 0
		})
		if acsForm.Length() == 0 {
			t.Fatalf("no SAMLResponse form after the login at %s\n%s", posted.url, posted.body)
		}
		if action := acsForm.AttrOr("action", ""); action != srv.URL+"/auth/saml/acs" {
			t.Fatalf("SAMLResponse posted to %q, want our ACS", action)
		}
		landed := submit(t, c, posted, acsForm, nil)
		if landed.url != srv.URL+"/profile" {
			t.Fatalf("landed on %s, want the deep link /profile\n%s", landed.url, landed.body)
		}
		return landed.doc
	}

	doc := signIn()
	if kind := strings.TrimSpace(doc.Find(`[data-testid="account-kind"]`).Text()); kind != "SSO · University SSO" {
		t.Errorf("profile menu says %q, want \"SSO · University SSO\"", kind)
	}
	if name := strings.TrimSpace(doc.Find(`[data-testid="profile-name"]`).Text()); name != "Ann Lee" {
		t.Errorf("signed in as %q, want Ann Lee (displayName)", name)
	}
	var local []bool
	srv.DB.Raw(`SELECT e.is_local_user FROM employees e JOIN users u ON u.id = e.user_id WHERE u.email = ?`, "ann.lee@uni.test").Scan(&local)
	if len(local) != 1 || local[0] {
		t.Fatalf("is_local_user of ann.lee@uni.test: %v, want one employee with false", local)
	}
	var subject, issuer string
	srv.DB.Raw(`SELECT subject FROM identities WHERE provider = 'saml'`).Scan(&subject)
	srv.DB.Raw(`SELECT issuer FROM identities WHERE provider = 'saml'`).Scan(&issuer)
	if subject != "ann" || issuer != idp.url+"/saml2/idp/metadata.php" {
		t.Errorf("identity (%q, %q), want the persistent NameID ann from the IdP's entity id", subject, issuer)
	}

	// A second sign-in, in a fresh browser: the same person, no new account.
	signIn()
	var users, identities int64
	srv.DB.Raw(`SELECT COUNT(*) FROM users`).Scan(&users)
	srv.DB.Raw(`SELECT COUNT(*) FROM identities`).Scan(&identities)
	if users != 1 || identities != 1 {
		t.Errorf("%d users and %d identities after two sign-ins, want 1 and 1", users, identities)
	}
}

// requireSimpleSAMLphp returns the php binary, or skips the test with what
// to install where SimpleSAMLphp is not there.
func requireSimpleSAMLphp(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php is not installed: apt-get install -y simplesamlphp php-xml (.ci/run does)")
	}
	if _, err := os.Stat(filepath.Join(simpleSAMLphpDir, "www", "saml2", "idp", "SSOService.php")); err != nil {
		t.Skip("SimpleSAMLphp is not installed at " + simpleSAMLphpDir + ": apt-get install -y simplesamlphp php-xml (.ci/run does)")
	}
	return php
}

// appWithSimpleSAMLphp starts the app, on an empty database, with idp as
// its SAML identity provider ("University SSO"), and registers it there.
func appWithSimpleSAMLphp(t *testing.T, idp *simpleSAMLphp) *apptest.Server {
	t.Helper()
	dir := t.TempDir()
	srv := apptest.New(t, apptest.Options{NoSeed: true, Env: map[string]string{
		"SSO_SAML_IDP_METADATA_URL": idp.url + "/saml2/idp/metadata.php",
		"SSO_SAML_NAME":             "University SSO",
		"SSO_SAML_CERT_FILE":        filepath.Join(dir, "sp.crt"),
		"SSO_SAML_KEY_FILE":         filepath.Join(dir, "sp.key"),
		"DEV_IDP":                   "off",
	}})
	idp.registerSP(t, srv.URL)
	return srv
}

// simpleSAMLphp is a running SimpleSAMLphp identity provider.
type simpleSAMLphp struct {
	url string
	dir string
}

// startSimpleSAMLphp writes a configuration into a temporary folder and
// serves SimpleSAMLphp with it on a free loopback port until the test ends.
func startSimpleSAMLphp(t *testing.T, php string) *simpleSAMLphp {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	idp := &simpleSAMLphp{url: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir}
	for _, d := range []string{"config", "metadata", "cert", "log", "data", "tmp", "sessions"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	kp, err := sso.NewSAMLKeyPair("simplesamlphp test idp")
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(kp.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "cert", "idp.key"), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	write(t, filepath.Join(dir, "cert", "idp.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kp.Certificate[0]})))

	write(t, filepath.Join(dir, "config", "config.php"), fmt.Sprintf(`<?php
$config = [
    'baseurlpath' => '%[1]s/',
    'certdir' => '%[2]s/cert/',
    'loggingdir' => '%[2]s/log/',
    'datadir' => '%[2]s/data/',
    'tempdir' => '%[2]s/tmp',
    'metadatadir' => '%[2]s/metadata/',
    'technicalcontact_name' => 'Test',
    'technicalcontact_email' => 'test@example.com',
    'timezone' => 'UTC',
    'secretsalt' => 'company-expenses-simplesamlphp-test-salt',
    'auth.adminpassword' => 'not-used-here-9f2c',
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'logging.level' => SimpleSAML\Logger::WARNING,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'admin' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => '%[2]s/sessions',
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'language.default' => 'en',
    'metadata.sources' => [['type' => 'flatfile']],
    // Debian keeps the attribute maps under /etc.
    'attributenamemapdir' => '/etc/simplesamlphp/attributemap/',
];
`, idp.url, dir))
	write(t, filepath.Join(dir, "config", "authsources.php"), `<?php
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => [
        'exampleauth:UserPass',
        'ann:ann-password' => [
            'uid' => ['ann'],
            'mail' => ['Ann.Lee@uni.test'],
            'displayName' => ['Ann Lee'],
            'isMemberOf' => ['staff', 'finance'],
        ],
    ],
];
`)
	write(t, filepath.Join(dir, "metadata", "saml20-idp-hosted.php"), `<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => true,
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
    'authproc' => [
        // A persistent NameID from the immutable uid attribute.
        10 => ['class' => 'saml:AttributeNameID', 'attribute' => 'uid',
            'Format' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
        // The Shibboleth OIDs, as a university IdP releases them.
        20 => ['class' => 'core:AttributeMap', 'name2oid'],
    ],
];
`)
	write(t, filepath.Join(dir, "metadata", "saml20-sp-remote.php"), "<?php\n")

	cmd := exec.Command(php, "-d", "display_errors=stderr", "-d", "error_reporting=E_ALL & ~E_DEPRECATED & ~E_NOTICE",
		"-S", "127.0.0.1:"+strconv.Itoa(port), "-t", filepath.Join(simpleSAMLphpDir, "www"))
	cmd.Env = append(os.Environ(), "SIMPLESAMLPHP_CONFIG_DIR="+filepath.Join(dir, "config"))
	logFile, err := os.Create(filepath.Join(dir, "php-server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start php -S: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			for _, f := range []string{"php-server.log", "log/simplesamlphp.log"} {
				if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					t.Logf("%s:\n%s", f, b)
				}
			}
		}
	})
	// Ready once the IdP's metadata answers.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(idp.url + "/saml2/idp/metadata.php")
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && strings.Contains(string(body), "IDPSSODescriptor") {
				break
			}
			err = fmt.Errorf("status %d: %.300s", res.StatusCode, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("SimpleSAMLphp did not serve its metadata: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return idp
}

// registerSP tells SimpleSAMLphp about the app's service provider, from the
// app's own metadata (entity id, ACS and certificate), as an administrator
// would.
func (idp *simpleSAMLphp) registerSP(t *testing.T, appURL string) {
	t.Helper()
	res, err := http.Get(appURL + "/auth/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	cert := strings.Join(strings.Fields(doc.Find("ds\\:X509Certificate, X509Certificate").First().Text()), "")
	if _, err := base64.StdEncoding.DecodeString(cert); err != nil || cert == "" {
		t.Fatalf("no certificate in the SP metadata:\n%s", body)
	}
	write(t, filepath.Join(idp.dir, "metadata", "saml20-sp-remote.php"), fmt.Sprintf(`<?php
$metadata['%[1]s/auth/saml/metadata'] = [
    'AssertionConsumerService' => [[
        'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        'Location' => '%[1]s/auth/saml/acs',
    ]],
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    'certData' => '%[2]s',
    'validate.authnrequest' => true,
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
];
`, appURL, cert))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// page is a fetched page: where the redirects ended, and its HTML.
type page struct {
	url  string
	body string
	doc  *goquery.Document
}

func read(t *testing.T, res *http.Response, err error) page {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", res.Request.URL, res.StatusCode, body)
	}
	return page{url: res.Request.URL.String(), body: string(body), doc: doc}
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	res, err := c.Get(u)
	return read(t, res, err)
}

// submit posts form (on p) with its fields, overridden by values, to its
// action, as a browser would.
func submit(t *testing.T, c *http.Client, p page, form *goquery.Selection, values url.Values) page {
	t.Helper()
	fields := url.Values{}
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		if typ := s.AttrOr("type", ""); typ != "submit" && typ != "button" {
			fields.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
		}
	})
	for k, v := range values {
		fields[k] = v
	}
	base, _ := url.Parse(p.url)
	action, err := base.Parse(form.AttrOr("action", ""))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.PostForm(action.String(), fields)
	return read(t, res, err)
}
