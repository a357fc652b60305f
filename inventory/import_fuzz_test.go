package inventory_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
)

// fingerprint sums up what an import could change: rows and the tag counter.
func fingerprint(t *testing.T, d *db.DB) [5]int {
	t.Helper()
	var f [5]int
	err := d.Read.QueryRow(`SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM items), (SELECT count(*) FROM events),
		(SELECT coalesce(sum(value), 0) FROM counters), (SELECT coalesce(sum(stock), 0) FROM products)`).Scan(&f[0], &f[1], &f[2], &f[3], &f[4])
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// FuzzCSVImport feeds any file to the products and items imports. An import never panics
// and never fails inside (only ever an invalid-input error); it reports an error exactly
// when it lists bad rows, each with a line and a problem; a dry run changes nothing; and a
// real import of a file with a bad row reports the same rows and imports nothing. One
// database serves every input: a dry run that passes is not repeated for real, so the
// database stays as it was set up.
func FuzzCSVImport(f *testing.F) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(f.TempDir(), "k.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	s := inventory.NewStore(d)
	chair, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", Size: "Size 2"})
	if err != nil {
		f.Fatal(err)
	}
	s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", Size: "Size 3"})
	s.CreateProduct(ctx, inventory.ProductInput{Name: "Grip", Category: "Grips", Kind: "consumable", Stock: 4})
	if _, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: chair.ID, Tag: "KL-TAKEN"}); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct {
		items bool
		file  string
	}{
		{false, "name,category,kind,stock\nClassroom chair,Seating,returnable,0\nCup,Cutlery,consumable,5\n"},
		{false, "\ufeffName,Category,Kind,Needs decontamination,min_age_years,max_age_years\nSpoon,Cutlery,borrowed,maybe,12,4\n,Seating,returnable,,,\n"},
		{false, "id,name,category,kind\n1,Chair,Seating,returnable\n-3,Bath seat,Bathing & toileting,returnable\n"},
		{false, "name,category,kind,category_id\nA,1,returnable,2\n"},
		{true, "tag,product,serial,condition,location,acquired_on,notes\nkl-a1,Chair (Size 2),SN1,good,Store,2024-05-01,\nKL-A1,Chair (size 3),,,,,\n"},
		{true, "tag,product_id,status,loan_id\nKL-TAKEN,1,available,\nbad tag!,999,,\n"},
		{true, "tag,product\n\"KL-1,1\n"},
		{true, "product\n3\n,\n\n"},
		{true, "tag,product,acquired_on\nKL-B2,1,2024-02-30\n"},
		{true, ""},
		{false, "name,name,kind\n"},
	} {
		f.Add(seed.items, []byte(seed.file))
	}
	f.Fuzz(func(t *testing.T, items bool, file []byte) {
		kind := inventory.ImportProducts
		if items {
			kind = inventory.ImportItems
		}
		before := fingerprint(t, d)
		dry, err := s.Import(ctx, kind, strings.NewReader(string(file)), true)
		checkReport(t, "dry run", dry, err)
		if dry.Imported != 0 || !dry.DryRun {
			t.Fatalf("a dry run imported %d: %+v", dry.Imported, dry)
		}
		if after := fingerprint(t, d); after != before {
			t.Fatalf("a dry run changed the database: %v → %v", before, after)
		}
		if err == nil {
			return
		}
		real, err := s.Import(ctx, kind, strings.NewReader(string(file)), false)
		checkReport(t, "import", real, err)
		if err == nil {
			t.Fatalf("the dry run found bad rows but the import passed: %+v", dry.Problems)
		}
		if real.Imported != 0 {
			t.Fatalf("an import with bad rows reports %d imported", real.Imported)
		}
		if !reflect.DeepEqual(real.Problems, dry.Problems) {
			t.Fatalf("the import and its dry run disagree:\n%+v\n%+v", real.Problems, dry.Problems)
		}
		if after := fingerprint(t, d); after != before {
			t.Fatalf("an import with bad rows changed the database: %v → %v (%+v)", before, after, real.Problems)
		}
	})
}

func checkReport(t *testing.T, what string, rep inventory.ImportReport, err error) {
	t.Helper()
	if err != nil && errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("%s: an error other than bad input: %v", what, err)
	}
	if (err != nil) != (len(rep.Problems) > 0) {
		t.Fatalf("%s: error %v with %d problems listed", what, err, len(rep.Problems))
	}
	if err != nil && !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("%s: the error does not say nothing was imported: %v", what, err)
	}
	for _, p := range rep.Problems {
		if p.Line < 1 || strings.TrimSpace(p.Problem) == "" {
			t.Fatalf("%s: a problem without a line or a description: %+v", what, p)
		}
	}
}
