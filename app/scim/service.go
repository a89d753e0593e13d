package scim

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/people"
	"github.com/company-expenses/company-expenses/app/rolemap"
)

// Config configures the SCIM service.
type Config struct {
	DB     *gorm.DB
	People *people.Service
	Log    *slog.Logger
	// BaseURL is the app's public URL; resource locations are built from it.
	BaseURL string
	// RoleMap maps group names onto roles (SSO_ROLE_MAP).
	RoleMap rolemap.Map
	// HardDelete makes DELETE /Users/{id} delete the person instead of
	// deactivating them (SCIM_HARD_DELETE).
	HardDelete bool
	// StaticToken is SCIM_TOKEN, a bearer token from the environment for
	// infrastructure as code; empty for none.
	StaticToken string
	// Record is told of every change a SCIM client makes. Nil records
	// nothing.
	// app/app.go plugs the audit log in here (app/scim_audit.go).
	Record func(ctx context.Context, e Event)
}

// Event is a change a SCIM client made, for the audit log.
type Event struct {
	// Action is one of the Action* constants.
	Action string
	// UserID is the person concerned (0 for group and token events).
	UserID uint
	// Group is the group's display name for group events.
	Group string
	// Token names the bearer token the client used ("SCIM_TOKEN" for the
	// one from the environment), or the token created or revoked.
	Token string
	// ActorID is the administrator, for token events.
	ActorID uint
	Detail  string
}

// Actions of Event.
const (
	ActionUserCreated     = "scim.user.created"
	ActionUserUpdated     = "scim.user.updated"
	ActionUserDeactivated = "scim.user.deactivated"
	ActionUserDeleted     = "scim.user.deleted"
	ActionRolesChanged    = "scim.user.roles"
	ActionGroupCreated    = "scim.group.created"
	ActionGroupUpdated    = "scim.group.updated"
	ActionGroupDeleted    = "scim.group.deleted"
	ActionTokenCreated    = "scim.token.created"
	ActionTokenRevoked    = "scim.token.revoked"
)

// Service is the SCIM service provider: users, groups and tokens.
type Service struct {
	db         *gorm.DB
	people     *people.Service
	log        *slog.Logger
	baseURL    string
	roleMap    rolemap.Map
	hardDelete bool
	static     string
	record     func(context.Context, Event)
	now        func() time.Time
}

// New returns the SCIM service.
func New(cfg Config) *Service {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		db: cfg.DB, people: cfg.People, log: log.With("component", "scim"),
		baseURL: cfg.BaseURL, roleMap: cfg.RoleMap, hardDelete: cfg.HardDelete, static: cfg.StaticToken,
		record: cfg.Record, now: func() time.Time { return time.Now().UTC() },
	}
}

// BaseURL is the SCIM base URL that administrators register at their
// identity provider.
func (s *Service) BaseURL() string { return s.baseURL + Prefix }

// HasStaticToken reports whether SCIM_TOKEN is set.
func (s *Service) HasStaticToken() bool { return s.static != "" }

func (s *Service) emit(ctx context.Context, e Event) {
	s.log.InfoContext(ctx, "scim change", "action", e.Action, "user_id", e.UserID, "group", e.Group, "token", e.Token, "detail", e.Detail)
	if s.record != nil {
		s.record(ctx, e)
	}
}

// change collects what one request changed, to be told (emit) only once
// its transaction has committed.
type change struct {
	token  string
	events []Event
}

func (s *Service) emitAll(ctx context.Context, ch *change) {
	for _, e := range ch.events {
		s.emit(ctx, e)
	}
}

// newResourceID returns a random UUID (version 4) for a new resource.
func newResourceID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
