package labels

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"kitloan/internal/paper"
)

func TestClean(t *testing.T) {
	cases := map[string]string{
		"  Zoë\tŁukasz\n":  "Zoë Łukasz",
		"Nguyễn Ольга":     "Nguyễn Ольга",
		"a\x00b":           "a b",
		"漢字 \U0001F600 ok": "?? ? ok",
		"\U00010000":       "?",
	}
	for in, want := range cases {
		if got := paper.Clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := paper.Clean("bad \xff utf-8"); !utf8.ValidString(got) {
		t.Errorf("clean kept invalid UTF-8: %q", got)
	}
}

func TestWrapAndEllipsize(t *testing.T) {
	limit := regular.width("Pressure relieving") // em
	cases := []struct {
		text string
		n    int
		want []string
	}{
		{"Cushion", 2, []string{"Cushion"}},
		{"Pressure relieving cushion", 2, []string{"Pressure relieving", "cushion"}},
		{"Pressure relieving cushion, adult size", 2, []string{"Pressure relieving", "cushion, adult s…"}},
		{"Pressure relieving cushion", 1, []string{"Pressure relievi…"}},
		{"Pressure-relieving-cushion", 2, []string{"Pressure-", "relieving-cushion"}},
		{"Pressurerelievingcushion", 2, []string{"Pressurerelieving", "cushion"}},
	}
	for _, c := range cases {
		got := regular.wrap(c.text, limit, c.n)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.text, c.n, got, c.want)
		}
		for _, line := range got {
			if regular.width(line) > limit {
				t.Errorf("wrap(%q): %q is wider than the limit", c.text, line)
			}
		}
	}
	if got := regular.ellipsize("Cushion", regular.ellipsis/2); got != "" {
		t.Errorf("ellipsize in no room = %q, want nothing", got)
	}
}

// On labels too small for everything the tag comes first, then a line of the product,
// then the phone, then the product's second line.
func TestSmallLabelsKeepTheTagFirst(t *testing.T) {
	label := Label{Tag: "KL-000123", Product: "Pressure relieving wheelchair cushion, adult", URL: "http://kitloan.test/t/KL-000123"}
	cases := []struct {
		w, h float64
		want []string // the lines' kinds, top to bottom
	}{
		{63.5, 38.1, []string{"tag", "product", "product", "phone"}},
		{38.1, 21.2, []string{"tag", "product", "product", "phone"}},
		{38.1, 12, []string{"tag", "product", "phone"}},
		{38.1, 8, []string{"tag", "product"}},
		{38.1, 6, []string{"tag"}},
	}
	for _, c := range cases {
		plan := planLabel(label, "0161 496 0000", c.w, c.h, 29)
		var kinds []string
		bottom := 0.0
		for _, l := range plan.lines {
			switch {
			case l.face == bold:
				kinds = append(kinds, "tag")
			case strings.HasPrefix(l.text, "0161"):
				kinds = append(kinds, "phone")
			default:
				kinds = append(kinds, "product")
			}
			bottom = l.baseline + (lineSpacing-ascent)*l.size/ptPerMM
		}
		if !slices.Equal(kinds, c.want) {
			t.Errorf("%g × %g mm: lines %v, want %v", c.w, c.h, kinds, c.want)
		}
		if top := plan.lines[0].baseline - ascent*plan.lines[0].size/ptPerMM; top < edgePad-1e-9 || bottom > c.h-edgePad+1e-9 {
			t.Errorf("%g × %g mm: text spans %.2f–%.2f mm, want within %g–%g", c.w, c.h, top, bottom, edgePad, c.h-edgePad)
		}
	}
}
