package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/reports"
)

// runExport writes the whole service to a new zip file: a CSV for each table and a
// manifest. The zip is written beside its final name and renamed into place when complete,
// so a failed export never leaves a file that looks whole.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("export", getenv)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: kitloan export FILE.zip [--db PATH]")
	}
	path := pos[0]
	if !strings.EqualFold(filepath.Ext(path), ".zip") {
		return fmt.Errorf("export: %s should end in .zip", path)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("export: %s already exists; choose a new file name", path)
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	// The export names children: its folder, if new, is 0700 and the file, made by
	// CreateTemp, 0600.
	if err := db.MkdirPrivate(filepath.Dir(path)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kitloan-export-*.zip")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	m, err := reports.NewStore(d).WriteArchive(ctx, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rows := 0
	for _, t := range m.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stdout, "Exported %d tables (%d rows, migration %d) from %s to %s\n", len(m.Tables), rows, m.MigrationVersion, *dbPath, path)
	return nil
}

// runImport imports products or items from a CSV file, or with --dry-run checks it. Every
// bad row is listed on standard output, one a line; the error then says how many.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const usage = "usage: kitloan import products|items FILE.csv [--dry-run] [--encoding utf-8|windows-1252] [--db PATH]"
	fs, dbPath := newFlags("import", getenv)
	dryRun := fs.Bool("dry-run", false, "check every row and import nothing")
	encoding := fs.String("encoding", inventory.EncodingUTF8, "what the file is written in, unless it starts with a byte-order mark: "+strings.Join(inventory.ImportEncodings, " or "))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New(usage)
	}
	kind, path := pos[0], pos[1]
	if kind != inventory.ImportProducts && kind != inventory.ImportItems {
		return fmt.Errorf("import: %q is not something kitloan imports; %s", kind, usage)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	content, err := inventory.DecodeImport(raw, *encoding)
	if err != nil {
		return fmt.Errorf("import: --encoding %s: %s", *encoding, errs.As(err).Fields["encoding"])
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := inventory.NewStore(d).Import(ctx, kind, bytes.NewReader(content), *dryRun)
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "%s: %s\n", path, p)
	}
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			return fmt.Errorf("import %s: %s", path, oneLine(errs.As(err).Message))
		}
		return fmt.Errorf("import %s: %w", path, err)
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%s: all %d rows are good; nothing was imported (dry run)\n", path, rep.Rows)
		return nil
	}
	fmt.Fprintf(stdout, "Imported %d %s from %s into %s\n", rep.Imported, kind, path, *dbPath)
	return nil
}

// oneLine keeps an error to one line, as the command line promises.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
