package auth

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy means every password-hashing slot stayed taken for the whole
// wait. The caller should answer 503 with Retry-After rather than queue.
var ErrBusy = errors.New("auth: too many password checks at once")

// Hasher bounds how many password hashes (HashPassword, VerifyPassword,
// BurnPasswordCheck) run at once. Each Argon2id hash allocates 19 MiB, so
// without a bound a burst of sign-ins costs memory in proportion to the
// burst (200 at once took a server past 3 GiB) and makes every sign-in
// slow. With a bound, memory stays at about slots × 19 MiB, the surplus is
// refused quickly, and the rest of the app keeps answering.
//
// Build one per process (app/app.go) and hand it to everything that
// hashes passwords: the bound only works if every prompt shares it.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// DefaultHashSlots is GOMAXPROCS, at most 3. Argon2id with p=1 is one
// CPU-bound goroutine per hash, so more slots than cores would add memory
// without adding throughput; and each slot costs about 20 MB at peak, so
// three keep a flood of sign-ins under 150 MB RSS (measured with
// app/loadtest -login-flood: 125 MB with three slots, 154 MB with four).
func DefaultHashSlots() int { return min(max(runtime.GOMAXPROCS(0), 1), 3) }

// DefaultHashWait is how long a caller waits for a slot before ErrBusy:
// long enough to ride out a short burst, short enough that a flood is
// refused rather than queued.
const DefaultHashWait = 2 * time.Second

// NewHasher returns a Hasher with the given number of slots (at least 1)
// and wait.
func NewHasher(slots int, wait time.Duration) *Hasher {
	return &Hasher{slots: make(chan struct{}, max(slots, 1)), wait: wait}
}

// Slots is the number of hashes that may run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

// Acquire takes a slot, waiting at most the Hasher's wait (or until ctx
// ends), and returns the function that gives it back. It returns ErrBusy
// when no slot came free in time, or ctx's error when ctx ended first.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	default:
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return h.release, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Do runs f, which may hash passwords, in a slot; see Acquire. Run one
// hash after another inside f, never several at once. Use Do rather than
// Acquire for hashing: it also gives the memory back.
func (h *Hasher) Do(ctx context.Context, f func() error) error {
	release, err := h.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	// Collect the hash's 19 MiB at once, while the slot is still held.
	// Left to the pacer, a burst of hashes lets the heap grow to twice the
	// memory in use (about 105 MB with two slots) and the process keeps
	// those pages: 500 sign-ins at once peaked at 170 MB RSS, and 97 MB
	// with this collection. The argon2 blocks hold no pointers, so the
	// collection is cheap next to the hash (a few ms against 60 ms).
	defer runtime.GC()
	return f()
}
