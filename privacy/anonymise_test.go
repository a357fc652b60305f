package privacy

import "testing"

func TestRetentionBirthday(t *testing.T) {
	for _, tc := range []struct {
		dob   string
		years int
		want  string
	}{
		{"2001-06-15", 25, "2026-06-15"},
		{"2000-02-29", 25, "2025-03-01"},
		{"2004-02-29", 16, "2020-02-29"},
	} {
		if got, ok := keptUntil(tc.dob, tc.years); !ok || got != tc.want {
			t.Errorf("born %s, kept %d years: %q, want %q", tc.dob, tc.years, got, tc.want)
		}
	}
	if _, ok := keptUntil("2001", 25); ok {
		t.Error("a year alone gave a birthday")
	}
}
