package inventory_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

// problems writes a report's problems one a line, as "line field: problem".
func problems(rep inventory.ImportReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "%d %s: %s\n", p.Line, p.Field, p.Problem)
	}
	return b.String()
}

func count(t *testing.T, s *inventory.Store, table string) int {
	t.Helper()
	var n int
	if table == "products" {
		_, n, _ = s.Products(context.Background(), inventory.ProductFilter{Limit: 1})
	} else {
		_, n, _ = s.Items(context.Background(), inventory.ItemFilter{Limit: 1})
	}
	return n
}

func TestImportProductsReportsEveryBadRowAndImportsNothing(t *testing.T) {
	ctx := context.Background()
	_, s := openStore(t)
	// Line 4 holds a quoted value over two lines, so line 5 is the next row.
	file := "\ufeffName,Category,Kind,Stock,Needs decontamination,min_age_years,max_age_years,unit_cost_pence\n" +
		"Classroom chair,Seating,returnable,0,yes,3,11,12500\n" + // 2: good
		",Seating,returnable,,,,,\n" + // 3: no name
		"\"Bath seat\nwith back\",Bathing,Returnable,1,maybe,,,\n" + // 4–5: a name over two lines, unknown category, kind in capitals is fine, bad yes/no
		"Grip,Grips,consumable,lots,,,,-5\n" + // 6: stock not a number, cost below 0
		"Spoon,Cutlery,borrowed,,,12,4,\n" + // 7: kind, ages the wrong way round
		"Slope,Writing aids,returnable,2\n" + // 8: too few values
		"Cup,Cutlery,consumable,5,no,,,\n" // 9: good
	for _, dry := range []bool{true, false} {
		rep, err := s.Import(ctx, inventory.ImportProducts, strings.NewReader(file), dry)
		if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "5 rows have problems") || !strings.Contains(err.Error(), "nothing was imported") {
			t.Fatalf("dry run %v: error %v", dry, err)
		}
		want := "3 name: is required\n" +
			"4 name: must be on one line: only notes may hold line breaks\n" +
			"4 category: there is no category called \"Bathing\"\n" +
			"4 needs_decontamination: must be yes or no\n" +
			"6 stock: must be a whole number, like 12\n" +
			"6 unit_cost_pence: must be 0 or more\n" +
			"7 kind: must be one of: returnable, consumable\n" +
			"8 : has 4 values but the header names 8 columns\n"
		// The ages of line 7 are checked once its kind is right: validateProduct stops at
		// its first failing check, as it does for CreateProduct.
		if got := problems(rep); got != want {
			t.Errorf("dry run %v: problems\n%s\nwant\n%s", dry, got, want)
		}
		if rep.Rows != 7 || rep.Imported != 0 || rep.DryRun != dry {
			t.Errorf("report: %+v", rep)
		}
		if n := count(t, s, "products"); n != 0 {
			t.Fatalf("dry run %v: %d products imported from a file with bad rows", dry, n)
		}
	}
	// Fixed, the same file imports in one go, through CreateProduct's rules (defaults and all).
	fixed := "name,category,kind,stock,needs_decontamination,min_age_years,max_age_years\n" +
		"Classroom chair,Seating,returnable,0,,3,11\nSpoon,Cutlery,consumable,5,no,12,4\n"
	rep, err := s.Import(ctx, inventory.ImportProducts, strings.NewReader(fixed), false)
	if got := problems(rep); got != "3 max_age_years: must be the same as or more than the lowest age\n" || err == nil {
		t.Fatalf("ages: %v %s", err, got)
	}
	fixed = strings.Replace(fixed, "12,4", "4,12", 1)
	rep, err = s.Import(ctx, inventory.ImportProducts, strings.NewReader(fixed), false)
	if err != nil || rep.Imported != 2 {
		t.Fatalf("fixed file: %v %+v", err, rep)
	}
	ps, _, _ := s.Products(ctx, inventory.ProductFilter{})
	if len(ps) != 2 || ps[0].Name != "Classroom chair" || !ps[0].NeedsDecontamination || ps[1].NeedsDecontamination || ps[1].Stock != 5 {
		t.Errorf("imported: %+v", ps)
	}
}

func TestImportItemsChecksRowsAgainstEachOther(t *testing.T) {
	ctx := context.Background()
	_, s := openStore(t)
	chair, _ := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", Size: "Size 2"})
	s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", Size: "Size 3"})
	grip, _ := s.CreateProduct(ctx, inventory.ProductInput{Name: "Grip", Category: "Grips", Kind: "consumable"})
	if _, err := s.CreateItems(ctx, inventory.ItemInput{ProductID: chair.ID, Tag: "KL-TAKEN"}); err != nil {
		t.Fatal(err)
	}
	file := "tag,product,serial,condition,location,acquired_on,notes\n" +
		"kl-a1,Chair (Size 2),SN1,good,Store,2024-05-01,\n" + // 2: good (tag in any case)
		"KL-A1,Chair (size 3),SN2,good,,,\n" + // 3: the tag of line 2
		",Chair (Size 2),SN1,fair,,,\n" + // 4: the serial of line 2, same product
		",Chair,,,,,\n" + // 5: two products called Chair
		",Stool,,,,,\n" + // 6: no such product
		"," + fmt.Sprint(grip.ID) + ",,,,,\n" + // 7: a consumable
		"KL-TAKEN,999,,broken,,31/12/2024,\n" + // 8: no product 999, bad condition and date
		"bad tag!,Chair (Size 3),,,,,\n" + // 9: tag characters
		"KL-TAKEN," + fmt.Sprint(chair.ID) + ",,new,,,\n" + // 10: tag already in the database
		",Chair (Size 3),,,,,\n" // 11: good, tag generated
	rep, err := s.Import(ctx, inventory.ImportItems, strings.NewReader(file), true)
	want := "3 tag: is already on another item\n" +
		"4 serial: is already used by another unit of this product\n" +
		"5 product: 2 products are called \"Chair\": give the product's id, or its name with its size as lists show it\n" +
		"6 product: there is no product called \"Stool\"\n" +
		"7 product: Grip is a consumable: add to its stock count instead of labelling units\n" +
		"8 product: there is no product 999\n" +
		"8 condition: must be one of: new, good, fair, poor\n" +
		"8 acquired_on: must be a date like 2026-11-22\n" +
		"9 tag: use only letters, digits and hyphens, up to 40 characters\n" +
		"10 tag: is already on another item\n"
	if got := problems(rep); got != want || errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("problems (%v)\n%s\nwant\n%s", err, got, want)
	}
	if n := count(t, s, "items"); n != 1 {
		t.Fatalf("%d items after a refused import, want the 1 there before", n)
	}
	// The header must name the product; unknown columns are named.
	rep, _ = s.Import(ctx, inventory.ImportItems, strings.NewReader("tag,colour\nKL-9,red\n"), true)
	if got := problems(rep); !strings.Contains(got, "1 colour: is not a column kitloan imports") || !strings.Contains(got, "1 product: column is missing") {
		t.Errorf("header problems:\n%s", got)
	}
	for name, f := range map[string]string{"empty": "", "header only": "tag,product\n", "bad quote": "tag,product\n\"KL-1,1\n"} {
		rep, err := s.Import(ctx, inventory.ImportItems, strings.NewReader(f), true)
		if err == nil || len(rep.Problems) == 0 {
			t.Errorf("%s: %v %+v", name, err, rep)
		}
	}
	// The good rows alone import, in one transaction.
	good := "tag,product,serial,condition,location,acquired_on,notes\n" +
		"kl-a1,Chair (Size 2),SN1,good,Store,2024-05-01,\"Blue, with \"\"tray\"\"\"\n,Chair (Size 3),,,,,\n"
	rep, err = s.Import(ctx, inventory.ImportItems, strings.NewReader(good), false)
	if err != nil || rep.Imported != 2 || count(t, s, "items") != 3 {
		t.Fatalf("good rows: %v %+v", err, rep)
	}
	it, err := s.Item(ctx, "KL-A1")
	if err != nil || it.Serial != "SN1" || it.Condition != "good" || it.Location != "Store" || *it.AcquiredOn != "2024-05-01" ||
		it.Notes != `Blue, with "tray"` || it.Status != inventory.Available {
		t.Errorf("imported item: %+v %v", it, err)
	}
}

// utf16 writes s as UTF-16 with its byte-order mark, as Excel's "Unicode text" does.
func utf16(s string, bigEndian bool) []byte {
	out := []byte{0xff, 0xfe}
	if bigEndian {
		out = []byte{0xfe, 0xff}
	}
	for _, u := range utf16Units(s) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func utf16Units(s string) []uint16 {
	var units []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			units = append(units, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
			continue
		}
		units = append(units, uint16(r))
	}
	return units
}

func TestImportTakesTextNotBytes(t *testing.T) {
	ctx := context.Background()
	_, s := openStore(t)
	names := func() string {
		ps, _, _ := s.Products(ctx, inventory.ProductFilter{})
		var out []string
		for _, p := range ps {
			out = append(out, p.Name+"|"+p.Notes)
		}
		return strings.Join(out, ",")
	}
	refused := func(what string, file []byte, want string) {
		t.Helper()
		rep, err := s.Import(ctx, inventory.ImportProducts, bytes.NewReader(file), false)
		if got := problems(rep); errs.CodeOf(err) != errs.Invalid || got != want {
			t.Errorf("%s: %v\n%swant\n%s", what, err, got, want)
		}
	}
	// Latin-1 (or Windows-1252) bytes are not UTF-8: refused by line and column, with the
	// way out, until the encoding is chosen.
	latin1 := []byte("name,category,kind,notes\nSlope,Writing aids,returnable,\nCaf\xe9 chair,Seating,returnable,cr\xe8me\n")
	notUTF8 := "is not UTF-8 text: save the file as CSV UTF-8, or choose the encoding it was saved in (such as Windows-1252) when importing"
	refused("Latin-1", latin1, "3 name: "+notUTF8+"\n3 notes: "+notUTF8+"\n")
	refused("Latin-1 header", []byte("name,category,kind,caf\xe9\nChair,Seating,returnable,\n"), "1 column 4: "+notUTF8+"\n")
	decoded, err := inventory.DecodeImport(latin1, inventory.EncodingWindows1252)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Import(ctx, inventory.ImportProducts, bytes.NewReader(decoded), false); err != nil || rep.Imported != 2 {
		t.Fatalf("decoded as Windows-1252: %v %+v", err, rep)
	}
	if got := names(); got != "Café chair|crème,Slope|" {
		t.Errorf("imported %q", got)
	}
	// A file that says what it is: UTF-16 either way round, or a UTF-8 byte-order mark,
	// which wins over a choice of Windows-1252.
	for name, file := range map[string][]byte{
		"UTF-16LE": utf16("name,category,kind\nŁódź stool,Seating,returnable\n", false),
		"UTF-16BE": utf16("name,category,kind\n日本 stool,Seating,returnable\n", true),
	} {
		if rep, err := s.Import(ctx, inventory.ImportProducts, bytes.NewReader(file), false); err != nil || rep.Imported != 1 {
			t.Fatalf("%s: %v %+v", name, err, rep)
		}
	}
	bom, _ := inventory.DecodeImport([]byte("\ufeffname,category,kind\nZoë's bench,Seating,returnable\n"), inventory.EncodingWindows1252)
	if rep, err := s.Import(ctx, inventory.ImportProducts, bytes.NewReader(bom), false); err != nil || rep.Imported != 1 {
		t.Fatalf("UTF-8 with its mark, Windows-1252 chosen: %v %+v", err, rep)
	}
	if got := names(); got != "Café chair|crème,Slope|,Zoë's bench|,Łódź stool|,日本 stool|" {
		t.Errorf("imported %q", got)
	}
	if _, err := inventory.DecodeImport(latin1, "ebcdic"); errs.CodeOf(err) != errs.Invalid || errs.As(err).Fields["encoding"] == "" {
		t.Errorf("an unknown encoding: %v", err)
	}

	// Control characters are refused wherever they are; line breaks and tabs only outside
	// notes.
	refused("NUL", []byte("name,category,kind,notes\nChair\x00,Seating,returnable,\nStool,Seating,returnable,\"a\x1b[2J\"\n"),
		"2 name: contains a control character (U+0000) that cannot be shown: remove it\n"+
			"3 notes: contains a control character (U+001B) that cannot be shown: remove it\n")
	// Line 2 runs over lines 2 to 4.
	refused("line break in a name", []byte("name,category,kind,notes\n\"Bath\nseat\",Seating,returnable,\"Two\nlines\"\nStool\tlow,Seating,returnable,\n"),
		"2 name: must be on one line: only notes may hold line breaks\n"+
			"5 name: must not contain a tab: use a space\n")
	before := names()
	if rep, err := s.Import(ctx, inventory.ImportProducts, strings.NewReader("name,category,kind,notes\nBath seat,Seating,returnable,\"Two\nlines,\tand a tab\"\n"), false); err != nil || rep.Imported != 1 {
		t.Fatalf("a line break in notes: %v %+v", err, rep)
	}
	if got := names(); !strings.Contains(got, "Bath seat|Two\nlines,\tand a tab") || len(got) <= len(before) {
		t.Errorf("imported %q", got)
	}
}
