package models

// All lists every model, in an order that satisfies foreign keys, for
// migrations and for tests that empty the database.
func All() []any {
	return []any{
		&User{}, &UserRole{}, &Department{}, &Employee{},
		&Session{}, &LoginAttempt{},
		&Identity{},
		&Category{}, &Expense{}, &ExpenseEvent{}, &Receipt{},
		&OutboxMessage{},
	}
}
