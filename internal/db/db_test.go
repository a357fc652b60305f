package db

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// Past the statement cache's bound, queries still run (unprepared) on the read pool.
func TestQueriesPastTheStatementCacheStillRun(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "kitloan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range maxCachedStatements + 2 {
		var n int
		if err := d.QueryRow(ctx, "SELECT "+strconv.Itoa(i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: got %d, %v", i, n, err)
		}
		rows, err := d.Query(ctx, "SELECT "+strconv.Itoa(i)+" + 0")
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		rows.Close()
	}
	if len(d.stmts) != maxCachedStatements {
		t.Fatalf("%d statements cached; the bound is %d", len(d.stmts), maxCachedStatements)
	}
}
