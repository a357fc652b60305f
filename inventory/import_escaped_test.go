package inventory_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"kitloan/internal/csvfile"
	"kitloan/inventory"
)

// A cell an export quoted so that spreadsheets do not run it imports as the value it
// holds, numbers included; a quote someone typed before anything else stays.
func TestImportUnquotesExportedCells(t *testing.T) {
	ctx := context.Background()
	_, s := openStore(t)
	file := func(rows ...[]string) *bytes.Buffer {
		var b bytes.Buffer
		w := csvfile.NewWriter(&b)
		for _, r := range append([][]string{{"id", "name", "category", "kind", "manufacturer", "model", "size", "stock", "notes"}}, rows...) {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return &b
	}
	in := file([]string{"+7", "=SUM(A1)", "Seating", "returnable", "'quoted", "''double", "@A1", "+12", "\tx"})
	if !strings.Contains(in.String(), "'+7,'=SUM(A1),Seating,returnable,''quoted,'''double,'@A1,'+12,'\tx\n") {
		t.Fatalf("the file: %q", in.String())
	}
	if rep, err := s.Import(ctx, inventory.ImportProducts, in, false); err != nil || rep.Imported != 1 {
		t.Fatalf("import: %v %s", err, problems(rep))
	}
	p, err := s.Product(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "=SUM(A1)" || p.Manufacturer != "'quoted" || p.Model != "''double" || p.Size != "@A1" || p.Stock != 12 || p.Notes != "\tx" {
		t.Errorf("imported %+v", p)
	}
	// A negative number is read as one, and refused for what it is.
	rep, err := s.Import(ctx, inventory.ImportProducts, file([]string{"", "Cup", "Cutlery", "consumable", "", "", "", "-1", ""}), true)
	if got := problems(rep); err == nil || got != "2 stock: must be 0 or more\n" {
		t.Errorf("negative stock: %v\n%s", err, got)
	}
	// A quote before anything else is the value's own.
	rep, err = s.Import(ctx, inventory.ImportProducts, strings.NewReader("name,category,kind,model\n'Tis,Seating,returnable,'  =1\n"), false)
	if err != nil {
		t.Fatalf("%v %s", err, problems(rep))
	}
	list, _, _ := s.Products(ctx, inventory.ProductFilter{Limit: 10})
	if !slices.ContainsFunc(list, func(p inventory.Product) bool { return p.Name == "'Tis" && p.Model == "'  =1" }) {
		t.Errorf("typed quotes lost: %+v", list)
	}
}
