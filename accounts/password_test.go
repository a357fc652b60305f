package accounts_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// TestCheckPassword: at least MinPasswordLength characters (counted as characters, not
// bytes), at most 72 bytes (bcrypt reads no further), and not one of the passwords
// everyone tries first, in any case.
func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		want string // part of the problem, "" for none
	}{
		{"", "at least 10 characters"},
		{"short", "at least 10 characters"},
		{"nine-char", "at least 10 characters"},
		{"ten-chars!", ""},
		{"ééééé", "at least 10 characters"},     // 10 bytes, but 5 characters
		{"ёжик-в-тумане", ""},                   // 13 characters
		{"🐢🐢🐢🐢🐢🐢🐢🐢🐢", "at least 10 characters"}, // 36 bytes, 9 characters
		{strings.Repeat("a", 72), ""},
		{strings.Repeat("a", 73), "at most 72"},
		{"password123", "too common"},
		{"Password123", "too common"},
		{"QWERTYUIOP", "too common"},
		{"1234567890", "too common"},
		{"correct-horse-battery", ""},
	} {
		err := accounts.CheckPassword(tc.pw)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckPassword(%q) = %v, want nil", tc.pw, err)
		case tc.want != "" && err == nil:
			t.Errorf("CheckPassword(%q) = nil, want %q", tc.pw, tc.want)
		case tc.want != "":
			e := errs.As(err)
			if e.Code != errs.Invalid || !strings.Contains(e.Fields["password"], tc.want) {
				t.Errorf("CheckPassword(%q) = %v, want a password field error saying %q", tc.pw, err, tc.want)
			}
		}
	}
}

// TestWeakPasswordsAreRefusedOnCreateAndChange: the store applies the rule to a new user
// and to a changed password, and a refused change leaves the old password working.
func TestWeakPasswordsAreRefusedOnCreateAndChange(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := accounts.NewStore(d)
	s.HashCost = bcrypt.MinCost
	for _, pw := range []string{"short", "welcome123", "Administrator"} {
		if _, err := s.CreateUser(ctx, accounts.UserInput{Email: "a@test", Name: "A", Role: accounts.Staff, Password: pw}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("CreateUser with %q: %v, want invalid", pw, err)
		}
	}
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("%d users made with weak passwords", n)
	}
	u, err := s.CreateUser(ctx, accounts.UserInput{Email: "a@test", Name: "A", Role: accounts.Staff, Password: "a-decent-password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateUser(ctx, u.ID, accounts.UserInput{Email: "a@test", Name: "A", Role: accounts.Staff, Active: true, Password: "changeme123"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("UpdateUser with a common password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "a@test", "a-decent-password"); err != nil {
		t.Fatalf("the old password stopped working after a refused change: %v", err)
	}
}
