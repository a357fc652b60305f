package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"kitloan/web/webtest"
)

// TestOpenAPIDocumentIsValid31 fetches the served document as a viewer (any role may read
// the contract) and loads it with kin-openapi's own loader: it must be OpenAPI 3.1 and
// pass the library's validation, references resolved. Signed out it is 401, like the API.
func TestOpenAPIDocumentIsValid31(t *testing.T) {
	env := webtest.New(t)
	viewer := env.Token(env.User("viewer", "viewer@test", "Vic Viewer"))
	r := env.API(viewer, http.MethodGet, "/api/v1/openapi.json", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(r.Body))
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.IsOpenAPI32OrLater() {
		t.Fatalf("the document declares OpenAPI %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the served document is not valid OpenAPI 3.1: %v", err)
	}
	if r := env.API("", http.MethodGet, "/api/v1/openapi.json", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("signed out: %d, want 401", r.Status)
	}
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// TestOpenAPICoversEveryRoute holds the document to the router's own table: every
// /api/v1 route is in the document with the roles the route table gives it
// (x-kitloan-roles), and the document has no operation the router lacks.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	env := webtest.New(t)
	doc := webtest.Contract(t)
	routes := map[string]string{} // "GET /api/v1/items/{tag}" -> the gin path
	for _, rt := range env.Server.Engine().Routes() {
		if strings.HasPrefix(rt.Path, "/api/v1/") {
			routes[rt.Method+" "+ginParam.ReplaceAllString(rt.Path, "{$1}")] = rt.Path
		}
	}
	if len(routes) < 60 {
		t.Fatalf("only %d API routes in the router", len(routes))
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			documented[key] = true
			ginPath, ok := routes[key]
			if !ok {
				t.Errorf("the document describes %s, which the router does not have", key)
				continue
			}
			roles, public := env.Server.Access(method, ginPath)
			if public {
				t.Errorf("%s is public in the router; every API operation needs a role", key)
				continue
			}
			if got, want := docRoles(op), slices.Sorted(slices.Values(roles)); !slices.Equal(got, want) {
				t.Errorf("%s: x-kitloan-roles %v, but the route table allows %v", key, got, want)
			}
			if op.Summary == "" || op.OperationID == "" {
				t.Errorf("%s has no summary or operationId", key)
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(routes)) {
		if !documented[key] {
			t.Errorf("the router has %s, which the OpenAPI document (web/openapi/openapi.yaml) does not describe", key)
		}
	}
}

func docRoles(op *openapi3.Operation) []string {
	raw, _ := op.Extensions["x-kitloan-roles"].([]any)
	var roles []string
	for _, r := range raw {
		roles = append(roles, fmt.Sprint(r))
	}
	sort.Strings(roles)
	return roles
}

// TestEveryListPagesAlike asks every list of the document (an answer built on its Page
// schema) for one row and for more rows than a page may hold: each takes limit and offset,
// answers the same paging fields, and refuses a limit above 500 with a 400 naming the
// maximum, where it used to answer 50 rows as if they were all.
func TestEveryListPagesAlike(t *testing.T) {
	env := webtest.New(t)
	admin := env.Token(env.User("admin", "admin@test", "Ada Admin"))
	env.User("therapist", "ot@test", "Olu Therapist")
	must := func(path string, body any) map[string]any {
		t.Helper()
		r := env.API(admin, http.MethodPost, path, body)
		if r.Status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
		}
		return r.JSON(t)
	}
	chair := must("/api/v1/products", map[string]any{"name": "Classroom chair", "category": "Seating", "kind": "returnable"})["id"]
	for range 2 {
		must("/api/v1/items", map[string]any{"product_id": chair})
	}
	tag := must("/api/v1/items", map[string]any{"product_id": chair})["tag"].(string)
	child := must("/api/v1/children", map[string]any{"given_name": "Zoë", "family_name": "Adams", "date_of_birth": "2017-03-14",
		"therapist_email": "ot@test"})["id"]
	env.API(admin, http.MethodGet, fmt.Sprintf("/api/v1/children/%v", child), nil) // a read for the access log
	fill := strings.NewReplacer("{tag}", tag, "{id}", fmt.Sprint(child))

	lists := 0
	for path, item := range webtest.Contract(t).Paths.Map() {
		op := item.Get
		if op == nil || !isList(op) {
			continue
		}
		lists++
		var params []string
		for _, p := range append(item.Parameters, op.Parameters...) {
			params = append(params, p.Value.Name)
		}
		if !slices.Contains(params, "limit") || !slices.Contains(params, "offset") {
			t.Errorf("GET %s is a list without limit and offset parameters: %v", path, params)
		}
		url := fill.Replace(path)
		r := env.API(admin, http.MethodGet, url+"?limit=1", nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET %s?limit=1: %d %s", url, r.Status, r.Body)
			continue
		}
		page := r.JSON(t)
		results, _ := page["results"].([]any)
		if page["limit"] != float64(1) || page["offset"] != float64(0) || len(results) > 1 || page["total"] == nil {
			t.Errorf("GET %s?limit=1: %.300s", url, r.Body)
		}
		r = env.API(admin, http.MethodGet, url+"?limit=1000", nil)
		fields := errorFields(t, r)
		if r.Status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(fields["limit"]), "500") {
			t.Errorf("GET %s?limit=1000: %d %s, want 400 naming the maximum of 500", url, r.Status, r.Body)
		}
	}
	if lists < 11 {
		t.Fatalf("found %d lists in the document, want the 11 the API has", lists)
	}
	// Paging moves through the rows; offset past the end is an empty page, not an error.
	r := env.API(admin, http.MethodGet, "/api/v1/items?limit=2&offset=2", nil)
	if p := r.JSON(t); p["total"] != float64(3) || len(p["results"].([]any)) != 1 || p["offset"] != float64(2) {
		t.Fatalf("second page of items: %s", r.Body)
	}
	if r := env.API(admin, http.MethodGet, "/api/v1/categories?offset=100", nil); r.Status != http.StatusOK || len(r.JSON(t)["results"].([]any)) != 0 {
		t.Fatalf("categories past the end: %d %s", r.Status, r.Body)
	}
	for _, q := range []string{"limit=0", "limit=ten", "offset=-1"} {
		r := env.API(admin, http.MethodGet, "/api/v1/loans?"+q, nil)
		name, _, _ := strings.Cut(q, "=")
		if fields := errorFields(t, r); r.Status != http.StatusBadRequest || fields[name] == nil {
			t.Errorf("GET /api/v1/loans?%s: %d %s, want 400 naming %s", q, r.Status, r.Body, name)
		}
	}
}

// errorFields returns the fields an error answer names.
func errorFields(t *testing.T, r webtest.Response) map[string]any {
	e, _ := r.JSON(t)["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	return fields
}

// isList reports whether an operation answers a page of a list: its 200 answer is built on
// the Page schema.
func isList(op *openapi3.Operation) bool {
	ok := op.Responses.Status(http.StatusOK)
	if ok == nil || ok.Value == nil {
		return false
	}
	media := ok.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return false
	}
	for _, s := range media.Schema.Value.AllOf {
		if s.Ref == "#/components/schemas/Page" {
			return true
		}
	}
	return false
}

// TestAPIDocsIsAPageUnderTheStrictPolicy: the API's reference at /api/docs is a page, not
// the API: signed out it sends the browser to sign in, and signed in (any role) it has the
// pages' strict Content-Security-Policy, its scripts files of our own (the vendored Swagger
// UI and apidocs.js), none inline. That Swagger UI draws it under that policy is
// TestBrowserAPIReferenceShowsEveryOperation.
func TestAPIDocsIsAPageUnderTheStrictPolicy(t *testing.T) {
	env := webtest.New(t)
	env.User("viewer", "viewer@test", "Vic Viewer")
	b := env.Browser()
	r := b.Get("/api/docs")
	if !strings.Contains(r.URL, "/login?next=%2Fapi%2Fdocs") {
		t.Fatalf("signed out, /api/docs went to %s (%d), want the sign-in page", r.URL, r.Status)
	}
	b.Login("viewer@test", webtest.Password)
	r = b.Get("/api/docs")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="swagger-ui"`) {
		t.Fatalf("GET /api/docs: %d %.300s", r.Status, r.Body)
	}
	// The pages' policy, which TestSecurityHeaders holds to its rules, not the API's.
	if csp, pages := r.Header.Get("Content-Security-Policy"), b.Get("/").Header.Get("Content-Security-Policy"); csp != pages {
		t.Errorf("the reference page's policy is %q, the pages' %q", csp, pages)
	}
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(r.Body, -1)
	for _, s := range scripts {
		if !strings.Contains(s, `src="/static/`) {
			t.Errorf("an inline script on the reference page: %s", s)
		}
	}
	for _, path := range []string{"/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css", "/static/apidocs.js"} {
		if r := b.Get(path); r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("GET %s: %d", path, r.Status)
		}
	}
}
