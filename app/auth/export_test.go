package auth

import "time"

// SetClock replaces the clock of s, for tests that need exact times.
func SetClock(s *Sessions, now func() time.Time) { s.now = now }
