// Package cache holds small in-process caches for values that every page
// reads and few requests change: read once, kept for a moment, dropped at
// once when this instance changes them.
package cache

import (
	"sync"
	"time"
)

// TTL keeps values for a fixed time after they were loaded, at most size of
// them. It is meant for numbers and lists that may be a moment out of date
// when another instance changes them (a menu badge, a select box's
// options), never for what decides access: sessions and roles are read on
// every request.
//
// Clear drops every value, and a load that was under way when Clear ran
// is not kept (it may have read the data before the change), so a write by
// this instance that calls Clear when it is done is seen by the next
// request. A write elsewhere is seen within the TTL.
type TTL[K comparable, V any] struct {
	ttl  time.Duration
	size int
	now  func() time.Time

	mu      sync.Mutex
	gen     uint64
	entries map[K]entry[V]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// NewTTL returns a cache keeping each value for ttl, and at most size
// values; now is the clock (time.Now outside tests).
func NewTTL[K comparable, V any](ttl time.Duration, size int, now func() time.Time) *TTL[K, V] {
	return &TTL[K, V]{ttl: ttl, size: max(size, 1), now: now, entries: make(map[K]entry[V])}
}

// Get returns the value for k: the kept one while it is fresh, otherwise
// what load returns, which is kept unless load fails or Clear ran
// meanwhile. Concurrent misses for one key each call load; the values are
// small and cheap enough that coalescing them is not worth its code.
func (c *TTL[K, V]) Get(k K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	now := c.now()
	if e, ok := c.entries[k]; ok && now.Before(e.expires) {
		c.mu.Unlock()
		return e.v, nil
	}
	gen := c.gen
	c.mu.Unlock()

	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.put(k, v, now)
	}
	return v, nil
}

// Clear drops every value.
func (c *TTL[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// Len is the number of values kept, fresh or not yet dropped.
func (c *TTL[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// put stores under c.mu. When the cache is full it first drops what has
// expired, and if everything is still fresh, everything: with a TTL of a
// second that costs one load per key, and the map never grows past size.
func (c *TTL[K, V]) put(k K, v V, loaded time.Time) {
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.size {
		for key, e := range c.entries {
			if !loaded.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.size {
			clear(c.entries)
		}
	}
	c.entries[k] = entry[V]{v: v, expires: loaded.Add(c.ttl)}
}
