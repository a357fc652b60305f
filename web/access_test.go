package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// fillParams puts plausible values into a route's parameters.
func fillParams(path string) string {
	r := strings.NewReplacer(":tag", "KL-000001", ":id", "1", ":token", "1", "*filepath", "style.css")
	return r.Replace(path)
}

// TestEveryNonPublicRouteRefusesWithoutSignIn walks the router's own route table, so a new
// route is covered the moment it is added: without a session or token, a page sends the
// browser to sign in and the API (or any form post) answers 401.
func TestEveryNonPublicRouteRefusesWithoutSignIn(t *testing.T) {
	env := webtest.New(t)
	routes := env.Server.Engine().Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes found", len(routes))
	}
	checked := 0
	for _, rt := range routes {
		if _, public := env.Server.Access(rt.Method, rt.Path); public {
			if !isKnownPublic(rt.Method, rt.Path) {
				t.Errorf("%s %s has no access rule and is not one of the public routes of docs/DOMAIN.md §3", rt.Method, rt.Path)
			}
			continue
		}
		checked++
		req, _ := http.NewRequest(rt.Method, env.HTTP.URL+fillParams(rt.Path), strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch {
		case res.StatusCode == http.StatusUnauthorized:
		case rt.Method == http.MethodGet && res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?next="):
		default:
			t.Errorf("%s %s without sign-in: %d (Location %q), want 401 or a redirect to sign in", rt.Method, rt.Path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if checked < 20 {
		t.Fatalf("only %d protected routes checked", checked)
	}
}

// isKnownPublic lists the routes docs/DOMAIN.md §3 lets anyone use.
func isKnownPublic(method, path string) bool {
	switch method + " " + path {
	case "GET /healthz", "GET /login", "POST /login", "GET /t/:tag", "GET /static/*filepath", "HEAD /static/*filepath":
		return true
	}
	return false
}

func TestFormPostWithoutCSRFIsForbidden(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Login("store@test", webtest.Password)
	form := url.Values{"name": {"Bath seat"}, "category": {"Bathing & toileting"}, "kind": {"returnable"}}
	if r := b.PostRaw("/products", form); r.Status != http.StatusForbidden {
		t.Fatalf("post without CSRF token: %d, want 403", r.Status)
	}
	form.Set("csrf_token", "not-the-token")
	if r := b.PostRaw("/products", form); r.Status != http.StatusForbidden {
		t.Fatalf("post with a wrong CSRF token: %d, want 403", r.Status)
	}
	var n int
	env.DB.Read.QueryRow(`SELECT count(*) FROM products`).Scan(&n)
	if n != 0 {
		t.Fatalf("a refused post added %d products", n)
	}
	b.Get("/products/new")
	form.Del("csrf_token")
	if r := b.Post("/products", form); r.Status != http.StatusOK || !strings.Contains(r.Body, "Bath seat added to the catalogue") {
		t.Fatalf("post with the token: %d %.300s", r.Status, r.Body)
	}
	// Sign-out is a state change too.
	if r := b.PostRaw("/logout", url.Values{}); r.Status != http.StatusForbidden {
		t.Fatalf("sign-out without CSRF token: %d, want 403", r.Status)
	}
}

func TestTherapistCannotReachUsers(t *testing.T) {
	env := webtest.New(t)
	env.User("therapist", "ot@test", "Olu Therapist")
	b := env.Browser()
	b.Login("ot@test", webtest.Password)
	for _, p := range []string{"/users", "/users/new", "/users/1/edit"} {
		if r := b.Get(p); r.Status != http.StatusForbidden {
			t.Errorf("therapist GET %s: %d, want 403", p, r.Status)
		}
	}
	b.Get("/")
	if r := b.Post("/users", url.Values{"email": {"x@test"}, "name": {"X"}, "role": {"admin"}, "password": {"long-enough-pass"}}); r.Status != http.StatusForbidden {
		t.Errorf("therapist POST /users: %d, want 403", r.Status)
	}
	// The catalogue is read-only to a therapist.
	if r := b.Get("/products"); r.Status != http.StatusOK {
		t.Errorf("therapist GET /products: %d", r.Status)
	}
	if r := b.Get("/products/new"); r.Status != http.StatusForbidden {
		t.Errorf("therapist GET /products/new: %d, want 403", r.Status)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	env := webtest.New(t)
	env.User("admin", "admin@test", "Ada Admin")
	b := env.Browser()
	b.Login("admin@test", webtest.Password)
	b.Get("/users/new")
	r := b.Post("/users", url.Values{"email": {"new@test"}, "name": {"Nia New"}, "role": {"therapist"}, "password": {"short"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at least 10 characters") || !strings.Contains(r.Body, `value="Nia New"`) {
		t.Fatalf("short password: %d, want 422 with the message and the name kept: %.400s", r.Status, r.Body)
	}
	r = b.Post("/users", url.Values{"email": {"new@test"}, "name": {"Nia New"}, "role": {"therapist"}, "password": {"a-good-long-password"}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Nia New added as therapist") {
		t.Fatalf("add user: %d %.300s", r.Status, r.Body)
	}
	nb := env.Browser()
	nb.Login("new@test", "a-good-long-password")
}
