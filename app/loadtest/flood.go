package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// floodClient is one browser of the flood, with the cookie and CSRF token
// of its own GET /login.
type floodClient struct {
	http  *http.Client
	token string
	ip    string
}

// loginFlood fires n simultaneous wrong sign-ins at base and reports the
// answers, their latency, the latency of other pages meanwhile and, with
// pid, the server's memory.
func loginFlood(base string, n int, forwarded bool, pid int) error {
	// One shared transport with enough idle connections, so that the flood
	// measures the server, not the client's dialling.
	tr := &http.Transport{MaxIdleConns: n + 16, MaxIdleConnsPerHost: n + 16, IdleConnTimeout: time.Minute}
	clients := make([]floodClient, n)
	var prepErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := newFloodClient(base, tr, i, forwarded)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && prepErr == nil {
				prepErr = err
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	if prepErr != nil {
		return prepErr
	}

	var rssBefore, hwmBefore int64 = -1, -1
	if pid > 0 {
		rssBefore, hwmBefore = procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM")
	}
	stop := make(chan struct{})
	var samplers sync.WaitGroup
	var peakRSS int64 = -1
	if pid > 0 {
		samplers.Add(1)
		go func() {
			defer samplers.Done()
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				if kb := procStatus(pid, "VmRSS"); kb > peakRSS {
					peakRSS = kb
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
	}
	probes := map[string]*[]time.Duration{"/healthz": {}, "/login": {}}
	probeFails := 0
	for path, lat := range probes {
		samplers.Add(1)
		go func() {
			defer samplers.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				start := time.Now()
				res, err := c.Get(base + path)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				mu.Lock()
				if err != nil || res.StatusCode != http.StatusOK {
					probeFails++
				} else {
					*lat = append(*lat, time.Since(start))
				}
				mu.Unlock()
			}
		}()
	}

	statuses := map[int]int{}
	var latencies []time.Duration
	errs := 0
	fire := make(chan struct{})
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"_csrf": {c.token}, "email": {fmt.Sprintf("flood-%d@example.com", i)}, "password": {"wrong-password-" + fmt.Sprint(i)}}
			req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
			if c.ip != "" {
				req.Header.Set("X-Forwarded-For", c.ip)
			}
			<-fire
			t0 := time.Now()
			res, err := c.http.Do(req)
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			statuses[res.StatusCode]++
			latencies = append(latencies, time.Since(t0))
		}()
	}
	close(fire)
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(300 * time.Millisecond) // one more memory sample after the flood
	close(stop)
	samplers.Wait()

	fmt.Printf("login flood: %d simultaneous POST /login in %s, %d transport errors\n", n, elapsed.Round(time.Millisecond), errs)
	codes := make([]int, 0, len(statuses))
	for code := range statuses {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		fmt.Printf("  %d %s: %d\n", code, http.StatusText(code), statuses[code])
	}
	fmt.Printf("  sign-in latency %s\n", percentiles(latencies))
	for _, path := range []string{"/healthz", "/login"} {
		fmt.Printf("  GET %s meanwhile: %d answers, %s\n", path, len(*probes[path]), percentiles(*probes[path]))
	}
	if probeFails > 0 {
		fmt.Printf("  %d probe requests failed\n", probeFails)
	}
	if pid > 0 {
		fmt.Printf("server memory: VmRSS before %d kB, peak sampled %d kB, after %d kB; VmHWM before %d kB, after %d kB\n",
			rssBefore, peakRSS, procStatus(pid, "VmRSS"), hwmBefore, procStatus(pid, "VmHWM"))
	}
	return nil
}

func newFloodClient(base string, tr http.RoundTripper, i int, forwarded bool) (floodClient, error) {
	jar, _ := cookiejar.New(nil)
	c := floodClient{http: &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if forwarded {
		// 198.18.0.0/15 is set aside for benchmarks (RFC 2544).
		c.ip = fmt.Sprintf("198.18.%d.%d", i/250, i%250+1)
	}
	token, err := loginToken(c.http, base)
	c.token = token
	return c, err
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	d = slices.Clone(d)
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[int(float64(len(d)-1)*p)].Round(time.Millisecond) }
	return fmt.Sprintf("p50 %s, p95 %s, p99 %s, max %s", at(.5), at(.95), at(.99), at(1))
}
