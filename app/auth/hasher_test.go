package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/company-expenses/company-expenses/app/auth"
)

// With every slot held, a further caller is refused with ErrBusy, and f
// never runs; once a slot is given back the next caller gets it.
func TestHasherRefusesSurplusCallersWithErrBusyWhileAllSlotsAreHeld(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(3, 10*time.Millisecond)
	ctx := context.Background()
	var releases []func()
	for range h.Slots() {
		release, err := h.Acquire(ctx)
		if err != nil {
			t.Fatalf("Acquire with free slots: %v", err)
		}
		releases = append(releases, release)
	}
	ran := false
	if err := h.Do(ctx, func() error { ran = true; return nil }); !errors.Is(err, auth.ErrBusy) {
		t.Fatalf("Do with every slot held = %v, want ErrBusy", err)
	}
	if ran {
		t.Error("Do ran f without a slot")
	}
	releases[0]()
	if err := h.Do(ctx, func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("Do after a slot came free = %v (ran %v), want it to run", err, ran)
	}
	for _, r := range releases[1:] {
		r()
	}
}

func TestHasherGivesUpWhenTheRequestEnds(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(1, time.Hour)
	release, err := h.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire on an ended request = %v, want context.Canceled", err)
	}
}

// However many callers arrive at once, no more than Slots run f together.
func TestHasherNeverRunsMoreThanItsSlotsAtOnce(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(2, time.Hour)
	var running, most atomic.Int32
	done := make(chan error)
	for range 20 {
		go func() {
			done <- h.Do(context.Background(), func() error {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(time.Millisecond) // let others pile up
				running.Add(-1)
				return nil
			})
		}()
	}
	for range 20 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if m := most.Load(); m > 2 {
		t.Errorf("%d ran at once, want at most 2", m)
	}
}

func TestDefaultHashSlotsIsBetweenOneAndFour(t *testing.T) {
	t.Parallel()
	if n := auth.DefaultHashSlots(); n < 1 || n > 4 {
		t.Errorf("DefaultHashSlots() = %d", n)
	}
}
