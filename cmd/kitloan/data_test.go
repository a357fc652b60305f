package main

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/reports"
)

// sourceService fills a database through the stores with a catalogue and items whose
// values test the CSV (commas, quotes, new lines, Unicode, NULLs, and in every text column
// a value a spreadsheet would run as a formula), a user with a session and a token, and a
// loan, and returns its path.
func sourceService(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "source.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	inv, acc, ln := inventory.NewStore(d), accounts.NewStore(d), loans.NewStore(d)
	acc.HashCost = 4
	ip := func(n int) *int { return &n }
	no := false
	products := []inventory.ProductInput{
		{Name: "Corner chair", Category: "Seating", Kind: "returnable", Manufacturer: "Łódź Seating, Ltd", Model: `CC "Tilt"`, Size: "Size 2",
			ServiceIntervalDays: 180, ReorderLevel: 0, UnitCostPence: ip(125000), MinAgeYears: ip(2), MaxAgeYears: ip(8), Notes: "Tilt-in-space.\nHarness included."},
		{Name: "Corner chair", Category: "Seating", Kind: "returnable", Size: "Size 3", Manufacturer: "+1", Model: "'quoted", Notes: "''double"},
		{Name: "Bath seat", Category: "Bathing & toileting", Kind: "returnable", NeedsDecontamination: &no, UnitCostPence: ip(0),
			Manufacturer: "@SUM(A1)", Model: "@x", Notes: "\tx"},
		{Name: "Pencil grip, triangular", Category: "Grips", Kind: "consumable", Stock: 140, ReorderLevel: 50, UnitCostPence: ip(95),
			Model: "+", Notes: "=1 "},
		{Name: "Foam tubing", Category: "3", Kind: "consumable", Stock: 0, Notes: "Cut to length; ‘wide’ bore"},
		{Name: formula, Category: "Seating", Kind: "returnable", Manufacturer: "-2+3", Model: "-", Size: "=1+1", Notes: "@x\n=2"},
	}
	var ids []int64
	for _, in := range products {
		p, err := inv.CreateProduct(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	items := []inventory.ItemInput{
		{ProductID: ids[0], Tag: "KL-000101", Serial: "SN-1", Condition: "good", Location: "Store, bay 3", AcquiredOn: "2024-02-29", Notes: `Zoë's old chair; "blue" frame`},
		{ProductID: ids[0], Serial: "SN-2", Condition: "new", Location: formula, Notes: "\t=1"},
		{ProductID: ids[1], Serial: "''double", Condition: "fair", Location: "Van", Notes: "Line one\nLine two"},
		{ProductID: ids[2], Serial: "-2+3", Condition: "poor", Location: "@SUM(A1)", AcquiredOn: "2020-01-01", Notes: "\tx"},
	}
	var tags []string
	for _, in := range items {
		made, err := inv.CreateItems(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, made[0].Tag)
	}
	ot, err := acc.CreateUser(ctx, accounts.UserInput{Email: "ot@test", Name: "Olu Therapist", Role: "therapist", Password: "a-long-enough-password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.CreateSession(ctx, ot.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.CreateToken(ctx, ot.ID, "phone"); err != nil {
		t.Fatal(err)
	}
	child, err := ln.CreateChild(ctx, ot, loans.ChildInput{GivenName: "Zoë", FamilyName: "Nguyễn", DateOfBirth: "2017-03-14"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ln.CreateChild(ctx, ot, loans.ChildInput{GivenName: formula, FamilyName: "@SUM(A1)", DateOfBirth: "2018-01-02",
		Address: "-2+3", Setting: "+1", Notes: "'quoted", Carers: []loans.Carer{{Name: "''double", Phone: "+44 7700 900123"}}}); err != nil {
		t.Fatal(err)
	}
	admin := accounts.User{ID: 0, Role: accounts.Admin, Name: "system"}
	if _, err := ln.IssueLoan(ctx, admin, loans.LoanInput{ChildID: child.ID, Tags: []string{tags[2]}, Location: "home", Recipient: "Mai Nguyễn"}); err != nil {
		t.Fatal(err)
	}
	return path
}

// formula is a name a spreadsheet would run.
const formula = `=cmd|' /C calc'!A0`

// rowsOf reads a query's rows as text, one string a row with its values separated by |.
func rowsOf(t *testing.T, path, query string) []string {
	t.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Read.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for i, v := range vals {
			s := "NULL"
			if v.Valid {
				s = v.String
			}
			parts = append(parts, cols[i]+"="+s)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// The product and item fields an import carries: everything but when the row was made.
const (
	productFields = `SELECT id, name, category_id, kind, manufacturer, model, size, service_interval_days, needs_decontamination,
		reorder_level, stock, unit_cost_pence, min_age_years, max_age_years, notes FROM products ORDER BY id`
	itemFields = `SELECT tag, product_id, serial, condition, location, acquired_on, next_service_due, notes FROM items ORDER BY tag`
)

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := sourceService(t)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "out", "service.zip")
	var out bytes.Buffer
	if err := run(ctx, []string{"export", zipPath, "--db", src}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Exported") {
		t.Errorf("export said: %s", out.String())
	}
	// A second export to the same file is refused; so is a name that is not a zip.
	for _, args := range [][]string{{"export", zipPath, "--db", src}, {"export", filepath.Join(dir, "x.csv"), "--db", src}, {"export", "--db", src}} {
		if err := run(ctx, args, env(nil), nil, io.Discard); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v", args, err)
		}
	}

	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
		names = append(names, f.Name)
		if time.Since(f.Modified) > time.Hour {
			t.Errorf("%s is dated %v", f.Name, f.Modified)
		}
	}
	if names[0] != "manifest.json" {
		t.Errorf("the manifest is not first: %v", names)
	}
	var m struct {
		Format           string `json:"format"`
		FormatVersion    int    `json:"format_version"`
		CreatedAt        string `json:"created_at"`
		MigrationVersion int64  `json:"migration_version"`
		Tables           []struct {
			Name, File      string
			Rows            int
			Columns         []string
			NullableColumns []string `json:"nullable_columns"`
			Base64Columns   []string `json:"base64_columns"`
		}
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, m.CreatedAt); err != nil || m.Format != "kitloan-export" || m.FormatVersion != 2 {
		t.Errorf("manifest: %+v", m)
	}
	if v := rowsOf(t, src, `SELECT max(version_id) FROM goose_db_version`); len(v) != 1 || v[0] != fmt.Sprintf("max(version_id)=%d", m.MigrationVersion) || m.MigrationVersion < 5 {
		t.Errorf("migration version %d, database %v", m.MigrationVersion, v)
	}
	// One CSV a table, every table of the service but the secrets, with the rows counted.
	var tables []string
	for _, r := range rowsOf(t, src, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('goose_db_version', 'sessions', 'api_tokens') ORDER BY name`) {
		tables = append(tables, strings.TrimPrefix(r, "name="))
	}
	var listed []string
	for _, e := range m.Tables {
		listed = append(listed, e.Name)
		rows, err := csv.NewReader(bytes.NewReader(files[e.File])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", e.File, err)
		}
		for _, r := range rows {
			for _, c := range r {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("%s: a spreadsheet runs the cell %q", e.File, c)
				}
			}
		}
		if !slices.Equal(rows[0], e.Columns) || len(rows)-1 != e.Rows {
			t.Errorf("%s: header %v, %d rows; manifest %v, %d rows", e.File, rows[0], len(rows)-1, e.Columns, e.Rows)
		}
		want := e.Rows
		if e.Name == "events" {
			want++ // the export itself, recorded once it was written
		}
		if n := rowsOf(t, src, `SELECT count(*) AS n FROM "`+e.Name+`"`); n[0] != fmt.Sprintf("n=%d", want) {
			t.Errorf("%s: manifest says %d rows, the database %v", e.Name, e.Rows, n)
		}
	}
	slices.Sort(listed)
	if !slices.Equal(listed, tables) {
		t.Errorf("tables exported %v, want %v", listed, tables)
	}
	// The formulas are there, quoted.
	for f, quoted := range map[string]string{"children.csv": "'" + formula, "carers.csv": "'''double", "products.csv": "'=1+1", "items.csv": "'@SUM(A1)"} {
		if !bytes.Contains(files[f], []byte(quoted)) {
			t.Errorf("%s does not hold %s", f, quoted)
		}
	}
	if len(files) != len(tables)+1 || files["sessions.csv"] != nil || files["api_tokens.csv"] != nil {
		t.Errorf("files: %v", names)
	}
	for _, e := range m.Tables {
		switch e.Name {
		case "users":
			if slices.Contains(e.Columns, "password_hash") || bytes.Contains(files["users.csv"], []byte("$2a$")) {
				t.Error("the export carries password hashes")
			}
		case "agreement_copies":
			if !slices.Equal(e.Base64Columns, []string{"content"}) {
				t.Errorf("agreement copies binary columns: %v", e.Base64Columns)
			}
		case "products":
			if !slices.Equal(e.NullableColumns, []string{"unit_cost_pence", "min_age_years", "max_age_years"}) {
				t.Errorf("products nullable columns: %v", e.NullableColumns)
			}
		}
	}

	// Import the tables into an empty database: first checked, then for real.
	for _, f := range []string{"products.csv", "items.csv"} {
		if err := os.WriteFile(filepath.Join(dir, f), files[f], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(dir, "new.db")
	// Items first fail: their products are not there yet. Nothing is imported.
	out.Reset()
	err = run(ctx, []string{"import", "items", filepath.Join(dir, "items.csv"), "--db", dst}, env(nil), nil, &out)
	if err == nil || !strings.Contains(err.Error(), "4 rows have problems") || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(out.String(), "items.csv: line 2, product_id: there is no product 1\n") ||
		!strings.Contains(out.String(), "items.csv: line 6, product_id: there is no product 3\n") { // line 4's notes run over two lines
		t.Fatalf("items before products: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"import", "products", filepath.Join(dir, "products.csv"), "--dry-run"}, env(map[string]string{"KITLOAN_DB": dst}), nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "all 6 rows are good; nothing was imported (dry run)") || len(rowsOf(t, dst, productFields)) != 0 {
		t.Fatalf("dry run: %s", out.String())
	}
	for _, kind := range []string{"products", "items"} {
		out.Reset()
		if err := run(ctx, []string{"import", kind, filepath.Join(dir, kind+".csv"), "--db", dst}, env(nil), nil, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Imported") {
			t.Errorf("import %s said: %s", kind, out.String())
		}
	}
	// Field by field, the same products (ids kept) and items (tags kept, on the same products).
	for _, q := range []string{productFields, itemFields} {
		want, got := rowsOf(t, src, q), rowsOf(t, dst, q)
		if len(want) == 0 || !slices.Equal(want, got) {
			t.Errorf("after the round trip:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if last := rowsOf(t, src, `SELECT entity, action, details FROM events ORDER BY id DESC LIMIT 1`); !strings.HasPrefix(last[0], "entity=export|action=exported|details={\"rows\":") {
		t.Errorf("the export is not in the history: %v", last)
	}
	// What the import does not carry: an item's status and loans, and the history.
	if st := rowsOf(t, dst, `SELECT status FROM items WHERE product_id = 2`); st[0] != "status=available" {
		t.Errorf("imported item on loan in the source: %v", st)
	}
	// The catalogue's own CSV downloads (category by name, product by id, the figures
	// kitloan works out read past) import the same way.
	srcDB, err := db.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	dst2 := filepath.Join(dir, "from-downloads.db")
	for _, kind := range []string{"products", "items"} {
		var b bytes.Buffer
		if _, err := reports.NewStore(srcDB).WriteCSV(ctx, accounts.User{Role: accounts.Staff}, kind, &b); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "download-"+kind+".csv")
		os.WriteFile(file, append([]byte("\ufeff"), b.Bytes()...), 0o600)
		if err := run(ctx, []string{"import", kind, file, "--db", dst2}, env(nil), nil, io.Discard); err != nil {
			t.Fatalf("import the %s download: %v", kind, err)
		}
	}
	srcDB.Close()
	for _, q := range []string{productFields, itemFields} {
		if want, got := rowsOf(t, src, q), rowsOf(t, dst2, q); !slices.Equal(want, got) {
			t.Errorf("from the downloads:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	// Importing the same products again is refused row by row: their ids are taken.
	out.Reset()
	err = run(ctx, []string{"import", "products", filepath.Join(dir, "products.csv"), "--db", dst}, env(nil), nil, &out)
	if err == nil || !strings.Contains(out.String(), "line 2, id: is already the id of Corner chair") {
		t.Errorf("second import: %v %s", err, out.String())
	}
}

func TestImportCommandErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,category,kind\nChair,Seating,sofa\n,Seating,returnable\nGrip,Grips,consumable\n"), 0o600)
	var out bytes.Buffer
	err := run(ctx, []string{"import", "products", bad, "--db", path, "--dry-run"}, env(nil), nil, &out)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "2 rows have problems") {
		t.Fatalf("bad file: %v", err)
	}
	if got := out.String(); got != bad+": line 2, kind: must be one of: returnable, consumable\n"+bad+": line 3, name: is required\n" {
		t.Errorf("report:\n%s", got)
	}
	for _, args := range [][]string{
		{"import", "furniture", bad},
		{"import", "products"},
		{"import", "products", filepath.Join(dir, "missing.csv")},
		{"import", "products", bad, "--dry-run=maybe"},
	} {
		if err := run(ctx, append(args, "--db", path), env(nil), nil, io.Discard); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if rows := rowsOf(t, path, `SELECT count(*) AS n FROM products`); rows[0] != "n=0" {
		t.Errorf("products after refused imports: %v", rows)
	}
}

func TestImportCommandEncoding(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	latin1 := filepath.Join(dir, "latin1.csv")
	os.WriteFile(latin1, []byte("name,category,kind\nCaf\xe9 chair,Seating,returnable\n"), 0o600)
	var out bytes.Buffer
	err := run(ctx, []string{"import", "products", latin1, "--db", path}, env(nil), nil, &out)
	if err == nil || !strings.Contains(out.String(), latin1+": line 2, name: is not UTF-8 text") || !strings.Contains(out.String(), "Windows-1252") {
		t.Fatalf("a Latin-1 file read as UTF-8: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"import", "products", latin1, "--encoding", "ebcdic", "--db", path}, env(nil), nil, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "utf-8 or windows-1252") {
		t.Errorf("an unknown encoding: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"import", "products", latin1, "--encoding", "windows-1252", "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatalf("--encoding windows-1252: %v\n%s", err, out.String())
	}
	if rows := rowsOf(t, path, `SELECT name FROM products`); len(rows) != 1 || rows[0] != "name=Café chair" {
		t.Errorf("imported %v", rows)
	}
}
