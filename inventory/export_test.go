package inventory

// ObserveImports makes s tell observe of each batch its imports check, stage and move
// ("checked", "staged", "moved", with the rows done so far), from the importing goroutine
// and outside any transaction.
func ObserveImports(s *Store, observe func(stage string, rows int)) { s.observer = observe }
