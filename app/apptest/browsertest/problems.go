package browsertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Problem is something the browser reported while pages loaded.
type Problem struct {
	Kind, Text, Where string
}

func (p Problem) String() string {
	if p.Where == "" {
		return p.Kind + ": " + p.Text
	}
	return p.Kind + ": " + p.Text + " (" + p.Where + ")"
}

// Problems collects uncaught exceptions, console.error calls and error-level
// or security entries of the browser log (where Content-Security-Policy
// violations and failed loads appear) for the rest of the test.
type Problems struct {
	mu   sync.Mutex
	list []Problem
	seen chan struct{} // receives (without blocking) on each new problem
}

// WatchProblems starts collecting. chromedp enables the Runtime and Log
// domains when it attaches a tab; Log is enabled again here (it is
// idempotent) because CSP violations only arrive through it.
func (b *Tab) WatchProblems() *Problems {
	b.T.Helper()
	if _, err := chromedp.Call(b.Ctx, log.Enable, cdp.Empty{}); err != nil {
		b.T.Fatalf("enable the Log domain: %v", err)
	}
	p := &Problems{seen: make(chan struct{}, 1)}
	err := chromedp.Listen(b.Ctx, func(ev any) {
		// Runs in the tab's read loop: record and return.
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			p.add(Problem{"exception", text, fmt.Sprintf("%s:%d", d.URL, d.LineNumber+1)})
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				switch {
				case a.Description != "":
					parts = append(parts, a.Description)
				case len(a.Value) > 0:
					parts = append(parts, string(a.Value))
				}
			}
			p.add(Problem{"console." + string(ev.Type), strings.Join(parts, " "), ""})
		case *log.EventEntryAdded:
			e := ev.Entry
			if e == nil || (e.Level != log.EntryLevelError && e.Source != log.EntrySourceSecurity) {
				return
			}
			p.add(Problem{"log " + string(e.Source) + "/" + string(e.Level), e.Text, e.URL})
		}
	})
	if err != nil {
		b.T.Fatalf("listen to the tab's events: %v", err)
	}
	return p
}

func (p *Problems) add(pp Problem) {
	p.mu.Lock()
	p.list = append(p.list, pp)
	p.mu.Unlock()
	select {
	case p.seen <- struct{}{}:
	default:
	}
}

// Take returns the problems collected so far and forgets them.
func (p *Problems) Take() []Problem {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.list
	p.list = nil
	return list
}

// WaitAny waits until at least one problem has been collected.
func (p *Problems) WaitAny(ctx context.Context) error {
	for {
		p.mu.Lock()
		n := len(p.list)
		p.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-p.seen:
		case <-ctx.Done():
			return errors.New("no problem reported before the deadline")
		}
	}
}

// CheckCSPRefusesInlineScript injects an inline script into the page and
// fails the test unless the browser refused to run it and p heard of it as
// a Content-Security-Policy violation. It proves the policy, and that p
// hears violations at all: without it, "no problems" proves nothing.
func (b *Tab) CheckCSPRefusesInlineScript(p *Problems) {
	b.T.Helper()
	p.Take()
	b.Do("inject an inline script", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.__browsertestInlineRan = true";
		document.head.appendChild(s);
	})()`))
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	if err := p.WaitAny(ctx); err != nil {
		b.T.Fatalf("an inline script was injected, but the browser reported no CSP violation: %v", err)
	}
	ran, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`window.__browsertestInlineRan === true`))
	if err != nil {
		b.T.Fatal(err)
	}
	if ran {
		b.T.Errorf("an injected inline script ran: the Content-Security-Policy allows inline script")
	}
	reported := p.Take()
	if !slices.ContainsFunc(reported, func(pp Problem) bool { return strings.Contains(pp.Text, "Content Security Policy") }) {
		b.T.Errorf("the injected inline script was reported, but not as a CSP violation: %v", reported)
	}
}

// CheckPagesLoadCleanly opens each signed-in page (a path, shown with the
// navigation widget) and fails the test when it ends elsewhere, when its
// deferred scripts did not run (htmx is not there), or when p collected an
// exception, a console error or a Content-Security-Policy violation on it.
func (b *Tab) CheckPagesLoadCleanly(p *Problems, paths ...string) {
	b.T.Helper()
	for _, path := range paths {
		b.Open(path)
		b.WaitVisible(`[data-testid="navigation-widget"]`)
		if got := b.Path(); got != path {
			b.T.Errorf("GET %s ended at %s", path, got)
		}
		htmx, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`typeof window.htmx === "object"`))
		if err != nil {
			b.T.Fatalf("check scripts on %s: %v", path, err)
		}
		if !htmx {
			b.T.Errorf("%s: htmx did not load", path)
		}
		for _, pp := range p.Take() {
			b.T.Errorf("%s: %s", path, pp)
		}
	}
}
