package errs_test

import (
	"reflect"
	"testing"
	"time"

	"kitloan/internal/errs"
)

func TestTextProblem(t *testing.T) {
	for _, c := range []struct {
		s         string
		multiline bool
		ok        bool
	}{
		{"Zoë Adams", false, true}, {"", false, true}, {"ünïcödé – “quotes” 中文 🙂", false, true},
		{"a\x00b", false, false}, {"a\x00b", true, false}, {"\x1b[2J", true, false}, {"a\u0085b", true, false}, {"\x7f", true, false},
		{"two\nlines", false, false}, {"two\r\nlines\tand a tab", true, true}, {"a\tb", false, false},
		{"Ren\xe9e", false, false}, {"Ren\xe9e", true, false}, {"\xed\xa0\x80", true, false},
	} {
		if got := errs.TextProblem(c.s, c.multiline); (got == "") != c.ok {
			t.Errorf("TextProblem(%q, %v) = %q, want ok=%v", c.s, c.multiline, got, c.ok)
		}
	}
}

type inner struct {
	Name  string `json:"name"`
	Notes string `json:"notes" text:"multiline"`
}

type outer struct {
	Title  *string           `json:"title"`
	People []inner           `json:"people"`
	Marks  map[string]string `json:"marks"`
	Tags   []string          `json:"tags"`
	inner
}

// TestValidateChecksEveryString: Validate finds text that cannot be shown wherever it is
// in an input and names it as the API does.
func TestValidateChecksEveryString(t *testing.T) {
	title := "Chair\x07"
	in := outer{Title: &title, People: []inner{{Name: "Pat", Notes: "fine\nover lines"}, {Name: "Sam\nSmith", Notes: "a\x00"}},
		Marks: map[string]string{"seat\x00": "ok", "back": "fault\x1b"}, Tags: []string{"KL-1", "KL\t2"},
		inner: inner{Name: "Ren\xe9e"}}
	got := map[string]bool{}
	for k := range errs.As(errs.Validate(in)).Fields {
		got[k] = true
	}
	want := map[string]bool{"title": true, "people[1].name": true, "people[1].notes": true, "marks": true, "tags[1]": true, "name": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	ok := "Chair"
	if err := errs.Validate(outer{Title: &ok, People: []inner{{Name: "Pat", Notes: "a\r\nb\tc"}}}); err != nil {
		t.Errorf("good input refused: %v", err)
	}
}

func TestDateWithin(t *testing.T) {
	// The bounds are days, whatever the time of day they are given at.
	early, late := time.Date(1990, 1, 1, 23, 0, 0, 0, time.UTC), time.Date(2036, 12, 4, 1, 0, 0, 0, time.UTC)
	for _, c := range []struct{ date, problem string }{
		{"", ""}, {"1990-01-01", ""}, {"2036-12-04", ""}, {"2026-02-28", ""},
		{"1989-12-31", "must be no earlier than 1 January 1990"}, {"2036-12-05", "must be no later than 4 December 2036"},
		{"9999-12-31", "must be no later than 4 December 2036"}, {"2026-02-30", "must be a date like 2026-11-22"},
	} {
		got := ""
		if err := errs.DateWithin("needed_by", c.date, early, late); err != nil {
			got = errs.As(err).Fields["needed_by"]
		}
		if got != c.problem {
			t.Errorf("DateWithin(%q) = %q, want %q", c.date, got, c.problem)
		}
	}
	if err := errs.DateWithin("on", "0001-01-01", time.Time{}, time.Time{}); err != nil {
		t.Errorf("open bounds refused a date: %v", err)
	}
}
