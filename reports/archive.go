package reports

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"kitloan/internal/csvfile"
)

// The full export: every table of the service as a CSV, with a manifest, so that a
// service can move its data to another system. The tables are written as they are
// stored (ids and foreign keys included), from one snapshot of the database.

// ArchiveFormat names the format in the manifest; ArchiveVersion changes when the layout
// of the zip, the manifest or the cells does (not when a migration adds a column: the
// manifest lists the columns of each table as exported). Version 2 quotes cells that a
// spreadsheet would run as formulas.
const (
	ArchiveFormat  = "kitloan-export"
	ArchiveVersion = 2
)

// Manifest is manifest.json, the first file of the zip.
type Manifest struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	CreatedAt     string `json:"created_at"`
	// MigrationVersion is the number of the database's last migration: the shape of
	// every table.
	MigrationVersion int64        `json:"migration_version"`
	Tables           []TableEntry `json:"tables"`
	// Omitted lists what is deliberately not exported, and why.
	Omitted []Omission `json:"omitted"`
	// Encoding says how values are written.
	Encoding string `json:"encoding"`
}

// TableEntry describes one table's CSV.
type TableEntry struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	Rows    int      `json:"rows"`
	Columns []string `json:"columns"`
	// NullableColumns may hold NULL, written as an empty cell; Base64Columns hold binary
	// data (scans and signatures), written in standard base64.
	NullableColumns []string `json:"nullable_columns"`
	Base64Columns   []string `json:"base64_columns"`
}

// Omission is a table or column left out of the export.
type Omission struct {
	Table  string `json:"table"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// omitted are the secrets an export must not carry: sign-in sessions and API tokens
// (hashed, but still credentials) and password hashes. Users move with their names,
// emails and roles, and set a password on the new system.
var omitted = []Omission{
	{Table: "sessions", Reason: "sign-in sessions: credentials, and short-lived"},
	{Table: "api_tokens", Reason: "API tokens: credentials; create new ones on the new system"},
	{Table: "users", Column: "password_hash", Reason: "passwords: users set a new one on the new system"},
}

// internalTables are the migration tool's own bookkeeping; the manifest carries the
// version instead.
var internalTables = []string{"goose_db_version"}

const archiveEncoding = "UTF-8 CSV (RFC 4180) with a header row; NULL is an empty cell in a nullable column; " +
	"times are RFC 3339 in UTC and dates YYYY-MM-DD; booleans are 0 or 1; binary columns are standard base64; " +
	"a value that starts with = + - @ ' or a tab, carriage return or new line has one ' put before it, " +
	"so that spreadsheets do not run it as a formula: take off that first ' to read the value"

// WriteArchive writes the full export as a zip to w and returns its manifest. Every table
// comes from the same snapshot, so the row counts of the manifest are the rows written.
// Taking the export is recorded in the history.
func (s *Store) WriteArchive(ctx context.Context, w io.Writer) (Manifest, error) {
	now := s.db.Now().UTC()
	m := Manifest{Format: ArchiveFormat, FormatVersion: ArchiveVersion, CreatedAt: now.Format(time.RFC3339),
		Omitted: omitted, Encoding: archiveEncoding, Tables: []TableEntry{}}
	tx, err := s.readTx(ctx)
	if err != nil {
		return m, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&m.MigrationVersion); err != nil {
		return m, fmt.Errorf("migration version: %w", err)
	}
	tables, err := listTables(ctx, tx)
	if err != nil {
		return m, err
	}
	for _, t := range tables {
		e, err := describeTable(ctx, tx, t)
		if err != nil {
			return m, err
		}
		m.Tables = append(m.Tables, e)
	}

	zw := zip.NewWriter(w)
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
	}
	mf, err := create("manifest.json")
	if err != nil {
		return m, err
	}
	enc := json.NewEncoder(mf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return m, err
	}
	for _, e := range m.Tables {
		f, err := create(e.File)
		if err != nil {
			return m, err
		}
		n, err := writeTable(ctx, tx, e, f)
		if err != nil {
			return m, fmt.Errorf("export %s: %w", e.Name, err)
		}
		if n != e.Rows {
			return m, fmt.Errorf("export %s: wrote %d rows, counted %d", e.Name, n, e.Rows)
		}
	}
	if err := zw.Close(); err != nil {
		return m, err
	}
	rows := 0
	for _, e := range m.Tables {
		rows += e.Rows
	}
	return m, s.recordExport(ctx, "all", rows)
}

// listTables lists the service's tables in the order they were created, which puts a
// table after the tables it refers to. This and describeTable are the SQLite-specific
// part of the export (PostgreSQL would read information_schema).
func listTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var out []string
	err := eachRow(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`, nil,
		func(r *sql.Rows) error {
			var name string
			if err := r.Scan(&name); err != nil {
				return err
			}
			if !slices.Contains(internalTables, name) && !isOmitted(name, "") {
				out = append(out, name)
			}
			return nil
		})
	return out, err
}

func isOmitted(table, column string) bool {
	return slices.ContainsFunc(omitted, func(o Omission) bool { return o.Table == table && o.Column == column })
}

// describeTable reads a table's columns, which may be NULL and which hold binary data,
// and counts its rows.
func describeTable(ctx context.Context, tx *sql.Tx, table string) (TableEntry, error) {
	e := TableEntry{Name: table, File: table + ".csv", Columns: []string{}, NullableColumns: []string{}, Base64Columns: []string{}}
	err := eachRow(ctx, tx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, []any{table}, func(r *sql.Rows) error {
		var name, typ string
		var notNull, pk int
		if err := r.Scan(&name, &typ, &notNull, &pk); err != nil {
			return err
		}
		if isOmitted(table, name) {
			return nil
		}
		e.Columns = append(e.Columns, name)
		if notNull == 0 && pk == 0 {
			e.NullableColumns = append(e.NullableColumns, name)
		}
		if strings.EqualFold(typ, "BLOB") {
			e.Base64Columns = append(e.Base64Columns, name)
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(table)).Scan(&e.Rows)
	return e, err
}

// quoteIdent quotes a table or column name read from the schema.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// writeTable writes one table as CSV, in the order of its primary key (rowid).
func writeTable(ctx context.Context, tx *sql.Tx, e TableEntry, w io.Writer) (int, error) {
	cols := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		cols[i] = quoteIdent(c)
	}
	cw := csvfile.NewWriter(w)
	if err := cw.Write(e.Columns); err != nil {
		return 0, err
	}
	n := 0
	// The first column is the primary key of every table (the first two of loan_items), so
	// rows come out in a stable order.
	query := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + quoteIdent(e.Name) + ` ORDER BY ` + strings.Join(cols[:min(2, len(cols))], ", ")
	err := eachRow(ctx, tx, query, nil, func(r *sql.Rows) error {
		vals, err := scanValues(r, len(cols))
		if err != nil {
			return err
		}
		rec := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok && slices.Contains(e.Base64Columns, e.Columns[i]) {
				rec[i] = base64.StdEncoding.EncodeToString(b)
				continue
			}
			rec[i] = cell(v)
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	return n, cw.Flush()
}
