// Package form is the one way this app validates what people type, and the
// convention a fork copies for its own forms:
//
//  1. A typed form struct holds the input as typed (strings), so that a
//     refused form is shown again with everything kept: people.Form, the
//     expense draft (app/expenses.Draft).
//  2. The domain checks it and answers with one Errors map, field name to
//     the message shown beside that field; nothing is written when the map
//     is not empty.
//  3. The page renders each input with its message (views/ui.Field reads
//     Input.Error, marks the input aria-invalid and gives the first field
//     in error the focus) and answers 422 Unprocessable Entity.
//
// Errors is also an error, so a service can return it as is.
package form

import (
	"maps"
	"slices"
	"strings"
)

// Errors maps a form field's name to the message shown beside it.
type Errors map[string]string

// Has reports whether field has a message.
func (e Errors) Has(field string) bool { _, ok := e[field]; return ok }

// Any reports whether there is at least one message.
func (e Errors) Any() bool { return len(e) > 0 }

// Add sets field's message unless it has one: the first problem found is
// the one worth fixing first.
func (e Errors) Add(field, msg string) {
	if !e.Has(field) {
		e[field] = msg
	}
}

// Error lists the messages, sorted by field so that it reads the same twice.
func (e Errors) Error() string {
	msgs := make([]string, 0, len(e))
	for _, k := range slices.Sorted(maps.Keys(e)) {
		msgs = append(msgs, e[k])
	}
	return strings.Join(msgs, " ")
}
