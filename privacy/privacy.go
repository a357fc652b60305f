// Package privacy keeps a child's record private: the log of who read it, and its
// anonymisation once the child is discharged and past the retention period.
package privacy

import "kitloan/internal/db"

// Store logs reads of children's records and anonymises them.
type Store struct {
	db *db.DB
}

// NewStore returns a privacy store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }
