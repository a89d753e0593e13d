package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// target is one row of -runs: a page requested by one signed-in account
// ("" for signed out, as /healthz is).
type target struct {
	email, path string
}

// parseRuns reads -runs: comma-separated "email path" pairs, "-" for no
// sign-in, for example "finance@example.com /expenses?scope=all,- /healthz".
func parseRuns(s string) ([]target, error) {
	var ts []target
	for _, item := range strings.Split(s, ",") {
		email, path, ok := strings.Cut(strings.TrimSpace(item), " ")
		if !ok || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("-runs item %q: want \"email /path\" or \"- /path\"", item)
		}
		if email == "-" {
			email = ""
		}
		ts = append(ts, target{email: email, path: strings.TrimSpace(path)})
	}
	return ts, nil
}

// result is what one row of the table measured.
type result struct {
	name          string
	ok, failed    int
	dur           time.Duration
	p50, p99      time.Duration
	cpuPerRequest time.Duration // server CPU (user+system) divided by requests; 0 when unknown
	rssKB         int64
}

func (r result) reqPerSec() float64 { return float64(r.ok) / r.dur.Seconds() }

// measure requests base+path from workers clients for dur, and reads the
// server's CPU time from /proc/PID/stat before and after. CPU per request
// is the figure to compare on a shared machine: throughput and latency
// depend on what else runs, CPU time much less.
func measure(name string, clients []*http.Client, url string, dur time.Duration, pid int) result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    int
		wg        sync.WaitGroup
	)
	cpu0 := cpuTime(pid)
	start := time.Now()
	deadline := start.Add(dur)
	for _, c := range clients {
		wg.Go(func() {
			var local []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				t0 := time.Now()
				res, err := c.Get(url)
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
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			failed += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1 := cpuTime(pid)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(float64(len(latencies)-1)*p)]
	}
	r := result{name: name, ok: len(latencies), failed: failed, dur: elapsed, p50: pct(.5), p99: pct(.99), rssKB: procStatus(pid, "VmRSS")}
	if cpu0 >= 0 && cpu1 >= 0 && r.ok > 0 {
		r.cpuPerRequest = (cpu1 - cpu0) / time.Duration(r.ok)
	}
	return r
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the user plus system CPU time the process has used so far,
// from /proc/PID/stat (fields 14 and 15), or -1.
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// runTable measures every target in turn, then (with ceiling) the list
// component from memory, and prints a Markdown table.
func runTable(base, password string, workers int, dur time.Duration, targets []target, pid int, ceiling bool) error {
	var results []result
	for _, t := range targets {
		clients := make([]*http.Client, workers)
		for i := range clients {
			if t.email == "" {
				clients[i] = &http.Client{Timeout: 30 * time.Second}
				continue
			}
			c, err := signIn(base, t.email, password)
			if err != nil {
				return err
			}
			clients[i] = c
		}
		name := t.path
		if t.email != "" {
			name += " as " + strings.TrimSuffix(t.email, "@example.com")
		}
		results = append(results, measure(name, clients, base+t.path, dur, pid))
	}
	var ceil *result
	if ceiling {
		r, err := measureCeiling(workers, dur)
		if err != nil {
			return err
		}
		ceil = &r
		results = append(results, r)
	}
	fmt.Printf("%d connections, %s per row; server CPU per request from /proc/PID/stat\n\n", workers, dur)
	fmt.Println("| page | req/s | p50 | p99 | server CPU per request | server RSS | share of the ceiling's req/s | failed |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	failed := 0
	for _, r := range results {
		cpu, share := "unknown", ""
		if r.cpuPerRequest > 0 {
			cpu = fmt.Sprintf("%.3f ms", float64(r.cpuPerRequest)/float64(time.Millisecond))
		}
		if ceil != nil && ceil.reqPerSec() > 0 {
			share = fmt.Sprintf("%.0f %%", 100*r.reqPerSec()/ceil.reqPerSec())
		}
		rss := "unknown"
		if r.rssKB > 0 {
			rss = fmt.Sprintf("%.0f MB", float64(r.rssKB)/1024)
		}
		fmt.Printf("| %s | %.0f | %s | %s | %s | %s | %s | %d |\n", r.name, r.reqPerSec(),
			r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), cpu, rss, share, r.failed)
		failed += r.failed
	}
	if failed > 0 {
		return fmt.Errorf("%d requests failed", failed)
	}
	return nil
}

// ceilingAddr is where the ceiling server listens while it is measured.
const ceilingAddr = "127.0.0.1:18971"

// measureCeiling builds app/expenses/listceiling, starts it on the same
// database (it inherits DATABASE_URL or SQLITE_PATH), measures its
// /expenses and stops it.
func measureCeiling(workers int, dur time.Duration) (result, error) {
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("listceiling-%d", os.Getpid()))
	build := exec.Command("go", "build", "-o", bin, "./app/expenses/listceiling")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return result{}, fmt.Errorf("build the ceiling (run from the repository's root): %w", err)
	}
	defer os.Remove(bin)
	cmd := exec.Command(bin, "-addr", ceilingAddr)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	url := "http://" + ceilingAddr + "/expenses"
	for i := 0; ; i++ {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			break
		}
		if i == 100 {
			return result{}, fmt.Errorf("the ceiling did not start: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	clients := make([]*http.Client, workers)
	for i := range clients {
		clients[i] = &http.Client{Timeout: 30 * time.Second}
	}
	return measure("ceiling: the list component from memory", clients, url, dur, cmd.Process.Pid), nil
}
