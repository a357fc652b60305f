package errs

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NotUTF8 is the problem with a value whose bytes are not UTF-8 text.
const NotUTF8 = "contains characters that are not text (it is not UTF-8): type it again"

// What TextProblem says of a line break or a tab in a one-line field.
const (
	OneLine = "must be on one line"
	NoTab   = "must not contain a tab: use a space"
)

// TextProblem says what makes s unfit to store as the value of a field, or "" when
// nothing does. Text must be UTF-8, so that every page, PDF and export can show it, and
// hold no control character (NUL, escape and the rest), which shows as nothing or
// corrupts what it is printed into. Multi-line text may break lines (\n, \r\n) and hold
// tabs; single-line text (names, tags, emails, references) may not.
func TextProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return NotUTF8
	}
	for _, r := range s {
		switch {
		case !unicode.IsControl(r):
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case r == '\n' || r == '\r':
			return OneLine
		case r == '\t':
			return NoTab
		default:
			return fmt.Sprintf("contains a control character (U+%04X) that cannot be shown: remove it", r)
		}
	}
	return ""
}

// CheckText returns an invalid-input error naming the field when TextProblem finds a
// problem with its value. Stores check with it the text they take outside an input
// struct (Validate checks every string of a struct).
func CheckText(field, value string, multiline bool) error {
	if p := TextProblem(value, multiline); p != "" {
		return Field(field, p)
	}
	return nil
}

// checkStrings adds a problem for every string in v (nested structs, pointers, slices and
// maps included) that TextProblem refuses, named as Validate names fields: by JSON name,
// "carers[1].name". A field tagged `text:"multiline"` may break lines; one tagged
// `text:"-"` is not checked (what it holds is cleaned instead: an uploaded file's name).
func checkStrings(v reflect.Value, path string, multiline bool, problems FieldsError) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(v.Elem(), path, multiline, problems)
		}
	case reflect.String:
		if p := TextProblem(v.String(), multiline); p != "" {
			problems.Add(path, p)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			checkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, problems)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			checkStrings(it.Key(), path, false, problems)
			checkStrings(it.Value(), path, multiline, problems)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() && !sf.Anonymous || sf.Tag.Get("text") == "-" {
				continue
			}
			name := path
			if !sf.Anonymous {
				name = jsonName(sf)
				if path != "" {
					name = path + "." + name
				}
			}
			checkStrings(v.Field(i), name, sf.Tag.Get("text") == "multiline", problems)
		}
	}
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

// DateWithin checks an optional date written YYYY-MM-DD and within the window from
// earliest to latest, both included; a zero bound leaves that side open. A date beyond
// the window is refused naming the bound in words, so that a date typed years out
// (9999-12-31) is caught where it is entered.
func DateWithin(field, value string, earliest, latest time.Time) error {
	if value == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, value)
	switch {
	case err != nil:
		return Field(field, "must be a date like 2026-11-22")
	case !earliest.IsZero() && d.Before(dayOf(earliest)):
		return Field(field, "must be no earlier than "+dayOf(earliest).Format("2 January 2006"))
	case !latest.IsZero() && d.After(dayOf(latest)):
		return Field(field, "must be no later than "+dayOf(latest).Format("2 January 2006"))
	}
	return nil
}

// dayOf is the calendar day of t, where t is, as a date to compare a parsed one with.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
