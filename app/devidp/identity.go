package devidp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Limits on what "someone new" may type. They keep ID tokens small and match
// what the app can store.
const (
	maxNameRunes  = 100
	maxEmailBytes = 254
	// maxRemembered bounds the people created on the picker that it offers
	// again as buttons; the oldest are forgotten first.
	maxRemembered = 50
	// maxGroups and maxGroupRunes bound the groups typed for someone new.
	maxGroups     = 50
	maxGroupRunes = 100
)

// SubjectForEmail is the subject ("sub") the provider gives the person with
// this e-mail address: "dev-" and the first 16 hex digits of the SHA-256 of
// the trimmed, lower-cased address. It is deterministic, so the same e-mail is
// the same person across restarts, and seeders can link demo accounts to
// identities before anyone signs in.
func SubjectForEmail(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "dev-" + hex.EncodeToString(sum[:])[:16]
}

// identityErrors are the picker's validation messages, per field.
type identityErrors struct {
	Name, Email, Groups string
}

func (e identityErrors) any() bool { return e.Name != "" || e.Email != "" || e.Groups != "" }

// newIdentity builds "someone new" from the picker's form, or says what is
// wrong with each field. groups is the comma-separated list typed into the
// form.
func newIdentity(name, email, groups string, unverified bool) (Identity, identityErrors) {
	var errs identityErrors
	name = strings.Join(strings.Fields(name), " ")
	email = strings.TrimSpace(email)
	switch {
	case name == "":
		errs.Name = "Enter a full name."
	case utf8.RuneCountInString(name) > maxNameRunes:
		errs.Name = fmt.Sprintf("Use at most %d characters.", maxNameRunes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		errs.Name = "Use letters, spaces and punctuation only."
	}
	switch {
	case email == "":
		errs.Email = "Enter an e-mail address."
	case !validEmail(email):
		errs.Email = "Enter an e-mail address like name@example.com."
	}
	list, problem := parseGroups(groups)
	errs.Groups = problem
	if errs.any() {
		return Identity{}, errs
	}
	id := Identity{Subject: SubjectForEmail(email), Name: name, Email: email, Groups: list}
	if unverified {
		id.Verification = EmailUnverified
	}
	return id, errs
}

// parseGroups reads "Finance-Team, People-Leads": names separated by
// commas, trimmed, each once. It returns nil for an empty list.
func parseGroups(s string) ([]string, string) {
	var out []string
	for g := range strings.SplitSeq(s, ",") {
		g = strings.Join(strings.Fields(g), " ")
		switch {
		case g == "" || slices.Contains(out, g):
			continue
		case utf8.RuneCountInString(g) > maxGroupRunes:
			return nil, fmt.Sprintf("Use at most %d characters per group.", maxGroupRunes)
		case strings.IndexFunc(g, unicode.IsControl) >= 0:
			return nil, "Use letters, digits, spaces and punctuation only."
		}
		out = append(out, g)
	}
	if len(out) > maxGroups {
		return nil, fmt.Sprintf("Give at most %d groups.", maxGroups)
	}
	return out, ""
}

// validEmail accepts a bare addr-spec with a dotted or single-label domain,
// the same shape a real provider would assert; display names and comments
// ("Ann <ann@example.com>") are refused.
func validEmail(email string) bool {
	if len(email) > maxEmailBytes {
		return false
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	return at > 0 && at < len(email)-1
}

// directory holds the identities the picker offers: the configured demo
// identities, then the people created on the picker since start, newest
// first, so a developer can sign in as them again with one click.
type directory struct {
	configured []Identity
	bySubject  map[string]Identity

	mu         sync.Mutex
	remembered []Identity
}

// newDirectory checks the configured identities.
func newDirectory(list []Identity) (*directory, error) {
	d := &directory{bySubject: map[string]Identity{}}
	for i, id := range list {
		id.Name = strings.TrimSpace(id.Name)
		id.Email = strings.TrimSpace(id.Email)
		if id.Name == "" {
			return nil, fmt.Errorf("devidp: identity %d (%q): empty name", i, id.Email)
		}
		if !validEmail(id.Email) {
			return nil, fmt.Errorf("devidp: identity %d (%q): invalid e-mail address", i, id.Email)
		}
		if id.Subject == "" {
			id.Subject = SubjectForEmail(id.Email)
		}
		if _, dup := d.bySubject[id.Subject]; dup {
			return nil, fmt.Errorf("devidp: identity %q: subject %q is used twice", id.Email, id.Subject)
		}
		d.bySubject[id.Subject] = id
		d.configured = append(d.configured, id)
	}
	return d, nil
}

// list returns the identities to offer, configured ones first.
func (d *directory) list() []Identity {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Identity, 0, len(d.configured)+len(d.remembered))
	out = append(out, d.configured...)
	return append(out, d.remembered...)
}

// lookup finds an identity by subject.
func (d *directory) lookup(subject string) (Identity, bool) {
	if id, ok := d.bySubject[subject]; ok {
		return id, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range d.remembered {
		if id.Subject == subject {
			return id, true
		}
	}
	return Identity{}, false
}

// remember adds someone created on the picker, replacing an earlier entry
// with the same subject (a new name for the same e-mail). Configured
// identities are never overridden: typing a demo person's e-mail signs in as
// that person with the typed name, but the button keeps the configured one.
func (d *directory) remember(id Identity) {
	if _, ok := d.bySubject[id.Subject]; ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	kept := []Identity{id}
	for _, old := range d.remembered {
		if old.Subject != id.Subject && len(kept) < maxRemembered {
			kept = append(kept, old)
		}
	}
	d.remembered = kept
}
