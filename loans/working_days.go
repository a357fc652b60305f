package loans

import "time"

// WorkingDays counts the Monday-to-Friday days after from, up to and including to: the
// measure of a request's wait that Targets are set in. Reports use it, so that the
// turnaround figures and a request's own "past target" agree.
func WorkingDays(from, to time.Time) int { return workingDays(from, to) }
