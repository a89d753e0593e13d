package admin

// AuditPage is the administrators' audit log: one page of events, newest
// first, the filters as chosen, and the links to the neighbouring pages and
// the CSV export, all keeping the filters.
type AuditPage struct {
	Rows []AuditRow
	// Person and Kind are the filters as in the URL ("" for all).
	Person string
	Kind   string
	// Errors are the filters' messages, by field ("person", "kind").
	Errors  map[string]string
	People  []Option
	Kinds   []Option
	Filters bool // some filter is set (the page offers to clear them)

	NewestURL string // "" on the newest page
	NewerURL  string
	OlderURL  string
	ExportURL string
	ClearURL  string
	// Retention says how long events are kept ("1 year", "forever").
	Retention string
}

// AuditRow is one event as the page shows it.
type AuditRow struct {
	ID        string
	At        string // "2026-12-01 14:05:09 UTC"
	Kind      string
	KindLabel string
	// Actor and Subject are names (or "System", "Identity provider
	// openid-connect"); their URLs filter the log by that person.
	Actor, ActorURL     string
	Subject, SubjectURL string
	IP                  string
	UserAgent           string
	Detail              string
}

// kindClass is the badge colour of a kind: failures and removals stand out.
func kindClass(kind string) string {
	switch kind {
	case "sign_in.failed", "account.deactivated", "sso.unlinked", "scim.user_deactivated", "scim.token_revoked", "sso.backchannel_logout":
		return "warn"
	case "account.roles_changed", "account.bootstrap_admin", "account.password_set", "sign_in.lock_cleared", "settings.changed", "scim.token_created":
		return "change"
	}
	return "plain"
}
