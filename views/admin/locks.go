package admin

// LocksPage lists the sign-in throttle's current locks for administrators.
type LocksPage struct {
	Rows []LockRow
	// Window is the throttle's window, written for people ("15 minutes").
	Window string
}

// LockRow is one lock: what it locks, how many attempts it counts, when it
// frees up by itself, and the fields its "Clear" form posts back.
type LockRow struct {
	KindLabel string // "Account", "Account from one address", …
	Help      string // who is refused while it lasts
	Account   string
	Address   string
	Failures  int64
	FreesAt   string // "14:05 UTC"
	FreesIn   string // "in 12 minutes"

	Kind   string
	Email  string
	IP     string
	Device string
}
