// Package ui holds small components shared by the pages: form fields with
// their error messages, badges, empty states.
package ui

// FieldErrors maps a form field's name to the message shown beside it.
type FieldErrors map[string]string

// Has reports whether field has an error.
func (e FieldErrors) Has(field string) bool { _, ok := e[field]; return ok }

// Any reports whether there is at least one error.
func (e FieldErrors) Any() bool { return len(e) > 0 }

// Input describes one form input.
type Input struct {
	Label        string
	Name         string
	Type         string // "text" when empty
	Value        string
	Hint         string
	Error        string
	Required     bool
	MaxLength    int
	Autocomplete string
	Placeholder  string
	Autofocus    bool
}

func (in Input) inputType() string {
	if in.Type == "" {
		return "text"
	}
	return in.Type
}

func (in Input) id() string { return "f-" + in.Name }
