// Command loadtest signs in as a demo account and requests pages of a running
// Company Expenses server from several workers for a fixed time, then prints
// throughput and latency percentiles. It talks only to the URL it is given,
// which should be your own server (by default on localhost).
//
//	go run . &                                  # or the built binary
//	go run ./app/loadtest -c 8 -d 10s -pages /,/profile
//
// With -pid it also reports the server's resident memory before and after.
//
// With -runs it measures several pages one after the other, each as its
// own account, and prints a table of req/s, p50, p99, the server's CPU time
// per request (from /proc/PID/stat, so give -pid) and its RSS; -ceiling
// adds the list component rendering the same 25 rows from memory
// (app/expenses/listceiling, built and started on the same database) and
// each row's share of its throughput. README "Speed and memory" has the
// commands for the whole table (app/loadtest/table.sh).
//
// With -login-flood N it instead fires N simultaneous sign-ins with wrong
// passwords for made-up accounts (every one costs a password hash), while
// it samples the server's memory (VmRSS, VmHWM from /proc/PID/status, so
// give -pid) and the latency of GET /healthz and GET /login. Run the server
// with TRUST_PROXY=true and pass -forwarded to spread the attempts over
// made-up addresses, so that the per-address throttle does not stop them
// before they are hashed:
//
//	TRUST_PROXY=true go run . & go run ./app/loadtest -login-flood 500 -forwarded -pid $!
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://localhost:8080", "server to load (your own)")
	email := flag.String("email", "finance@example.com", "demo account to sign in as")
	password := flag.String("password", "expenses-demo", "its password")
	workers := flag.Int("c", 8, "concurrent workers")
	dur := flag.Duration("d", 10*time.Second, "how long to run (at most 5m)")
	pages := flag.String("pages", "/,/profile", "comma-separated paths to request in turn")
	pid := flag.Int("pid", 0, "server process id, to report its resident memory")
	flood := flag.Int("login-flood", 0, "fire this many simultaneous sign-ins instead (at most 2000)")
	forwarded := flag.Bool("forwarded", false, "with -login-flood: send each sign-in from a made-up X-Forwarded-For address")
	runs := flag.String("runs", "", `measure each of these in turn and print a table: comma-separated "email /path" ("- /path": signed out)`)
	ceiling := flag.Bool("ceiling", false, "with -runs: also measure the list component from memory (app/expenses/listceiling)")
	flag.Parse()
	if *dur > 5*time.Minute {
		*dur = 5 * time.Minute
	}
	if *runs != "" {
		targets, err := parseRuns(*runs)
		if err == nil {
			err = runTable(*base, *password, *workers, *dur, targets, *pid, *ceiling)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *flood > 0 {
		if err := loginFlood(*base, min(*flood, 2000), *forwarded, *pid); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*base, *email, *password, *workers, *dur, strings.Split(*pages, ","), *pid); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn returns a client whose cookie jar holds a signed-in session.
func signIn(base, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token, err := loginToken(c, base)
	if err != nil {
		return nil, err
	}
	res, err := c.PostForm(base+"/login", url.Values{"_csrf": {token}, "email": {email}, "password": {password}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: status %d", email, res.StatusCode)
	}
	return c, nil
}

func run(base, email, password string, workers int, dur time.Duration, pages []string, pid int) error {
	if pid > 0 {
		fmt.Printf("server RSS before: %s\n", rss(pid))
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	for w := 0; w < workers; w++ {
		c, err := signIn(base, email, password)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local []time.Duration
			bad := 0
			for i := w; time.Now().Before(deadline); i++ {
				start := time.Now()
				res, err := c.Get(base + pages[i%len(pages)])
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					bad++
					continue
				}
				local = append(local, time.Since(start))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			failures += bad
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(float64(len(latencies)-1)*p)]
	}
	fmt.Printf("pages %v, %d workers, %s\n", pages, workers, dur)
	fmt.Printf("requests %d ok, %d failed, %.0f req/s\n", len(latencies), failures, float64(len(latencies))/dur.Seconds())
	fmt.Printf("latency p50 %s, p95 %s, p99 %s, max %s\n", pct(.5), pct(.95), pct(.99), pct(1))
	if pid > 0 {
		fmt.Printf("server RSS after: %s\n", rss(pid))
	}
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}

// rss reads a process's resident set size from /proc (Linux).
func rss(pid int) string {
	if kb := procStatus(pid, "VmRSS"); kb >= 0 {
		return fmt.Sprintf("%d kB", kb)
	}
	return "unknown"
}

// procStatus reads one field of /proc/PID/status in kB, or -1.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb
			}
		}
	}
	return -1
}

// loginToken fetches the sign-in page with c, as a browser would, and
// returns the CSRF token of its form (bound to c's pre-session cookie).
func loginToken(c *http.Client, base string) (string, error) {
	res, err := c.Get(base + "/login")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("no CSRF token on %s/login", base)
	}
	return string(m[1]), nil
}
