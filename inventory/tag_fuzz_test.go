package inventory

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalizeTag: whatever a scanner or a person types, NormalizeTag never panics, its
// answer is trimmed, upper case, free of URL punctuation and already normal; and a valid
// tag comes back unchanged from any way of writing it: lower case, padded, or inside the
// label's URL.
func FuzzNormalizeTag(f *testing.F) {
	for _, s := range []string{"", "KL-000001", "kl-000001", "  kl-000123\n", "https://kit.example.org/t/kl-000042",
		"http://127.0.0.1:8080/t/KL-000042?src=qr#top", "/t/", "/t//t/x", "a/t/b/t/c", "KL-000001/extra", "?#/",
		"ǆ-ß-ﬃ", "\xff\xfe", "KL\u00a0000001", "/T/kl-1", "\t/t/\tkl-7\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := NormalizeTag(s)
		if out != strings.TrimSpace(out) {
			t.Fatalf("NormalizeTag(%q) = %q: not trimmed", s, out)
		}
		if strings.ContainsAny(out, "/?#") {
			t.Fatalf("NormalizeTag(%q) = %q: still holds URL punctuation", s, out)
		}
		if again := NormalizeTag(out); again != out {
			t.Fatalf("NormalizeTag is not idempotent: %q → %q → %q", s, out, again)
		}
		if utf8.ValidString(s) && out != strings.ToUpper(out) {
			t.Fatalf("NormalizeTag(%q) = %q: not upper case", s, out)
		}
		if !validTag(out) {
			return
		}
		lower := strings.ToLower(out)
		for _, written := range []string{lower, " " + lower + "\r\n", "https://kit.example.org/t/" + lower, "http://10.0.0.1:8080/t/" + out + "?src=label", "/t/" + lower + "#x"} {
			if got := NormalizeTag(written); got != out {
				t.Fatalf("the valid tag %q written as %q normalises to %q", out, written, got)
			}
		}
	})
}
