package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// TestAccessMatrix sends every route of the router's own table as every role (admin,
// store, therapist, viewer) and with no session, and checks the answer against the
// route's access list (Server.Access):
//
//   - a role not on the list gets 403;
//   - a role on the list gets anything but 401 or 403, and never a 5xx: the handler runs
//     for real, on real ids (an item on loan, child, request, loan and recall 1), with
//     `{}` for API writes and an empty form with the session's CSRF token for page posts,
//     so a 404, 409, 413, 415 or 422 is a fine answer;
//   - no session gets 401 from the API and from any post, and a page GET goes to sign in;
//   - a public route must be one docs/DOMAIN.md §3 names, and answers without a 5xx.
//
// Pages are asked through a browser signed in by the real form; the API both through that
// session (with its CSRF header) and with a bearer token. A route added without a rule, or
// with a rule that lets the wrong role in, fails here. What the public scan page shows of
// an item on loan is TestPublicScanPageLeaksNothingPersonal (scan_test.go).
func TestAccessMatrix(t *testing.T) {
	w := newAccessWorld(t)
	routes := w.env.Server.Engine().Routes()
	if len(routes) < 100 {
		t.Fatalf("only %d routes", len(routes))
	}
	type request struct {
		method, path, route string
		who                 string // a role, or "" for no session
		token               bool   // API: a bearer token instead of the session
	}
	var cases []request
	for _, rt := range routes {
		roles, public := w.env.Server.Access(rt.Method, rt.Path)
		if public && !isKnownPublic(rt.Method, rt.Path) {
			t.Errorf("%s %s has no access rule and is not one of the public routes of docs/DOMAIN.md §3", rt.Method, rt.Path)
			continue
		}
		checkDesignPolicy(t, rt.Method, rt.Path, roles, public)
		for _, who := range []string{"admin", "store", "therapist", "viewer", ""} {
			cases = append(cases, request{rt.Method, w.fill(rt.Path), rt.Path, who, false})
			if strings.HasPrefix(rt.Path, "/api/v1/") && who != "" {
				cases = append(cases, request{rt.Method, w.fill(rt.Path), rt.Path, who, true})
			}
		}
	}
	// Signing in and out last, so that every other request has its session (and failed
	// sign-ins, which count towards the throttle, come after everything else).
	last := func(r request) int {
		switch r.method + " " + r.route {
		case "POST /login":
			return 1
		case "POST /logout":
			return 2
		}
		return 0
	}
	sort.SliceStable(cases, func(i, j int) bool { return last(cases[i]) < last(cases[j]) })

	checked := map[string]int{}
	allowed := map[int]int{} // the answers to allowed roles, by status
	for _, c := range cases {
		how := "no session"
		switch {
		case c.who != "" && c.token:
			how = c.who + " with a token"
		case c.who != "":
			how = c.who + " signed in"
		}
		roles, public := w.env.Server.Access(c.method, c.route)
		status, location, body := w.send(t, c.method, c.path, c.who, c.token)
		checked[how]++
		if !public && slices.Contains(roles, c.who) {
			allowed[status]++
		}
		fail := func(want string) {
			t.Errorf("%s %s as %s: %d (Location %q), want %s: %.200s", c.method, c.path, how, status, location, want, body)
		}
		switch {
		case status >= 500:
			fail("no server error")
		case public:
			want := publicStatus(c.method, c.route)
			if c.method+" "+c.route == "GET /login" && c.who != "" {
				want = http.StatusSeeOther // signed in already: on to the home page
			}
			if want != 0 && status != want {
				fail(fmt.Sprint(want))
			}
		case c.who == "":
			if c.method == http.MethodGet && !strings.HasPrefix(c.path, "/api/v1/") {
				if status != http.StatusSeeOther || !strings.HasPrefix(location, "/login?next=") {
					fail("a redirect to /login")
				}
			} else if status != http.StatusUnauthorized {
				fail("401")
			}
		case !slices.Contains(roles, c.who):
			if status != http.StatusForbidden {
				fail("403")
			}
		default:
			signedOut := strings.HasPrefix(location, "/login") && c.route != "/logout"
			if status == http.StatusUnauthorized || status == http.StatusForbidden || signedOut {
				fail(fmt.Sprintf("anything but 401, 403 or a sign-in page (the route allows %v)", roles))
			}
		}
	}
	t.Logf("%d routes; requests by who: %v; answers to allowed roles by status: %v", len(routes), checked, allowed)
}

// publicStatus is what a public route answers anyone; 0 when it depends on what is sent.
func publicStatus(method, route string) int {
	switch method + " " + route {
	case "GET /healthz", "GET /login", "GET /t/:tag", "GET /static/*filepath", "HEAD /static/*filepath":
		return http.StatusOK
	}
	return 0
}

// checkDesignPolicy holds the route table to the roles of docs/DOMAIN.md §3 where they are
// plain: a viewer sees reports only (and the API's description, to call the reports API),
// and users and the whole-service export are for admins.
func checkDesignPolicy(t *testing.T, method, path string, roles []string, public bool) {
	t.Helper()
	if public {
		return
	}
	if slices.Contains(roles, "viewer") {
		ok := path == "/" || path == "/logout" || path == "/api/v1/openapi.json" || path == "/api/docs"
		for _, p := range []string{"/reports", "/exports", "/api/v1/reports", "/api/v1/exports"} {
			ok = ok || path == p || strings.HasPrefix(path, p+"/")
		}
		if !ok {
			t.Errorf("%s %s lets a viewer in; docs/DOMAIN.md §3 gives viewers reports only", method, path)
		}
	}
	if (strings.HasPrefix(path, "/users") || strings.HasSuffix(path, "/all.zip")) && !slices.Equal(roles, []string{"admin"}) {
		t.Errorf("%s %s is open to %v; it is for admins only", method, path, roles)
	}
}

// accessWorld is a service with one user of each role, signed in through the form, each
// with an API token, and a record of every kind the routes name by id.
type accessWorld struct {
	env      *webtest.Env
	browsers map[string]*webtest.Browser
	tokens   map[string]string
	tag      string
}

func newAccessWorld(t *testing.T) *accessWorld {
	t.Helper()
	env := webtest.New(t)
	w := &accessWorld{env: env, browsers: map[string]*webtest.Browser{}, tokens: map[string]string{}}
	admin := env.User("admin", "admin@test", "Ada Admin") // user 1
	env.Token(admin)                                      // token 1: the one /users/1/tokens/1/revoke revokes
	users := map[string]string{"admin": "admin@test"}
	for _, role := range []string{"store", "therapist", "viewer"} {
		users[role] = role + "@test"
		env.User(role, role+"@test", strings.ToUpper(role[:1])+role[1:]+" User")
	}
	for role, email := range users {
		u, err := env.Server.Accounts.UserByEmail(t.Context(), email)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[role] = env.Token(u)
		b := env.Browser()
		b.Login(email, webtest.Password)
		w.browsers[role] = b
	}
	store, ot := w.tokens["store"], w.tokens["therapist"]
	must := func(token, method, path string, body any, status int) map[string]any {
		t.Helper()
		r := env.API(token, method, path, body)
		if r.Status != status {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, status, r.Body)
		}
		return r.JSON(t)
	}
	chair := must(store, "POST", "/api/v1/products", map[string]any{"name": "Classroom chair", "category": "Seating", "kind": "returnable"}, 201)["id"]
	var tags []string
	for range 3 {
		tags = append(tags, must(store, "POST", "/api/v1/items", map[string]any{"product_id": chair, "condition": "good"}, 201)["tag"].(string))
	}
	bath := must(store, "POST", "/api/v1/products", map[string]any{"name": "Bath seat", "category": "Bathing & toileting", "kind": "returnable"}, 201)["id"]
	must(store, "POST", "/api/v1/items", map[string]any{"product_id": bath, "condition": "good"}, 201)
	child := must(ot, "POST", "/api/v1/children", map[string]any{"given_name": "Zoë", "family_name": "Adams", "date_of_birth": "2017-03-14",
		"nhs_number": "943 476 5919", "address": "1 Fictional Road", "setting": "Hilltop Primary",
		"carers": []map[string]any{{"name": "Pat Adams", "relationship": "mother", "phone": "07700 900123"}}}, 201)["id"]
	must(ot, "POST", "/api/v1/requests", map[string]any{"child_id": child, "product_id": chair, "quantity": 1, "priority": "standard",
		"deliver_to": "home", "reason": "Needs support to sit upright"}, 201)
	must(store, "POST", "/api/v1/loans", map[string]any{"child_id": child, "tags": []string{tags[0]}, "location": "home", "recipient": "Pat Adams"}, 201)
	must(store, "POST", "/api/v1/recalls", map[string]any{"product_id": bath, "reference": "FSN-2026-01", "action": "Check the straps"}, 201)
	w.tag = tags[0]
	for what, id := range map[string]any{"child": child, "chair": chair} {
		if id != float64(1) {
			t.Fatalf("the %s has id %v; the matrix asks for 1", what, id)
		}
	}
	return w
}

// fill puts the world's records into a route's parameters.
func (w *accessWorld) fill(path string) string {
	return strings.NewReplacer(":tag", w.tag, ":id", "1", ":token", "1", "*filepath", "style.css").Replace(path)
}

// send makes one request as who ("" for nobody) and returns the status, the Location of
// a redirect and the start of the body. Redirects are not followed.
func (w *accessWorld) send(t *testing.T, method, path, who string, token bool) (int, string, string) {
	t.Helper()
	api := strings.HasPrefix(path, "/api/v1/")
	var body string
	var contentType string
	switch {
	case method == http.MethodGet || method == http.MethodHead:
	case api:
		body, contentType = "{}", "application/json"
	default:
		form := url.Values{}
		if b := w.browsers[who]; b != nil {
			form.Set("csrf_token", b.CSRF)
		}
		body, contentType = form.Encode(), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, w.env.HTTP.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case who == "":
	case token:
		req.Header.Set("Authorization", "Bearer "+w.tokens[who])
	default:
		b := w.browsers[who]
		u, _ := url.Parse(w.env.HTTP.URL + path)
		for _, c := range b.Cookies(u) {
			req.AddCookie(c)
		}
		if api && method != http.MethodGet {
			req.Header.Set("X-CSRF-Token", b.CSRF)
		}
	}
	// Every API answer, as every role, is checked against the API's contract too.
	client := &http.Client{Transport: webtest.Transport(t), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 300)
	n, _ := res.Body.Read(buf)
	return res.StatusCode, res.Header.Get("Location"), string(buf[:n])
}
