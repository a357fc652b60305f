//go:build crash

package main

// The crash test of an import: the real binary importing items is killed with SIGKILL
// while it stages its rows and while it moves them in, and a server started afterwards
// on the same database must show none of the first and all of the second. (The rows the
// first staged stay, unseen, until they have been quiet for a minute: FinishImports then
// removes them, as TestImportsLeftBehindAreFinishedOrRemoved shows without waiting.)
//
//	go test -race -tags crash -run Crash -count=1 ./cmd/kitloan/

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCrashMidImportLeavesAllOrNothing(t *testing.T) {
	const rows = 50_000
	dir := t.TempDir()
	bin := buildKitloan(t, dir)
	dbPath := filepath.Join(dir, "kitloan.db")
	products := filepath.Join(dir, "products.csv")
	os.WriteFile(products, []byte("id,name,category,kind\n1,Chair,Seating,returnable\n"), 0o600)
	kitloanCmd(t, bin, nil, "import", "products", products, "--db", dbPath)
	count := func(query string) int {
		t.Helper()
		c := openReadOnly(t, dbPath)
		defer c.Close()
		var n int
		if err := c.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}

	for _, stage := range []string{"staging", "moving"} {
		prefix := strings.ToUpper(stage[:2])
		var b strings.Builder
		b.WriteString("tag,product,serial\n")
		for i := 1; i <= rows; i++ {
			fmt.Fprintf(&b, "%s-%06d,1,%s-SN-%06d\n", prefix, i, prefix, i)
		}
		file := filepath.Join(dir, stage+".csv")
		os.WriteFile(file, []byte(b.String()), 0o600)
		imported := fmt.Sprintf(`SELECT count(*) FROM items WHERE tag LIKE '%s-%%'`, prefix)

		cmd := exec.Command(bin, "import", "items", file, "--db", dbPath)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill it once it has written a batch or two in the stage.
		reached := fmt.Sprintf(`SELECT count(*) FROM imports WHERE state = '%s'`, stage)
		deadline := time.Now().Add(2 * time.Minute)
		for count(reached) == 0 || (stage == "staging" && count(`SELECT count(*) FROM import_items`) == 0) || (stage == "moving" && count(imported) == 0) {
			select {
			case err := <-done:
				t.Fatalf("the import ended (%v) before it could be killed while %s", err, stage)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("the import was never seen %s", stage)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("the import did not die of SIGKILL: %v", err)
		}
		left := count(imported)
		t.Logf("killed while %s: %d of %d units in, %d staged", stage, left, rows, count(`SELECT count(*) FROM import_items`))
		if stage == "staging" && left != 0 {
			t.Fatalf("%d units of an import killed while staging are visible", left)
		}

		// A server started on the database finishes what can be finished before it serves.
		srv := startBinary(t, bin, dbPath, freeAddr(t), filepath.Join(dir, "serve.log"))
		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := <-srv.done; err != nil {
			t.Fatalf("the server did not stop cleanly: %v", err)
		}
		c := openReadOnly(t, dbPath)
		checkConsistent(t, c, "after the import was killed while "+stage)
		c.Close()
		want := 0
		if stage == "moving" {
			want = rows
			staged := fmt.Sprintf(`SELECT count(*) FROM import_items WHERE tag LIKE '%s-%%'`, prefix)
			if n := count(staged) + count(`SELECT count(*) FROM imports WHERE state = 'moving'`); n != 0 {
				t.Errorf("%d rows of the import left staged after the restart", n)
			}
			events := fmt.Sprintf(`SELECT count(*) FROM events e JOIN items i ON e.entity = 'item' AND e.entity_id = i.id AND e.action = 'created' WHERE i.tag LIKE '%s-%%'`, prefix)
			if n := count(events); n != rows {
				t.Errorf("%d history events for %d units", n, rows)
			}
		}
		if n := count(imported); n != want {
			t.Errorf("killed while %s, after the restart: %d units in, want %d", stage, n, want)
		}
	}
}
