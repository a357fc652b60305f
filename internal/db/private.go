package db

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// The database, its write-ahead log and shared-memory files, backups and exports hold
// children's personal data, so they are readable by the service's own user only: files
// mode 0600 and the folders kitloan creates for them 0700. The modes are set explicitly
// rather than left to the umask, which on many servers is 022 and would make them
// readable by every account on the machine.
const (
	PrivateFileMode fs.FileMode = 0o600
	PrivateDirMode  fs.FileMode = 0o700
)

// MkdirPrivate creates dir and any missing parents, each mode 0700. Folders that exist
// already are left as they are: kitloan may be given a file in a shared folder such as
// /tmp, whose mode is not kitloan's to change.
func MkdirPrivate(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, PrivateDirMode); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, PrivateDirMode); err != nil {
			return err
		}
	}
	return nil
}

// CreatePrivate creates a new file mode 0600 for writing; it fails if the file exists.
func CreatePrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, PrivateFileMode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(PrivateFileMode); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}

// makeDatabasePrivate readies the database file before SQLite opens it. SQLite would
// create a new one mode 0644 less the umask; made here first, mode 0600, its WAL and
// shared-memory files follow (SQLite gives them the database file's mode). A database,
// WAL or shared-memory file left readable by others, by an older kitloan or by hand, is
// narrowed to 0600 and logged.
func makeDatabasePrivate(path string) error {
	if err := MkdirPrivate(filepath.Dir(path)); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	f, err := CreatePrivate(path)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create database %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&^PrivateFileMode == 0 {
			continue
		}
		if err := os.Chmod(p, PrivateFileMode); err != nil {
			return fmt.Errorf("make %s private (it is mode %04o): %w", p, st.Mode().Perm(), err)
		}
		slog.Warn("database file was readable by other accounts; made it private", "file", p,
			"was", fmt.Sprintf("%04o", st.Mode().Perm()), "now", fmt.Sprintf("%04o", PrivateFileMode))
	}
	return nil
}
