package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

func sessionCookie(t *testing.T, env *webtest.Env, b *webtest.Browser) string {
	t.Helper()
	r := b.Get("/")
	_ = r
	u, _ := url.Parse(env.HTTP.URL)
	for _, c := range b.Cookies(u) {
		if c.Name == "kitloan_session" {
			return c.Value
		}
	}
	return ""
}

func TestSignInMakesANewSessionAndSignOutEndsIt(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Login("store@test", webtest.Password)
	first := sessionCookie(t, env, b)
	b.Login("store@test", webtest.Password)
	second := sessionCookie(t, env, b)
	if first == "" || first == second {
		t.Fatalf("signing in again should give a new session id: %q then %q", first, second)
	}
	// The replaced session no longer works.
	old := env.Browser()
	u, _ := url.Parse(env.HTTP.URL)
	old.SetCookie(u, &http.Cookie{Name: "kitloan_session", Value: first})
	if r := old.Get("/items"); !strings.Contains(r.URL, "/login") {
		t.Fatalf("an old session id still works: %s", r.URL)
	}
	b.Get("/")
	if r := b.Post("/logout", url.Values{}); !strings.Contains(r.URL, "/login") || !strings.Contains(r.Body, "You have signed out") {
		t.Fatalf("sign-out: %s %.300s", r.URL, r.Body)
	}
	// A copy of the cookie taken before sign-out is worthless afterwards.
	thief := env.Browser()
	thief.SetCookie(u, &http.Cookie{Name: "kitloan_session", Value: second})
	if r := thief.Get("/items"); !strings.Contains(r.URL, "/login") {
		t.Fatalf("a signed-out session still works: %s", r.URL)
	}
}

func TestSessionCookieIsHttpOnlyAndSameSite(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Get("/login")
	req, _ := http.NewRequest("POST", env.HTTP.URL+"/login", strings.NewReader(url.Values{"email": {"store@test"}, "password": {webtest.Password}, "csrf_token": {b.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(env.HTTP.URL + "/login")
	for _, c := range b.Cookies(u) {
		req.AddCookie(c)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, c := range res.Cookies() {
		if c.Name == "kitloan_session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie: HttpOnly %v SameSite %v", c.HttpOnly, c.SameSite)
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie set (status %d)", res.StatusCode)
	}
}

func TestSignInThrottled(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Get("/login")
	for i := range 5 {
		r := b.Post("/login", url.Values{"email": {"store@test"}, "password": {"wrong-password"}})
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "check the email address and password") || !strings.Contains(r.Body, `value="store@test"`) {
			t.Fatalf("attempt %d: %d %.300s", i+1, r.Status, r.Body)
		}
	}
	// Even the right password is refused now, until the window passes.
	r := b.Post("/login", url.Values{"email": {"store@test"}, "password": {webtest.Password}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Wait 15 minutes") {
		t.Fatalf("after 5 failures: %d, want 429: %.300s", r.Status, r.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := webtest.New(t)
	r := env.Browser().Get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers: %v", r.Header)
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " onclick=") || strings.Contains(r.Body, "style=\"") {
		t.Error("a page has inline script or style, which the CSP blocks")
	}
	// The API's answers carry children's details: never cached, never framed or sniffed.
	tok := env.Token(env.User("store", "store@test", "Sam Store"))
	for _, path := range []string{"/api/v1/children", "/api/v1/items/KL-999999"} {
		a := env.API(tok, http.MethodGet, path, nil)
		if a.Header.Get("Cache-Control") != "no-store" || a.Header.Get("X-Content-Type-Options") != "nosniff" ||
			a.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(a.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s (%d) headers: %v", path, a.Status, a.Header)
		}
	}
}

func TestFormsKeepWhatWasTyped(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Login("store@test", webtest.Password)
	b.Get("/products/new")
	r := b.Post("/products", url.Values{"name": {"Wobble cushion"}, "category": {""}, "kind": {"returnable"},
		"manufacturer": {"CalmKids"}, "service_interval_days": {"twelve"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	for _, want := range []string{`value="Wobble cushion"`, `value="CalmKids"`, "There is a problem", `href="#f-service_interval_days"`, "must be a whole number"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the re-shown form lacks %q", want)
		}
	}
	r = b.Post("/products", url.Values{"name": {"Wobble cushion"}, "category": {""}, "kind": {"returnable"}})
	if !strings.Contains(r.Body, `href="#f-category"`) || !strings.Contains(r.Body, "is required") {
		t.Errorf("missing category not reported: %.500s", r.Body)
	}
}

func TestUnknownPageIsAFriendly404(t *testing.T) {
	env := webtest.New(t)
	r := env.Browser().Get("/no/such/page")
	if r.Status != http.StatusNotFound || !strings.Contains(r.Body, "Page not found") {
		t.Fatalf("%d %.200s", r.Status, r.Body)
	}
	r = env.API("", "GET", "/api/v1/nothing", nil)
	if r.Status != http.StatusNotFound || r.JSON(t)["error"] == nil {
		t.Fatalf("API 404: %d %s", r.Status, r.Body)
	}
}

// TestErrorSummaryFollowsTheForm: the error summary lists problems in the order of the
// form's fields, top to bottom, not alphabetically.
func TestErrorSummaryFollowsTheForm(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	b := env.Browser()
	b.Login("store@test", webtest.Password)
	b.Get("/products/new")
	r := b.Post("/products", url.Values{"name": {""}, "category": {""}, "kind": {"returnable"}, "stock": {"-1"}})
	name, category, stock := strings.Index(r.Body, `href="#f-name"`), strings.Index(r.Body, `href="#f-category"`), strings.Index(r.Body, `href="#f-stock"`)
	if name < 0 || category < 0 || stock < 0 || !(name < category && category < stock) {
		t.Fatalf("summary order: name %d, category %d, stock %d; want the form's order", name, category, stock)
	}
}

// The menu shows each role its sections and marks the one the page is in.
func TestMenuShowsTheRolesSectionsAndWhereYouAre(t *testing.T) {
	env := webtest.New(t)
	env.User("store", "store@test", "Sam Store")
	env.User("therapist", "ot@test", "Olu Therapist")
	store := env.Browser()
	store.Login("store@test", webtest.Password)
	for path, current := range map[string]string{"/items": "/items", "/recalls": "/maintenance", "/loans?view=overdue": "/loans"} {
		menu := mainMenu(store.Get(path).Body)
		if !strings.Contains(menu, `href="`+current+`" aria-current="page"`) || strings.Count(menu, `aria-current="page"`) != 1 {
			t.Errorf("%s should mark %s, and only it, as the current section: %s", path, current, menu)
		}
		if !strings.Contains(menu, `href="/maintenance"`) || strings.Contains(menu, `href="/users"`) {
			t.Errorf("%s: the store's menu should have Maintenance and no Users", path)
		}
	}
	ot := env.Browser()
	ot.Login("ot@test", webtest.Password)
	if menu := mainMenu(ot.Get("/children").Body); strings.Contains(menu, `href="/maintenance"`) || !strings.Contains(menu, `href="/children" aria-current="page"`) {
		t.Errorf("a therapist's menu should have no Maintenance and Children current: %s", menu)
	}
}

// mainMenu is the page's main navigation.
func mainMenu(page string) string {
	_, menu, _ := strings.Cut(page, `<nav aria-label="Main">`)
	menu, _, _ = strings.Cut(menu, "</nav>")
	return menu
}
