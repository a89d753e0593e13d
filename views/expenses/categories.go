package expenses

// CategoriesPage lists the expense categories for administrators, with the
// form to add one and, on each row, rename and deactivate or reactivate.
type CategoriesPage struct {
	Rows []CategoryRow
	// NewName and NewError belong to the add form, kept when it failed.
	NewName  string
	NewError string
}

// CategoryRow is one category.
type CategoryRow struct {
	ID     uint
	Name   string
	Active bool
	// Uses is the number of expenses filed under the category.
	Uses int64
	// Typed and Error belong to the rename form, kept when it failed.
	Typed string
	Error string
}

// NameValue is what the rename field shows: what was typed, or the name.
func (r CategoryRow) NameValue() string {
	if r.Error != "" {
		return r.Typed
	}
	return r.Name
}
