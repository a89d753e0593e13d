package accountlink

import "time"

// SetClock makes l (and the Service built on it) see now as the time.
func SetClock(l *Links, now func() time.Time) { l.now = now }
