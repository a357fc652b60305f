package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/loans"
)

// tableDump is every row of every table, as text: what a dry run must leave as it was.
func tableDump(t *testing.T, path string) string {
	t.Helper()
	d, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out strings.Builder
	var tables []string
	rows, err := d.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, table := range tables {
		rows, err := d.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
		if err != nil {
			rows, err = d.Query(`SELECT * FROM "` + table + `"`)
		}
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintf(&out, "%s %q\n", table, vals)
		}
		rows.Close()
	}
	return out.String()
}

func TestAnonymiseCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.NewStore(d)
	acc.HashCost = bcrypt.MinCost
	ot, err := acc.CreateUser(ctx, accounts.UserInput{Email: "ot@test", Name: "Olu Therapist", Role: accounts.Therapist, Password: "a-long-enough-password"})
	if err != nil {
		t.Fatal(err)
	}
	ls := loans.NewStore(d)
	add := func(given, family, dob, nhs, address, phone, discharged string) loans.Child {
		c, err := ls.CreateChild(ctx, ot, loans.ChildInput{GivenName: given, FamilyName: family, DateOfBirth: dob, NHSNumber: nhs,
			Address: address, Notes: "Seen by " + given + " " + family + "'s school",
			Carers: []loans.Carer{{Name: "Carer of " + given, Relationship: "mother", Phone: phone}}})
		if err != nil {
			t.Fatal(err)
		}
		if discharged != "" {
			// Change the details twice first, so that old versions of the row are left
			// in the file's free space, as years of use leave them: only compacting the
			// file removes them.
			in := loans.ChildInput{GivenName: given, FamilyName: family, DateOfBirth: dob, NHSNumber: nhs, Address: address + " (old)",
				Notes: strings.Repeat("Was at "+address+". ", 40), Carers: []loans.Carer{{Name: "Carer of " + given, Phone: phone}}}
			if _, err := ls.UpdateChild(ctx, ot, c.ID, in); err != nil {
				t.Fatal(err)
			}
			in.Notes = ""
			if _, err := ls.UpdateChild(ctx, ot, c.ID, in); err != nil {
				t.Fatal(err)
			}
			if c, err = ls.DischargeChild(ctx, ot, c.ID, discharged); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	zoe := add("Zoë", "Łukasiewicz-Nguyễn", "1997-06-01", "4010232137", "12 Ffordd Gwynedd", "07700 900461", "2020-01-01")
	young := add("Ivy", "Young", "2015-06-01", "", "9 Elm Row", "07700 900111", "2024-01-01")
	d.Close()

	var out bytes.Buffer
	run1 := func(args ...string) string {
		t.Helper()
		out.Reset()
		if err := run(ctx, append([]string{"anonymise", "--db", path}, args...), env(nil), nil, &out); err != nil {
			t.Fatalf("anonymise %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}

	// A dry run names whom it would anonymise and what would change, and changes nothing.
	before := tableDump(t, path)
	got := run1("--dry-run")
	for _, want := range []string{"due: " + zoe.Reference + " Zoë Łukasiewicz-Nguyễn", fmt.Sprintf("would anonymise child %d as ANON-%06d", zoe.ID, zoe.ID), "1 carers removed", "nothing was changed"} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run says:\n%s\nwant %q", got, want)
		}
	}
	if strings.Contains(got, "Ivy") {
		t.Errorf("the dry run offers a child not yet 25:\n%s", got)
	}
	if after := tableDump(t, path); after != before {
		t.Fatal("the dry run changed the database")
	}

	got = run1()
	if !strings.Contains(got, "Anonymised 1 children's records") || strings.Contains(got, "Zoë") {
		t.Errorf("anonymise says:\n%s", got)
	}
	after := tableDump(t, path)
	for _, gone := range []string{"Zoë", "Łukasiewicz", "4010232137", "12 Ffordd Gwynedd", "07700 900461", "Carer of Zoë"} {
		if strings.Contains(after, gone) {
			t.Errorf("%q is still in the database", gone)
		}
		// Nor anywhere in its files: the file was compacted and the log emptied.
		for _, f := range []string{path, path + "-wal"} {
			if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(gone)) {
				t.Errorf("%q is still in the bytes of %s", gone, filepath.Base(f))
			}
		}
	}
	for _, kept := range []string{"Ivy", "9 Elm Row", "07700 900111", fmt.Sprintf("ANON-%06d", zoe.ID), young.Reference} {
		if !strings.Contains(after, kept) {
			t.Errorf("%q went", kept)
		}
	}
	if got := run1(); !strings.Contains(got, "No child's record is due") || !strings.Contains(got, "compacted") {
		t.Errorf("a second run says:\n%s", got)
	}
	if err := run(ctx, []string{"anonymise", "--db", path, "extra"}, env(nil), nil, &out); err == nil {
		t.Error("anonymise with an argument should fail")
	}
}
