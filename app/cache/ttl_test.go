package cache_test

import (
	"errors"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/cache"
)

// clock is a hand-moved time for the cache.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// source counts how often the cache loads, and returns its current value.
type source struct {
	value int
	loads int
}

func (s *source) load() (int, error) {
	s.loads++
	return s.value, nil
}

func get(t *testing.T, c *cache.TTL[string, int], k string, s *source) int {
	t.Helper()
	v, err := c.Get(k, s.load)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTTLServesAStaleValueForAtMostItsTTL(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[string, int](time.Second, 10, clk.now)
	s := &source{value: 1}
	if v := get(t, c, "k", s); v != 1 {
		t.Fatalf("first read %d, want 1", v)
	}
	s.value = 2 // changed elsewhere: another instance
	clk.t = clk.t.Add(999 * time.Millisecond)
	if v := get(t, c, "k", s); v != 1 || s.loads != 1 {
		t.Errorf("within the TTL: %d after %d loads, want the kept 1 after 1", v, s.loads)
	}
	clk.t = clk.t.Add(time.Millisecond)
	if v := get(t, c, "k", s); v != 2 || s.loads != 2 {
		t.Errorf("at the TTL: %d after %d loads, want a fresh 2 after 2", v, s.loads)
	}
}

func TestTTLClearMakesTheNextGetLoadAgain(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[string, int](time.Minute, 10, clk.now)
	s := &source{value: 1}
	get(t, c, "k", s)
	s.value = 2 // changed here, then Clear, as the writes of this instance do
	c.Clear()
	if v := get(t, c, "k", s); v != 2 {
		t.Errorf("after Clear: %d, want 2", v)
	}
}

func TestTTLDoesNotKeepALoadThatClearOvertook(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[string, int](time.Minute, 10, clk.now)
	// A read that saw the old value while a write committed and cleared
	// the cache: what it read must not be kept for a minute.
	v, _ := c.Get("k", func() (int, error) {
		c.Clear()
		return 1, nil
	})
	if v != 1 {
		t.Fatalf("the load's own answer: %d, want 1", v)
	}
	s := &source{value: 2}
	if v := get(t, c, "k", s); v != 2 || s.loads != 1 {
		t.Errorf("after the overtaken load: %d after %d loads, want a fresh 2", v, s.loads)
	}
}

func TestTTLKeepsEachKeyApart(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[string, int](time.Minute, 10, clk.now)
	get(t, c, "manager", &source{value: 3})
	if v := get(t, c, "finance", &source{value: 40}); v != 40 {
		t.Errorf("finance reads %d, want its own 40", v)
	}
	if v := get(t, c, "manager", &source{value: 99}); v != 3 {
		t.Errorf("manager reads %d, want its kept 3", v)
	}
}

func TestTTLDoesNotKeepFailedLoads(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[string, int](time.Minute, 10, clk.now)
	boom := errors.New("database down")
	if _, err := c.Get("k", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	if v := get(t, c, "k", &source{value: 5}); v != 5 {
		t.Errorf("after a failed load: %d, want a fresh 5", v)
	}
}

func TestTTLHoldsAtMostSizeValues(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c := cache.NewTTL[int, int](time.Minute, 3, func() time.Time { return clk.t })
	for k := range 10 {
		if _, err := c.Get(k, func() (int, error) { return k, nil }); err != nil {
			t.Fatal(err)
		}
		if n := c.Len(); n > 3 {
			t.Fatalf("after %d keys the cache holds %d, more than 3", k+1, n)
		}
	}
	// Expired values make room first; fresh ones stay.
	clk.t = clk.t.Add(2 * time.Minute)
	c.Get(100, func() (int, error) { return 100, nil })
	c.Get(101, func() (int, error) { return 101, nil })
	if v, _ := c.Get(100, func() (int, error) { return -1, nil }); v != 100 {
		t.Errorf("a fresh value was dropped to make room: got %d", v)
	}
}

// TestTTLIsSafeForConcurrentUse runs readers and Clear at once; with -race
// it fails on any unguarded access.
func TestTTLIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c := cache.NewTTL[int, int](time.Millisecond, 8, time.Now)
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 500 {
				if v, err := c.Get(i%10, func() (int, error) { return i % 10, nil }); err != nil || v != i%10 {
					t.Errorf("worker %d: Get(%d) = %d, %v", w, i%10, v, err)
					return
				}
				if i%50 == 0 {
					c.Clear()
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
