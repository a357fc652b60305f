package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// TestUserFormRefusesWeakPasswords: the user form refuses a short password and one of
// the passwords everyone tries first, on a new user and on a change, names the field,
// keeps what was typed except the password, and adds or changes nothing.
// (accounts.TestCheckPassword holds the rule itself.)
func TestUserFormRefusesWeakPasswords(t *testing.T) {
	env := webtest.New(t)
	env.User("admin", "admin@test", "Ada Admin")
	staff := env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Login("admin@test", webtest.Password)
	b.Get("/users/new")
	for pw, want := range map[string]string{"short": "at least 10 characters", "ééééé": "at least 10 characters",
		"Password123": "too common", "qwertyuiop": "too common"} {
		r := b.Post("/users", url.Values{"email": {"new@test"}, "name": {"Nia New"}, "role": {"therapist"}, "password": {pw}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `href="#f-password"`) ||
			!strings.Contains(r.Body, `value="Nia New"`) || strings.Contains(r.Body, `value="`+pw+`"`) {
			t.Errorf("new user with password %q: %d, want 422 naming the password (%q): %.300s", pw, r.Status, want, r.Body)
		}
	}
	var n int
	env.DB.Read.QueryRow(`SELECT count(*) FROM users WHERE email = 'new@test'`).Scan(&n)
	if n != 0 {
		t.Fatal("a user was added with a weak password")
	}
	b.Get(fmt.Sprintf("/users/%d/edit", staff.ID))
	r := b.Post(fmt.Sprintf("/users/%d", staff.ID), url.Values{"email": {"store@test"}, "name": {"Sam Store"}, "role": {"store"}, "active": {"true"}, "password": {"changeme123"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "too common") {
		t.Fatalf("changing to a common password: %d %.300s", r.Status, r.Body)
	}
	// The refused change left the old password in place.
	env.Browser().Login("store@test", webtest.Password)
}
