package text

import (
	"strings"
	"testing"
)

func TestInvalidCharacters(t *testing.T) {
	for _, c := range []struct {
		s         string
		multiLine bool
		want      string // a part of the answer; "" for none
	}{
		{"Café, Łódź, 日本, \ufffd", false, ""},
		{"Line one\nLine two\tand a tab\r\n", true, ""},
		{"Line one\nLine two", false, "must be on one line"},
		{"tab\there", false, "must be on one line"},
		{"nul\x00", true, "U+0000"},
		{"escape\x1b[31m", true, "U+001B"},
		{"delete\x7f", false, "U+007F"},
		{"c1 \u0085", true, "U+0085"},
		{"Caf\xe9", false, NotUTF8},
		{"cut \xe6\x97", true, NotUTF8},
	} {
		got := InvalidCharacters(c.s, c.multiLine)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("InvalidCharacters(%q, %v) = %q, want %q", c.s, c.multiLine, got, c.want)
		}
	}
}
