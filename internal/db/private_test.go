package db

import (
	"os"
	"path/filepath"
	"testing"
)

// The folders MkdirPrivate makes are 0700; one that was there already, which may be a
// shared folder such as /tmp, keeps its mode.
func TestMkdirPrivateLeavesFoldersThatExistAlone(t *testing.T) {
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(filepath.Join(shared, "kitloan", "backups")); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]os.FileMode{
		shared: 0o755, filepath.Join(shared, "kitloan"): 0o700, filepath.Join(shared, "kitloan", "backups"): 0o700,
	} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s is mode %04o, want %04o", dir, st.Mode().Perm(), want)
		}
	}
}
