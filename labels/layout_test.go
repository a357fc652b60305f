package labels

import (
	"math"
	"testing"
)

// Position must agree with the manufacturers' published figures (margin + n × pitch)
// for the first, a middle and the last label of each stock.
func TestPositionsMatchPublishedGeometry(t *testing.T) {
	cases := []struct {
		layout string
		slot   int
		x, y   float64
	}{
		{"avery-l7160", 0, 7.2, 15.15},
		{"avery-l7160", 10, 7.2 + 66.0, 15.15 + 3*38.1},
		{"avery-l7160", 20, 7.2 + 2*66.0, 15.15 + 6*38.1},
		{"avery-l7651", 0, 4.75, 10.7},
		{"avery-l7651", 32, 4.75 + 2*40.6, 10.7 + 6*21.2},
		{"avery-l7651", 64, 4.75 + 4*40.6, 10.7 + 12*21.2},
		{"avery-5160", 0, 4.7625, 12.7},
		{"avery-5160", 16, 4.7625 + 69.85, 12.7 + 5*25.4},
		{"avery-5160", 29, 4.7625 + 2*69.85, 12.7 + 9*25.4},
		{"roll-62x29", 0, 0, 0},
	}
	for _, c := range cases {
		layout, err := LookupLayout(c.layout)
		if err != nil {
			t.Fatal(err)
		}
		if x, y := layout.Position(c.slot); math.Abs(x-c.x) > 0.5 || math.Abs(y-c.y) > 0.5 {
			t.Errorf("%s slot %d at (%.2f, %.2f) mm, want (%.2f, %.2f)", c.layout, c.slot, x, y, c.x, c.y)
		}
	}
}

// Every stock's grid fits its page and is centred on it, as the real sheets are; a
// wrong pitch or count shows up as lopsided margins.
func TestGridsAreCentredOnThePage(t *testing.T) {
	for _, l := range Layouts() {
		x, y := l.Position(l.PerPage() - 1)
		right, bottom := l.PageW-(x+l.LabelW), l.PageH-(y+l.LabelH)
		if math.Abs(right-l.MarginLeft) > 0.1 || math.Abs(bottom-l.MarginTop) > 0.1 {
			t.Errorf("%s: margins left %.2f right %.2f top %.2f bottom %.2f mm", l.Name, l.MarginLeft, right, l.MarginTop, bottom)
		}
		if l.PitchX < l.LabelW || l.PitchY < l.LabelH {
			t.Errorf("%s: labels overlap", l.Name)
		}
	}
}

func TestLayouts(t *testing.T) {
	want := []struct {
		name    string
		perPage int
	}{{"avery-l7160", 21}, {"avery-l7651", 65}, {"avery-5160", 30}, {"roll-62x29", 1}}
	got := Layouts()
	if len(got) != len(want) {
		t.Fatalf("%d layouts, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].PerPage() != w.perPage || got[i].Title == "" {
			t.Errorf("layout %d: %s with %d a page, want %s with %d", i, got[i].Name, got[i].PerPage(), w.name, w.perPage)
		}
	}
	got[0].Cols = 99
	if Layouts()[0].Cols == 99 {
		t.Error("Layouts returned the package's own slice")
	}
	if l, err := LookupLayout(""); err != nil || l.Name != "avery-l7160" {
		t.Errorf(`LookupLayout("") = %s, %v; want avery-l7160`, l.Name, err)
	}
	_, err := LookupLayout("avery-9999")
	assertInvalid(t, err, "layout")
}
