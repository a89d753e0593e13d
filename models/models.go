package models

// All lists every model of the template, in an order that satisfies
// foreign keys, for migrations. A module's tables are created by its own
// migration steps (module.Module.Migrations), after these.
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
