package expenses

// SetBeforeWrite installs a function that runs just before every guarded
// UPDATE of an expense, for the concurrency tests.
func SetBeforeWrite(s *Service, f func()) { s.beforeWrite = f }
