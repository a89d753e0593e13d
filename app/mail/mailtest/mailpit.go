// Package mailtest runs a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit, installed by .ci/run), started on free
// loopback ports, with its HTTP API to read back what it received.
package mailtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Mailpit is a running Mailpit server.
type Mailpit struct {
	t        testing.TB
	bin      string
	args     []string
	smtpAddr string
	apiURL   string
	cmd      *exec.Cmd
}

// Options change how Mailpit runs.
type Options struct {
	// AllowedRecipients, a regular expression, makes Mailpit refuse every
	// other recipient with a permanent (5xx) reply.
	AllowedRecipients string
}

// Binary returns the path of the mailpit binary, looked for on PATH and in
// $(go env GOPATH)/bin, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start starts Mailpit on free loopback ports and stops it when the test
// ends. The test is skipped when mailpit is not installed.
func Start(t testing.TB, opts Options) *Mailpit {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("mailpit is not installed (on PATH or in $(go env GOPATH)/bin): " +
			"go install github.com/axllent/mailpit@v1.33.1, as .ci/run does, to run the SMTP tests")
	}
	m := &Mailpit{t: t, bin: bin, smtpAddr: freeAddr(t)}
	httpAddr := freeAddr(t)
	m.apiURL = "http://" + httpAddr
	m.args = []string{
		"--smtp", m.smtpAddr, "--listen", httpAddr,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns", "--quiet",
	}
	if opts.AllowedRecipients != "" {
		m.args = append(m.args, "--smtp-allowed-recipients", opts.AllowedRecipients)
	}
	m.Restart()
	t.Cleanup(m.Stop)
	return m
}

// SMTPURL is the SMTP_URL that reaches this server (loopback: no TLS).
func (m *Mailpit) SMTPURL() string { return "smtp://" + m.smtpAddr }

// Stop stops the server; sending to it then fails as a server outage does.
func (m *Mailpit) Stop() {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
	m.cmd = nil
	// Wait until the port is closed, so a send after Stop really fails.
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", m.smtpAddr, 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart starts the server (again, after Stop) on the same ports and waits
// until it answers. The messages it had are kept (its database is a file).
func (m *Mailpit) Restart() {
	m.t.Helper()
	if m.cmd != nil {
		return
	}
	cmd := exec.Command(m.bin, m.args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("start mailpit: %v", err)
	}
	m.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.apiURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if c, err := net.DialTimeout("tcp", m.smtpAddr, time.Second); err == nil {
					c.Close()
					return
				}
			}
		}
		if time.Now().After(deadline) {
			m.Stop()
			m.t.Fatalf("mailpit did not answer on %s within 30 s", m.apiURL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Address is a sender or recipient as Mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Message is a received message as Mailpit's API reports it.
type Message struct {
	ID      string
	From    Address
	To      []Address
	Subject string
	Text    string
	HTML    string
}

// Messages returns every message received, newest first, with its text
// and HTML parts.
func (m *Mailpit) Messages() []Message {
	m.t.Helper()
	var list struct {
		Total    int
		Messages []Message
	}
	m.get("/api/v1/messages?limit=1000", &list)
	if list.Total != len(list.Messages) {
		m.t.Fatalf("mailpit has %d messages, listed %d", list.Total, len(list.Messages))
	}
	for i := range list.Messages {
		m.get("/api/v1/message/"+url.PathEscape(list.Messages[i].ID), &list.Messages[i])
	}
	return list.Messages
}

func (m *Mailpit) get(path string, into any) {
	m.t.Helper()
	resp, err := http.Get(m.apiURL + path)
	if err != nil {
		m.t.Fatalf("mailpit API %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit API %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		m.t.Fatalf("mailpit API %s: %v", path, err)
	}
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// String describes the server, for test logs.
func (m *Mailpit) String() string { return fmt.Sprintf("mailpit smtp=%s api=%s", m.smtpAddr, m.apiURL) }
