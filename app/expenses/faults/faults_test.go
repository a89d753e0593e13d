package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/database"
	"github.com/company-expenses/company-expenses/models"
)

// Bounds of each run: the load lasts loadFor, 50 clients at once, and the
// server gets stopTimeout to exit after SIGTERM.
const (
	clients     = 50
	loadFor     = 8 * time.Second
	stopTimeout = 20 * time.Second
	password    = "expenses-demo"
	// inFlightMargin: a request sent this long before SIGTERM has surely
	// been read by the server on loopback, so it is in flight and must be
	// answered; one sent closer to the signal may race the listener's close.
	inFlightMargin = 250 * time.Millisecond
)

// The demo accounts the clients sign in as (app/seed): employees with their
// manager, the managers, and finance.
var (
	employees = map[string]string{ // employee → manager
		"employee@example.com": "manager@example.com", "liam.chen@example.com": "manager@example.com",
		"priya.patel@example.com": "manager@example.com", "noah.kim@example.com": "manager@example.com",
		"olivia.johnson@example.com": "sofia.martinez@example.com", "ethan.wright@example.com": "sofia.martinez@example.com",
		"grace.lee@example.com": "sofia.martinez@example.com",
	}
	managers = []string{"manager@example.com", "sofia.martinez@example.com"}
	payers   = []string{"finance@example.com", "daniel.okafor@example.com"}
)

// TestServerUnderLoad builds the server once and runs it twice on a fresh
// database with 50 clients going through the whole workflow: once
// undisturbed, once with SIGTERM half-way through the load.
func TestServerUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped under -short")
	}
	began := time.Now()
	bin := buildServer(t)
	t.Logf("server built in %v", time.Since(began).Round(time.Millisecond))

	// Every acknowledged write is in the database, no answer is a 5xx, and
	// each expense's history agrees with its status.
	t.Run("ConcurrentWorkflowLosesNoAcknowledgedWriteAndAnswersNo5xx", func(t *testing.T) {
		srv := startServer(t, bin)
		stats := runLoad(t, srv, loadFor, nil)
		if code := srv.stop(t); code != 0 {
			t.Errorf("server exited with %d after SIGTERM, want 0", code)
		}
		stats.report(t)
		stats.check(t, time.Time{})
		checkDatabase(t, srv.dbPath, stats, true)
	})

	// Requests in flight at SIGTERM are answered, the process exits 0, and
	// the database reopens intact with every acknowledged write.
	t.Run("SIGTERMMidLoadFinishesInFlightRequestsAndLosesNoAcknowledgedWrite", func(t *testing.T) {
		srv := startServer(t, bin)
		var mu sync.Mutex
		var signalled time.Time
		exit := make(chan int, 1)
		stats := runLoad(t, srv, loadFor, func() {
			mu.Lock()
			signalled = time.Now()
			mu.Unlock()
			go func() { exit <- srv.stop(t) }()
		})
		if code := <-exit; code != 0 {
			t.Errorf("server exited with %d after SIGTERM mid-load, want 0", code)
		}
		mu.Lock()
		at := signalled
		mu.Unlock()
		stats.report(t)
		stats.check(t, at)
		checkDatabase(t, srv.dbPath, stats, false)
	})
	t.Logf("load tests took %v in all", time.Since(began).Round(time.Millisecond))
}

// buildServer builds the module's main package into a temporary folder.
func buildServer(t *testing.T) string {
	t.Helper()
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "company-expenses")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type server struct {
	cmd    *exec.Cmd
	base   string
	dbPath string
	log    *bytes.Buffer
	once   sync.Once
	code   int
}

// startServer runs the binary on a free port with a fresh SQLite file in
// development (demo data seeded) and waits until /healthz answers.
func startServer(t *testing.T, bin string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	dir := t.TempDir()
	s := &server{base: "http://127.0.0.1:" + port, dbPath: filepath.Join(dir, "expenses.db"), log: &bytes.Buffer{}}
	s.cmd = exec.Command(bin)
	s.cmd.Dir = dir
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "APP_ENV=development", "PORT=" + port,
		"BASE_URL=" + s.base, "SQLITE_PATH=" + s.dbPath, "SEED_DEMO_DATA=true"}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v\n%s", err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for the process to exit, returning its exit
// code (-1 when it had to be killed).
func (s *server) stop(t *testing.T) int {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case <-done:
			s.code = s.cmd.ProcessState.ExitCode()
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-done
			s.code = -1
		}
	})
	return s.code
}

// ack is a write the client saw acknowledged: the expense and the status the
// acknowledged request moved it to.
type ack struct {
	id     uint
	status models.Status
}

// result is one request a client made.
type result struct {
	method, path string
	start, end   time.Time
	status       int
	err          error
}

type loadStats struct {
	mu       sync.Mutex
	results  []result
	acks     []ack
	duration time.Duration
}

func (s *loadStats) add(r result) {
	s.mu.Lock()
	s.results = append(s.results, r)
	s.mu.Unlock()
}

func (s *loadStats) acked(id uint, st models.Status) {
	s.mu.Lock()
	s.acks = append(s.acks, ack{id, st})
	s.mu.Unlock()
}

func (s *loadStats) report(t *testing.T) {
	var errs, fivexx int
	for _, r := range s.results {
		if r.err != nil {
			errs++
		} else if r.status >= 500 {
			fivexx++
		}
	}
	t.Logf("%d requests in %v (%.0f/s), %d transport errors, %d 5xx, %d acknowledged writes",
		len(s.results), s.duration.Round(time.Millisecond), float64(len(s.results))/s.duration.Seconds(), errs, fivexx, len(s.acks))
}

// check fails on any 5xx, and on any transport error of a request started
// before signalled (less the margin), or of any request when there was no
// signal.
func (s *loadStats) check(t *testing.T, signalled time.Time) {
	t.Helper()
	refusedAfter, answeredInFlight := 0, 0
	for _, r := range s.results {
		if !signalled.IsZero() && r.err == nil && r.start.Before(signalled) && r.end.After(signalled) {
			answeredInFlight++
		}
		switch {
		case r.err == nil && r.status >= 500:
			t.Errorf("%s %s: %d", r.method, r.path, r.status)
		case r.err != nil && (signalled.IsZero() || r.start.Before(signalled.Add(-inFlightMargin))):
			t.Errorf("%s %s started %v before the signal: %v", r.method, r.path, signalled.Sub(r.start), r.err)
		case r.err != nil:
			refusedAfter++
		}
	}
	if !signalled.IsZero() {
		t.Logf("%d requests in flight at SIGTERM were answered; %d sent around or after it were refused", answeredInFlight, refusedAfter)
	}
	if len(s.acks) < 20 {
		t.Errorf("only %d acknowledged writes: the load did not load", len(s.acks))
	}
}

// client is one simulated person with a browser-like cookie jar.
type client struct {
	http  *http.Client
	base  string
	email string
	csrf  string
	stats *loadStats
}

var (
	csrfRe     = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	categoryRe = regexp.MustCompile(`<option value="(\d+)"`)
	expenseRe  = regexp.MustCompile(`^/expenses/(\d+)$`)
)

func newClient(base, email string, stats *loadStats) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, email: email, stats: stats, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request and records it; it returns the status, the
// Location and the body.
func (c *client) do(method, path string, form url.Values) (int, string, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, "", "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r := result{method: method, path: path, start: time.Now()}
	res, err := c.http.Do(req)
	r.end = time.Now()
	if err != nil {
		r.err = err
		c.stats.add(r)
		return 0, "", "", err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	r.status = res.StatusCode
	if err != nil {
		r.err = err
	}
	c.stats.add(r)
	return res.StatusCode, res.Header.Get("Location"), string(b), err
}

// signIn signs in through the form, waiting and retrying while the server
// sheds sign-ins with 503 (password hashing is rationed).
func (c *client) signIn() error {
	for try := 0; try < 20; try++ {
		status, _, body, err := c.do(http.MethodGet, "/login", nil)
		if err != nil {
			return err
		}
		m := csrfRe.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil {
			return fmt.Errorf("GET /login: %d", status)
		}
		c.csrf = m[1]
		status, _, _, err = c.do(http.MethodPost, "/login", url.Values{"_csrf": {c.csrf}, "email": {c.email}, "password": {password}})
		if err != nil {
			return err
		}
		switch status {
		case http.StatusSeeOther:
			// Tokens are bound to the session, which sign-in starts: take
			// the signed-in pages' token, as a browser would.
			status, _, body, err := c.do(http.MethodGet, "/profile", nil)
			if err != nil {
				return err
			}
			if m = csrfRe.FindStringSubmatch(body); status != http.StatusOK || m == nil {
				return fmt.Errorf("GET /profile after sign-in: %d", status)
			}
			c.csrf = m[1]
			return nil
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
			continue
		}
		return fmt.Errorf("POST /login as %s: %d", c.email, status)
	}
	return fmt.Errorf("sign in as %s: still refused", c.email)
}

// versionOf reads the version the action form for action on expense id
// carries on the expense's page, or 0 when the page offers no such form.
func (c *client) versionOf(id uint, action string) (int, error) {
	_, _, body, err := c.do(http.MethodGet, "/expenses/"+strconv.FormatUint(uint64(id), 10), nil)
	if err != nil {
		return 0, err
	}
	re := regexp.MustCompile(`action="/expenses/` + strconv.FormatUint(uint64(id), 10) + `/` + action + `"[^>]*>(?s:.*?)name="version" value="(\d+)"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return 0, nil
	}
	return strconv.Atoi(m[1])
}

// act posts a workflow action and reports whether it was acknowledged
// (303 to the expense).
func (c *client) act(id uint, action string, extra url.Values) (bool, error) {
	v, err := c.versionOf(id, action)
	if err != nil || v == 0 {
		return false, err
	}
	form := url.Values{"_csrf": {c.csrf}, "version": {strconv.Itoa(v)}}
	for k, vs := range extra {
		form[k] = vs
	}
	status, _, _, err := c.do(http.MethodPost, "/expenses/"+strconv.FormatUint(uint64(id), 10)+"/"+action, form)
	return err == nil && status == http.StatusSeeOther, err
}

// runLoad signs in the clients, then runs them for d: employees create
// expenses (submitted at once, or saved and then submitted) and hand them to
// a client of their manager, who approves most and rejects some and hands
// the approved ones to a finance client, who reimburses them. Each expense
// goes to exactly one client at each step, so no two clients race for it.
// midway, when set, is called half-way through.
func runLoad(t *testing.T, srv *server, d time.Duration, midway func()) *loadStats {
	t.Helper()
	stats := &loadStats{}
	toManager := map[string]chan uint{}
	for _, m := range managers {
		toManager[m] = make(chan uint, 10000)
	}
	toFinance := make(chan uint, 10000)

	var cs []*client
	var roles []string
	emps := []string{}
	for e := range employees {
		emps = append(emps, e)
	}
	for i := range clients {
		switch {
		case i%10 < 6:
			cs, roles = append(cs, newClient(srv.base, emps[i%len(emps)], stats)), append(roles, "employee")
		case i%10 < 8:
			cs, roles = append(cs, newClient(srv.base, managers[i%len(managers)], stats)), append(roles, "manager")
		default:
			cs, roles = append(cs, newClient(srv.base, payers[i%len(payers)], stats)), append(roles, "finance")
		}
	}
	// Sign in a few at a time: hashing 50 passwords at once on two cores
	// says nothing about the workflow.
	sem := make(chan struct{}, 4)
	signInStart := time.Now()
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := c.signIn(); err != nil {
				t.Errorf("sign in: %v", err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d clients signed in in %v", len(cs), time.Since(signInStart).Round(time.Millisecond))
	stats.results = nil // the load is what is measured

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	if midway != nil {
		time.AfterFunc(d/2, midway)
	}
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			for n := 0; ctx.Err() == nil; n++ {
				var err error
				switch roles[i] {
				case "employee":
					err = c.claim(rng, n, toManager[employees[c.email]])
				case "manager":
					err = c.decide(ctx, rng, toManager[c.email], toFinance)
				default:
					err = c.pay(ctx, toFinance)
				}
				if err != nil && midway != nil {
					return // the server is going away
				}
			}
		}()
	}
	wg.Wait()
	stats.duration = time.Since(start)
	return stats
}

// claim creates one expense, submitted at once or saved and then submitted,
// and hands it to the manager.
func (c *client) claim(rng *rand.Rand, n int, manager chan<- uint) error {
	_, _, body, err := c.do(http.MethodGet, "/expenses/new", nil)
	if err != nil {
		return err
	}
	cat := categoryRe.FindStringSubmatch(body)
	if cat == nil {
		return errors.New("no category on the form")
	}
	submitNow := rng.IntN(2) == 0
	intent := "save"
	if submitNow {
		intent = "submit"
	}
	status, loc, _, err := c.do(http.MethodPost, "/expenses", url.Values{"_csrf": {c.csrf}, "intent": {intent},
		"spent_on": {time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")}, "category_id": {cat[1]},
		"amount": {fmt.Sprintf("%d.%02d", 1+rng.IntN(500), rng.IntN(100))}, "currency": {"EUR"},
		"merchant": {fmt.Sprintf("Load %s %d", c.email, n)}, "description": {"load test"}})
	if err != nil || status != http.StatusSeeOther {
		return err
	}
	m := expenseRe.FindStringSubmatch(loc)
	if m == nil {
		return fmt.Errorf("create answered 303 to %q", loc)
	}
	id64, _ := strconv.ParseUint(m[1], 10, 32)
	id := uint(id64)
	if submitNow {
		c.stats.acked(id, models.StatusSubmitted)
	} else {
		c.stats.acked(id, models.StatusDraft)
		ok, err := c.act(id, "submit", nil)
		if err != nil || !ok {
			return err
		}
		c.stats.acked(id, models.StatusSubmitted)
	}
	manager <- id
	return nil
}

// decide approves (or sometimes rejects) one expense from the queue.
func (c *client) decide(ctx context.Context, rng *rand.Rand, queue <-chan uint, finance chan<- uint) error {
	var id uint
	select {
	case id = <-queue:
	case <-ctx.Done():
		return nil
	}
	if rng.IntN(5) == 0 {
		ok, err := c.act(id, "reject", url.Values{"comment": {"Please attach the receipt."}})
		if ok {
			c.stats.acked(id, models.StatusRejected)
		}
		return err
	}
	ok, err := c.act(id, "approve", nil)
	if ok {
		c.stats.acked(id, models.StatusApproved)
		finance <- id
	}
	return err
}

// pay reimburses one approved expense from the queue.
func (c *client) pay(ctx context.Context, queue <-chan uint) error {
	var id uint
	select {
	case id = <-queue:
	case <-ctx.Done():
		return nil
	}
	ok, err := c.act(id, "reimburse", nil)
	if ok {
		c.stats.acked(id, models.StatusReimbursed)
	}
	return err
}

// workflowRank orders the statuses along the workflow, so that an expense
// is "at least" where its last acknowledged write put it.
var workflowRank = map[models.Status]int{models.StatusDraft: 0, models.StatusSubmitted: 1,
	models.StatusApproved: 2, models.StatusRejected: 2, models.StatusReimbursed: 3}

// checkDatabase opens the server's SQLite file directly: it must pass
// PRAGMA integrity_check, hold every acknowledged expense in at least the
// acknowledged state (exactly it when the load finished undisturbed), and
// every expense's last history entry must agree with its status.
func checkDatabase(t *testing.T, path string, stats *loadStats, exact bool) {
	t.Helper()
	db, err := database.Open("", path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("reopen database: %v", err)
	}
	defer func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	var integrity string
	if err := db.Raw("PRAGMA integrity_check").Scan(&integrity).Error; err != nil || integrity != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v", integrity, err)
	}
	last := map[uint]models.Status{}
	for _, a := range stats.acks {
		if workflowRank[a.status] >= workflowRank[last[a.id]] {
			last[a.id] = a.status
		}
	}
	for id, want := range last {
		var e models.Expense
		if err := db.Where("id = ?", id).Take(&e).Error; err != nil {
			t.Errorf("acknowledged expense %d is not in the database: %v", id, err)
			continue
		}
		if exact && e.Status != want {
			t.Errorf("expense %d is %s, the last acknowledged write made it %s", id, e.Status, want)
		}
		if !exact && (workflowRank[e.Status] < workflowRank[want] || want == models.StatusRejected && e.Status != want) {
			t.Errorf("expense %d is %s, behind its acknowledged %s", id, e.Status, want)
		}
	}
	type row struct {
		ID       uint
		Status   models.Status
		ToStatus *models.Status
	}
	var rows []row
	err = db.Raw(`SELECT e.id, e.status, (SELECT ev.to_status FROM expense_events ev WHERE ev.expense_id = e.id
		ORDER BY ev.at DESC, ev.id DESC LIMIT 1) AS to_status FROM expenses e`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ToStatus == nil || *r.ToStatus != r.Status {
			t.Errorf("expense %d is %s, its history ends in %v", r.ID, r.Status, r.ToStatus)
		}
	}
	t.Logf("database intact: %d expenses, %d acknowledged by the load", len(rows), len(last))
}
