// Package audit is the security audit log: who signed in or failed to, who
// changed whose roles, status, password or SSO connections, what SCIM and
// the identity provider did. Each event is one row of the table
// audit_events, written with Record in the caller's own transaction, so an
// event is never recorded for a change that rolled back and never lost for
// one that committed. The kinds are listed in kinds.go.
//
// Administrators read the log at /admin/audit (app/web/admin_audit.go) and
// export it as CSV; Prune deletes what is older than AUDIT_RETENTION.
//
// The package imports nothing of this repository, so any package may
// record (app/people, app/provisioning, app/web, app/scim, …).
package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Bounds of the stored text, in characters. Detail is longer than any
// message of ours needs; whatever a caller passes (an e-mail address someone
// typed, a provider's subject) is cut there, never refused.
const (
	MaxDetail    = 500
	MaxUserAgent = 160
	maxActor     = 140
	maxIP        = 64
)

// Entry is one row of audit_events. The indexes serve the admin page's
// filters with its keyset pagination (newest first by id): by kind, by
// subject, by actor, and At serves retention.
type Entry struct {
	ID   uint      `gorm:"primaryKey;index:idx_audit_kind_id,priority:2;index:idx_audit_subject_id,priority:2;index:idx_audit_actor_id,priority:2"`
	At   time.Time `gorm:"not null;index:idx_audit_at"`
	Kind Kind      `gorm:"size:64;not null;index:idx_audit_kind_id,priority:1"`
	// ActorID is the user who acted, when a person did; Actor names the
	// actor either way: "user", "system", "anonymous", "scim:<token
	// name>", "provider:<name>".
	ActorID *uint  `gorm:"index:idx_audit_actor_id,priority:1"`
	Actor   string `gorm:"size:140;not null"`
	// SubjectID is the person the event is about, if any.
	SubjectID *uint  `gorm:"index:idx_audit_subject_id,priority:1"`
	IP        string `gorm:"size:64;not null;default:''"`
	UserAgent string `gorm:"size:160;not null;default:''"`
	Detail    string `gorm:"size:500;not null;default:''"`
}

// TableName is audit_events.
func (Entry) TableName() string { return "audit_events" }

// Models are the package's tables, for the schema migration
// (app/database).
func Models() []any { return []any{&Entry{}} }

// Actor is who caused an event: a person (ByUser), the app itself (System),
// someone not signed in (Anonymous), a SCIM client (SCIM) or an identity
// provider (Provider).
type Actor struct {
	UserID uint
	Name   string
}

// Actors that are not people.
var (
	System    = Actor{Name: "system"}
	Anonymous = Actor{Name: "anonymous"}
)

// ByUser is the person with this user id.
func ByUser(id uint) Actor { return Actor{UserID: id, Name: "user"} }

// SCIM is the SCIM client that authenticated with the token named name.
func SCIM(tokenName string) Actor { return Actor{Name: "scim:" + tokenName} }

// Provider is an identity provider, by its route name ("openid-connect").
func Provider(name string) Actor { return Actor{Name: "provider:" + name} }

// String is the actor as the log shows it: "user 12", "scim:Entra".
func (a Actor) String() string {
	if a.UserID != 0 {
		return "user " + strconv.FormatUint(uint64(a.UserID), 10)
	}
	return a.Name
}

// Event is what Record writes.
type Event struct {
	Kind  Kind
	Actor Actor
	// SubjectID is the person the event is about; 0 for none.
	SubjectID uint
	// IP and UserAgent default to the request's (WithClient), which the
	// web layer puts into every request's context. The user agent is
	// stored short (ShortUserAgent).
	IP        string
	UserAgent string
	// Detail says what changed, for people: "+finance -manager", "e-mail
	// tried: a@b.c". Never a secret. Cleaned and cut to MaxDetail.
	Detail string
}

// Record writes e in tx, the caller's transaction (or the database handle,
// for an event that is a change of its own, like a sign-in). It refuses an
// event without a known kind or an actor.
func Record(ctx context.Context, tx *gorm.DB, e Event) error {
	if !e.Kind.Valid() {
		return fmt.Errorf("audit: unknown kind %q", e.Kind)
	}
	if e.Actor.UserID == 0 && e.Actor.Name == "" {
		return errors.New("audit: event " + string(e.Kind) + " has no actor")
	}
	if cl, ok := ctx.Value(clientKey{}).(client); ok {
		if e.IP == "" {
			e.IP = cl.ip
		}
		if e.UserAgent == "" {
			e.UserAgent = cl.userAgent
		}
	}
	row := Entry{
		At:        time.Now().UTC(),
		Kind:      e.Kind,
		Actor:     Clean(e.Actor.Name, maxActor),
		ActorID:   idOrNil(e.Actor.UserID),
		SubjectID: idOrNil(e.SubjectID),
		IP:        Clean(e.IP, maxIP),
		UserAgent: Clean(ShortUserAgent(e.UserAgent), MaxUserAgent),
		Detail:    Clean(e.Detail, MaxDetail),
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Kind, err)
	}
	return nil
}

func idOrNil(id uint) *uint {
	if id == 0 {
		return nil
	}
	return &id
}

type clientKey struct{}

type client struct{ ip, userAgent string }

// WithClient returns ctx carrying the client's address and user agent,
// which Record stores with every event recorded in that context. The web
// layer calls it once per request, so that code far from HTTP (app/people,
// the first-login hook) records them too.
func WithClient(ctx context.Context, ip, userAgent string) context.Context {
	return context.WithValue(ctx, clientKey{}, client{ip: ip, userAgent: userAgent})
}

// Clean makes s safe to store and show on one line: invalid UTF-8 and
// control characters (line breaks, NUL, bidi overrides, which could make a
// forged line look real in a CSV or a terminal) become spaces, runs of
// spaces one, and it is cut to at most max characters, with "…" at the cut.
func Clean(s string, max int) string {
	s = strings.ToValidUTF8(s, " ")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	out := strings.TrimRight(b.String(), " ")
	if utf8.RuneCountInString(out) <= max {
		return out
	}
	runes := []rune(out)
	return strings.TrimRight(string(runes[:max-1]), " ") + "…"
}
