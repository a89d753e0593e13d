// Package ui holds small components shared by the pages: form fields with
// their error messages, badges, empty states.
package ui

import "github.com/company-expenses/company-expenses/app/form"

// FieldErrors is the app's one map of messages beside form fields
// (app/form: the convention every form follows).
type FieldErrors = form.Errors

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
