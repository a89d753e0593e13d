package models

// All lists every model of the template, in an order that satisfies
// foreign keys. The schema itself comes from the template's migrations
// (app/database/migrations); the schema test compares the two. A module's
// tables come from its own migrations (module.Module.Schema), after these.
func All() []any {
	return []any{
		&User{}, &UserRole{}, &Department{}, &Employee{},
		&Session{}, &LoginAttempt{},
		&OutboxMessage{},
		&TOTPCredential{}, &RecoveryCode{},
		&AccountLink{},
		&SCIMToken{}, &SCIMUser{}, &SCIMGroup{}, &SCIMGroupMember{},
	}
}
