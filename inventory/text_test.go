package inventory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kitloan/inventory"
)

// TestImportRefusesTextThatCannotBeShownAndDatesYearsAway: an import's rows pass the
// same checks as the API and the forms, so a control character in a name, a line
// break in a one-line field or an acquired date in the future is named by line and
// column, and nothing is imported; line breaks in notes are kept.
func TestImportRefusesTextThatCannotBeShownAndDatesYearsAway(t *testing.T) {
	ctx := context.Background()
	_, s := openStore(t)
	chair, err := s.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable"})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := s.Import(ctx, inventory.ImportProducts, strings.NewReader("name,category,kind,notes\n"+
		"Bath\x1b[2J seat,Seating,returnable,\n"+ // 2: an escape sequence in the name
		"Cup,Cutlery,consumable,\"Two-handled.\nDishwasher safe\"\n"+ // 3–4: good, notes over two lines
		"Spoon\x00,Cutlery,consumable,\n"), true) // 5: a NUL
	want := "2 name: contains a control character (U+001B) that cannot be shown: remove it\n" +
		"5 name: contains a control character (U+0000) that cannot be shown: remove it\n"
	if got := problems(rep); got != want {
		t.Errorf("products: problems\n%s\nwant\n%s", got, want)
	}
	rep, _ = s.Import(ctx, inventory.ImportItems, strings.NewReader("product,serial,acquired_on\n"+
		"Chair,SN\t1,2024-05-01\n"+ // 2: a tab in the serial
		"Chair,SN2,9999-12-31\n"), true) // 3: acquired in the year 9999
	want = "2 serial: must not contain a tab: use a space\n" +
		"3 acquired_on: must be no later than " + time.Now().Format("2 January 2006") + "\n"
	if got := problems(rep); got != want {
		t.Errorf("items: problems\n%s\nwant\n%s", got, want)
	}
	if n := count(t, s, "products"); n != 1 {
		t.Errorf("%d products after refused imports, want the 1 there before", n)
	}
	if _, n, _ := s.Items(ctx, inventory.ItemFilter{ProductID: chair.ID, Limit: 1}); n != 0 {
		t.Errorf("%d items after a refused import", n)
	}
}
