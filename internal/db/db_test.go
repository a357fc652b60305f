package db

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// openTestDB opens a new database in the test's temporary folder, closed at the end.
func openTestDB(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "kitloan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Past the statement cache's bound, queries still run and give their own answers.
func TestQueriesPastTheStatementCacheStillRun(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t)
	for i := range 2*statementsCached + 2 {
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
	for i := range 3 { // the first queries again, long since pushed out of the cache
		var n int
		if err := d.QueryRow(ctx, "SELECT "+strconv.Itoa(i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d again: got %d, %v", i, n, err)
		}
	}
}

// make builds SQLite with the planner stability guarantee; see the Makefile.
func TestSQLiteIsBuiltWithStablePlans(t *testing.T) {
	d := openTestDB(t)
	stable, err := d.StablePlans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !stable {
		t.Fatal("SQLite was built without -DSQLITE_ENABLE_QPSG: run the tests with make test, which sets CGO_CFLAGS")
	}
}

// InTx runs fn on the writer goroutine; a panic in fn still reaches the caller, the
// transaction is rolled back, and the next transaction runs.
func TestInTxPanicsInTheCallerAndRollsBack(t *testing.T) {
	ctx := context.Background()
	d := openTestDB(t)
	func() {
		defer func() {
			if recover() != "boom" {
				t.Error("the panic in fn did not reach the caller")
			}
		}()
		d.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('panicked', 'yes')`); err != nil {
				return err // not t.Fatal: fn runs on the writer goroutine
			}
			panic("boom")
		})
	}()
	if err := d.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('after', 'yes')`)
		return err
	}); err != nil {
		t.Fatalf("the transaction after a panic: %v", err)
	}
	var n int
	d.Read.QueryRow(`SELECT count(*) FROM settings WHERE key IN ('panicked', 'after')`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d rows; want only the second transaction's", n)
	}
	d.Close()
	if err := d.InTx(ctx, func(tx *Tx) error { return nil }); err == nil {
		t.Fatal("InTx after Close succeeded")
	}
}
