package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// umaskVar, set in the environment, makes this test binary run as kitloan itself with
// that umask (in octal): a test gives the real command a process of its own, whose umask
// does not touch the tests running beside it.
const umaskVar = "KITLOAN_TEST_RUN_MAIN_WITH_UMASK"

func TestMain(m *testing.M) {
	if mask, ok := os.LookupEnv(umaskVar); ok {
		n, err := strconv.ParseUint(mask, 8, 32)
		if err != nil {
			panic(err)
		}
		syscall.Umask(int(n))
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// kitloanWithUmask0 is the command line kitloan ARGS, run as a process of its own with
// umask 0, the most permissive there is.
func kitloanWithUmask0(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), umaskVar+"=0", "KITLOAN_ADMIN_PASSWORD=first-admin-password")
	return cmd
}

// runWithUmask0 runs kitloan ARGS with umask 0 and returns what it wrote to stderr.
func runWithUmask0(t *testing.T, args ...string) string {
	t.Helper()
	cmd := kitloanWithUmask0(t, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kitloan %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stderr.String()
}

// checkPrivate checks that every file under root is mode 0600 and every folder 0700.
func checkPrivate(t *testing.T, root string) (files int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if e.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s is mode %04o, want %04o", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFilesHoldingChildrensDataArePrivateWhateverTheUmask: with umask 0, the database,
// its WAL and shared-memory files, a backup and an export, and the folders kitloan made
// for them, are readable by the service's own user only. Files an older kitloan left
// readable by all are narrowed when the database is next opened, and the change logged.
func TestFilesHoldingChildrensDataArePrivateWhateverTheUmask(t *testing.T) {
	root := filepath.Join(t.TempDir(), "srv") // made by kitloan, as are the folders below it
	live := filepath.Join(root, "kitloan", "kitloan.db")
	runWithUmask0(t, "demo", "--items", "40", "--db", live)

	addr := freeAddr(t)
	server := kitloanWithUmask0(t, "serve", "--addr", addr, "--db", live)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Process.Kill()
	waitHealthy(t, addr)
	runWithUmask0(t, "backup", "--db", live, filepath.Join(root, "backups", "2026", "kitloan-2026-12-01.db"))
	runWithUmask0(t, "export", "--db", live, filepath.Join(root, "exports", "december", "kitloan.zip"))
	for _, f := range []string{live + "-wal", live + "-shm"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the running server's %s: %v", filepath.Base(f), err)
		}
	}
	if n := checkPrivate(t, root); n != 5 {
		t.Errorf("%d files, want 5: the database, its WAL and shared memory, the backup and the export", n)
	}

	// An older kitloan made them readable by all, and died, leaving its WAL behind.
	for _, f := range []string{live, live + "-wal", live + "-shm"} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	server.Process.Kill()
	server.Wait()
	logged := runWithUmask0(t, "anonymise", "--dry-run", "--db", live)
	for _, f := range []string{live, live + "-wal", live + "-shm"} {
		if !strings.Contains(logged, "file="+f+" was=0644 now=0600") {
			t.Errorf("narrowing %s was not logged:\n%s", filepath.Base(f), logged)
		}
	}
	checkPrivate(t, root)
}
