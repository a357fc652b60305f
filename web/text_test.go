package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"kitloan/web/webtest"
)

// textTables are the tables people's text is stored in, counted to show a refusal stored
// nothing and scanned to show nothing stored cannot be shown.
var textTables = []string{"children", "carers", "products", "items", "requests", "loans", "events"}

func tableCounts(t testing.TB, env *webtest.Env) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range textTables {
		var n int
		if err := env.DB.Read.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// TestAPIRefusesTextThatCannotBeShown: a NUL or another control character, a line break
// in a one-line field, or bytes that are not UTF-8, anywhere in a JSON body, are refused
// naming the field, and nothing is stored; line breaks and tabs in notes are kept.
func TestAPIRefusesTextThatCannotBeShown(t *testing.T) {
	w := newWorld(t, 1)
	zoe := w.child(t, w.ot, "Zoë Adams")
	req := w.must(t, w.ot, "POST", "/api/v1/requests", map[string]any{"child_id": zoe, "product_id": w.chair, "priority": "standard",
		"deliver_to": "home", "reason": "Needs a chair"}, 201)["id"]
	child := func(fields string) string {
		return `{"given_name":"Ben","family_name":"Brown","date_of_birth":"2016-01-02"` + fields + `}`
	}
	for _, c := range []struct {
		name, token, path, body string
		status                  int
		field, problem          string
	}{
		{"NUL as a child's name", w.ot, "/api/v1/children", `{"given_name":"\u0000","family_name":"Brown","date_of_birth":"2016-01-02"}`,
			422, "given_name", "contains a control character (U+0000)"},
		{"escape in a name", w.ot, "/api/v1/children", child(`,"family_name":"Br\u001bown"`), 422, "family_name", "U+001B"},
		{"line break in a name", w.ot, "/api/v1/children", child(`,"given_name":"Ben\nBen"`), 422, "given_name", "must be on one line"},
		{"tab in a carer's phone", w.ot, "/api/v1/children", child(`,"carers":[{"name":"Pat"},{"name":"Sam","phone":"07700\t900123"}]`),
			422, "carers[1].phone", "must not contain a tab"},
		{"Latin-1 in a carer's name", w.ot, "/api/v1/children", child(`,"carers":[{"name":"Ren` + "\xe9" + `e Brown"}]`),
			400, "carers[0].name", "not UTF-8"},
		{"NUL in notes", w.ot, "/api/v1/children", child(`,"notes":"Ring\u0000 the bell"`), 422, "notes", "U+0000"},
		{"bell in a product name", w.store, "/api/v1/products", `{"name":"Chair\u0007","category":"Seating","kind":"returnable"}`,
			422, "name", "U+0007"},
		{"not UTF-8 in a product name", w.store, "/api/v1/products", `{"name":"Chair ` + "\xff\xfe" + `","category":"Seating","kind":"returnable"}`,
			400, "name", "not UTF-8"},
		{"a request needed in the year 9999", w.ot, "/api/v1/requests", fmt.Sprintf(`{"child_id":%v,"product_id":%v,"priority":"standard",`+
			`"deliver_to":"home","reason":"Needs a chair","needed_by":"9999-12-31"}`, zoe, w.chair), 422, "needed_by", "must be no later than"},
		{"a loan reviewed in the year 9999", w.store, "/api/v1/loans", fmt.Sprintf(`{"child_id":%v,"tags":["%s"],"location":"home",`+
			`"recipient":"Pat","review_date":"9999-12-31"}`, zoe, w.tags[0]), 422, "review_date", "must be no later than"},
		{"NUL in an item's note", w.store, "/api/v1/items/" + w.tags[0] + "/actions", `{"action":"send_to_repair","note":"Wobbly\u0000"}`,
			422, "note", "U+0000"},
		{"escape in a reason for declining", w.store, fmt.Sprintf("/api/v1/requests/%v/decline", req), `{"reason":"None left\u001b"}`,
			422, "reason", "U+001B"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := tableCounts(t, w.env)
			r := w.env.API(c.token, "POST", c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("%d, want %d: %s", r.Status, c.status, r.Body)
			}
			fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
			if got, _ := fields[c.field].(string); !strings.Contains(got, c.problem) {
				t.Errorf("fields %v, want %s: …%s…", fields, c.field, c.problem)
			}
			if after := tableCounts(t, w.env); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("something was stored: %v, then %v", before, after)
			}
		})
	}

	r := w.env.API(w.ot, "POST", "/api/v1/children", child(`,"notes":"Ring the bell.\r\nParking:\tat the back"`))
	if r.Status != http.StatusCreated || r.JSON(t)["notes"] != "Ring the bell.\r\nParking:\tat the back" {
		t.Fatalf("notes over two lines with a tab: %d %s", r.Status, r.Body)
	}
}

// TestFormsRefuseTextThatCannotBeShown: the same through the pages, where the message
// stands beside the field the form names it by.
func TestFormsRefuseTextThatCannotBeShown(t *testing.T) {
	w := newWorld(t, 1)
	zoe := w.child(t, w.ot, "Zoë Adams")
	ot, store := signIn(t, w.env, "ot@test"), signIn(t, w.env, "store@test")
	with := func(form url.Values, name, value string) url.Values {
		out := url.Values{}
		for k, v := range form {
			out[k] = v
		}
		out.Set(name, value)
		return out
	}
	request := url.Values{"child_id": {fmt.Sprint(zoe)}, "product_id": {fmt.Sprint(w.chair)}, "how_many": {"1"}, "priority": {"standard"},
		"deliver_to": {"home"}, "reason": {"Needs a chair"}}
	for _, c := range []struct {
		name    string
		who     *visitor
		path    string
		form    url.Values
		status  int
		field   string
		message string
	}{
		{"NUL as a child's name", ot, "/children", with(childForm(""), "given_name", "\x00"), 422, "given_name",
			"Given name contains a control character (U+0000)"},
		{"escape in a name", ot, "/children", with(childForm(""), "family_name", "Ad\x1bams"), 422, "family_name", "U+001B"},
		{"Latin-1 in an address", ot, "/children", with(childForm(""), "home_address", "1 Rue de l'\xe9glise"), 422, "home_address",
			"Home address contains characters that are not text"},
		{"NUL in notes", ot, "/children", with(childForm(""), "notes", "Ring\x00"), 422, "notes", "Notes contains a control character"},
		{"bell in a product name", store, "/products", url.Values{"name": {"Chair\a"}, "category": {"Seating"}, "kind": {"returnable"}}, 422,
			"name", "Name contains a control character (U+0007)"},
		{"a request needed in the year 9999", ot, "/requests", with(request, "needed_by", "9999-12-31"), 422, "needed_by",
			"Needed by must be no later than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := tableCounts(t, w.env)
			r := c.who.b.Post(c.path, c.form)
			if r.Status != c.status {
				t.Fatalf("%d, want %d: %s", r.Status, c.status, mainText(r.Body))
			}
			wantText(t, r, c.message)
			if !strings.Contains(r.Body, `href="#f-`+c.field+`"`) {
				t.Errorf("the error summary should link to the field %s", c.field)
			}
			if after := tableCounts(t, w.env); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("something was stored: %v, then %v", before, after)
			}
		})
	}

	notes := "Ring the bell.\r\nParking:\tat the back"
	r := ot.post("/children", with(childForm(""), "notes", notes), 200)
	var stored string
	if err := w.env.DB.Read.QueryRow(`SELECT notes FROM children WHERE id = ?`, idOf(t, r)).Scan(&stored); err != nil || stored != notes {
		t.Fatalf("notes stored as %q (%v), want %q", stored, err, notes)
	}
}

// TestSearchesTakeAnyText: what is typed into a search or a filter, shown or not, never
// fails the server.
func TestSearchesTakeAnyText(t *testing.T) {
	w := newWorld(t, 1)
	store := signIn(t, w.env, "store@test")
	for _, path := range []string{"/children", "/products", "/items", "/loans", "/requests", "/reports", "/labels",
		"/api/v1/children", "/api/v1/products", "/api/v1/items", "/api/v1/loans", "/api/v1/requests", "/api/v1/reports"} {
		for _, q := range []string{"%00", "%FF%FE", "%1B%5B2J", "%E9t%E9"} {
			p := path + "?q=" + q + "&setting=" + q + "&tag=" + q + "&status=" + q + "&from=" + q + "&to=" + q + "&view=" + q
			var status int
			if strings.HasPrefix(path, "/api/") {
				status = w.env.API(w.store, "GET", p, nil).Status
			} else {
				status = store.b.Get(p).Status
			}
			if status >= 500 {
				t.Errorf("GET %s: %d", p, status)
			}
		}
	}
}

// storedTextProblem is the first text stored in the tables people's text goes to that
// cannot be shown: not UTF-8, or holding a control character other than a line break or
// a tab; "" when there is none.
func storedTextProblem(t *testing.T, env *webtest.Env) string {
	t.Helper()
	for column, values := range dump(t, env.DB.Read) {
		if table, _, _ := strings.Cut(column, "."); !slices.Contains(textTables, table) {
			continue
		}
		for _, s := range values {
			bad := !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
				return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
			})
			if bad {
				return fmt.Sprintf("%s = %q", column, s)
			}
		}
	}
	return ""
}
