package expenses

// SetBeforeWrite installs a function that runs just before every guarded
// UPDATE of an expense, for the concurrency tests.
func SetBeforeWrite(s *Service, f func()) { s.beforeWrite = f }

// SetCountLimit changes how many matches List counts at most.
func SetCountLimit(s *Service, n int) { s.countLimit = n }

// EscapeLike is escapeLike, for the search tests' LIKE oracle.
func EscapeLike(s string) string { return escapeLike(s) }

// TeamMoved is teamMoved, for the test of a team member whose employee row
// went.
var TeamMoved = teamMoved

// ListColumns are the columns lists read (withPeopleAndCategories).
const ListColumns = listColumns
