package app

import (
	"context"
	"log/slog"

	"gorm.io/gorm"

	"github.com/company-expenses/company-expenses/app/audit"
	"github.com/company-expenses/company-expenses/app/scim"
)

// scimAuditKinds maps SCIM's events onto the audit log's kinds.
var scimAuditKinds = map[string]audit.Kind{
	scim.ActionUserCreated:     audit.SCIMUserProvisioned,
	scim.ActionUserUpdated:     audit.SCIMUserUpdated,
	scim.ActionUserDeactivated: audit.SCIMUserDeactivated,
	scim.ActionUserDeleted:     audit.SCIMUserDeactivated,
	scim.ActionRolesChanged:    audit.RolesChanged,
	scim.ActionGroupCreated:    audit.SCIMGroupChanged,
	scim.ActionGroupUpdated:    audit.SCIMGroupChanged,
	scim.ActionGroupDeleted:    audit.SCIMGroupChanged,
	scim.ActionTokenCreated:    audit.SCIMTokenCreated,
	scim.ActionTokenRevoked:    audit.SCIMTokenRevoked,
}

// recordSCIM writes what a SCIM client changed into the audit log. SCIM
// tells of a change once its transaction has committed, so the event is
// written on its own: a failure to write it is logged, never undoes the
// change the directory was told succeeded.
func recordSCIM(db *gorm.DB, log *slog.Logger) func(context.Context, scim.Event) {
	return func(ctx context.Context, e scim.Event) {
		kind, ok := scimAuditKinds[e.Action]
		if !ok {
			log.WarnContext(ctx, "SCIM event with no audit kind", "action", e.Action)
			return
		}
		ev := audit.Event{Kind: kind, Actor: audit.SCIM(e.Token), SubjectID: e.UserID, Detail: e.Detail}
		if e.ActorID != 0 { // token created or revoked by an administrator
			ev.Actor = audit.ByUser(e.ActorID)
		}
		if e.Group != "" {
			ev.Detail = "group " + e.Group + joinDetail(e.Detail)
		}
		if e.Action == scim.ActionUserDeleted {
			ev.Detail = "deleted by the directory" + joinDetail(e.Detail)
		}
		if (kind == audit.SCIMTokenCreated || kind == audit.SCIMTokenRevoked) && ev.Detail == "" {
			ev.Detail = "token " + e.Token
		}
		if err := audit.Record(ctx, db, ev); err != nil {
			log.ErrorContext(ctx, "audit log: SCIM event not recorded", "action", e.Action, "err", err)
		}
	}
}

func joinDetail(d string) string {
	if d == "" {
		return ""
	}
	return "; " + d
}
