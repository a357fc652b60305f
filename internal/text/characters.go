// Package text checks text that comes from outside (uploaded files, forms) before it is
// stored, so that what is stored reads the same everywhere it is shown or exported.
package text

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// NotUTF8 is InvalidCharacters' answer for bytes that are not UTF-8 text, so that a caller
// can say how to fix it where it knows more (an import names the file's encoding).
const NotUTF8 = "is not UTF-8 text"

// InvalidCharacters says what is wrong with the characters of s, or returns "" when
// nothing is. s must be UTF-8 and hold no control characters (NUL, escape, the C1 range
// and the like), which cannot be typed, show as nothing or garble what follows them;
// multiLine text (notes) may hold line breaks and tabs.
func InvalidCharacters(s string, multiLine bool) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && invalidAt(s, i):
			return NotUTF8
		case r == '\n' || r == '\r' || r == '\t':
			if !multiLine {
				return "must be on one line: only notes may hold line breaks or tabs"
			}
		case unicode.IsControl(r):
			return fmt.Sprintf("holds a control character (U+%04X), which is not text: remove it", r)
		}
	}
	return ""
}

// invalidAt reports whether the bytes at s[i:] are not a UTF-8 character (rather than
// U+FFFD written out, which is).
func invalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}
