package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/web"
	"kitloan/web/webtest"
)

// fuzzServer is one running service for every input of a fuzz target: store staff and a
// therapist with API tokens, a chair with units and a child to lend them to.
type fuzzServer struct {
	env        *webtest.Env
	store, ot  string
	chairUnits []string
}

func newFuzzServer(f *testing.F) *fuzzServer {
	env := webtest.New(f)
	s := &fuzzServer{env: env,
		store: env.Token(env.User("store", "store@test", "Sam Store")),
		ot:    env.Token(env.User("therapist", "ot@test", "Olu Therapist"))}
	must := func(token, path string, body any) map[string]any {
		r := env.API(token, "POST", path, body)
		if r.Status != http.StatusCreated {
			f.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		return r.JSON(f)
	}
	chair := must(s.store, "/api/v1/products", map[string]any{"name": "Classroom chair", "category": "Seating", "kind": "returnable"})["id"]
	for range 30 {
		s.chairUnits = append(s.chairUnits, must(s.store, "/api/v1/items", map[string]any{"product_id": chair, "condition": "good"})["tag"].(string))
	}
	must(s.ot, "/api/v1/children", map[string]any{"given_name": "Zoë", "family_name": "Adams", "date_of_birth": "2017-03-14",
		"nhs_number": "943 476 5919", "address": "1 Fictional Road", "setting": "Hilltop Primary"})
	return s
}

// post sends body as it is and checks the answer: never a 5xx; a 2xx is a JSON object
// with an id; anything else is the error shape of the API (README, "The API"). Whatever was answered, all the
// text stored can be shown: UTF-8 with no control character but line breaks and tabs.
func (s *fuzzServer) post(t *testing.T, token, path string, body []byte) {
	defer func() {
		if p := storedTextProblem(t, s.env); p != "" {
			t.Fatalf("POST %s %q stored text that cannot be shown: %s", path, body, p)
		}
	}()
	req, err := http.NewRequest(http.MethodPost, s.env.HTTP.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Transport: webtest.Transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode >= 500 {
		t.Fatalf("POST %s %q: %d %s", path, body, res.StatusCode, answer)
	}
	var obj map[string]any
	if err := json.Unmarshal(answer, &obj); err != nil {
		t.Fatalf("POST %s %q: %d and not a JSON object: %s", path, body, res.StatusCode, answer)
	}
	if res.StatusCode < 300 {
		if _, ok := obj["id"].(float64); !ok {
			t.Fatalf("POST %s %q: %d without an id: %s", path, body, res.StatusCode, answer)
		}
		return
	}
	e, _ := obj["error"].(map[string]any)
	if e == nil || e["code"] == nil || e["message"] == "" {
		t.Fatalf("POST %s %q: %d without the error shape: %s", path, body, res.StatusCode, answer)
	}
}

// FuzzLoanJSON posts any body to POST /api/v1/loans as store staff.
func FuzzLoanJSON(f *testing.F) {
	s := newFuzzServer(f)
	for _, body := range []string{
		`{"child_id":1,"tags":["` + s.chairUnits[0] + `"],"location":"home","recipient":"Pat Adams"}`,
		`{"child_id":1,"tags":["kl-000002","KL-000002"],"location":"school","recipient":"SENCO","review_date":"2030-01-01"}`,
		`{"child_id":1,"tags":[],"location":"home","recipient":"Pat"}`,
		`{"child_id":1,"tags":["KL-999999"],"location":"clinic","recipient":"Pat","request_id":77}`,
		`{"child_id":-1,"tags":null,"location":"moon","recipient":""}`,
		`{"child_id":9223372036854775807,"tags":["` + s.chairUnits[1] + `"],"location":"home","recipient":"x","return_date":"2026-02-30"}`,
		`{"child_id":1,"tags":["` + s.chairUnits[3] + `"],"location":"home","recipient":"Pat\u0000","address":"` + "\xff" + `"}`,
		`{"child_id":1.5}`, `{"child_id":"1"}`, `{"tags":"KL-000003"}`, `{"colour":"red"}`, `{}`, `[]`, `null`, `"x"`, ``, `{`,
		`{"child_id":1,"tags":["` + s.chairUnits[2] + `"],"location":"home","recipient":"Pat"}{"child_id":1}`,
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s.post(t, s.store, "/api/v1/loans", body)
	})
}

// FuzzChildJSON posts any body to POST /api/v1/children, as store staff or as a therapist.
func FuzzChildJSON(f *testing.F) {
	s := newFuzzServer(f)
	for _, body := range []string{
		`{"given_name":"Ben","family_name":"Brown","date_of_birth":"2016-01-02","nhs_number":"943 476 5919","address":"2 Road","setting":"School","carers":[{"name":"Pat Brown","relationship":"father","phone":"07700 900123","email":"pat@example.org"}]}`,
		`{"given_name":"Ольга","family_name":"Петренко","date_of_birth":"2015-01-02","therapist_email":"ot@test"}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"2015-02-29"}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"2015-01-02","therapist_email":"nobody@test"}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"2015-01-02","carers":[{}]}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"2015-01-02","carers":[null]}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"2015-01-02","reference":"C-000001"}`,
		`{"given_name":"` + "\u0000" + `","family_name":"\ud800","date_of_birth":"2015-01-02"}`,
		`{"given_name":"Ren` + "\xe9" + `e","family_name":"B\u001b[2J","date_of_birth":"2015-01-02","notes":"a\r\nb\tc"}`,
		`{"given_name":1}`, `{"carers":{}}`, `{}`, `[]`, `null`, ``, `{"nhs_number":"0000000000"}`,
	} {
		f.Add(false, []byte(body))
		f.Add(true, []byte(body))
	}
	f.Fuzz(func(t *testing.T, asTherapist bool, body []byte) {
		token := s.store
		if asTherapist {
			token = s.ot
		}
		s.post(t, token, "/api/v1/children", body)
	})
}

// FuzzSafeNext checks that no target, however made, becomes a redirect off the site: the
// result is "/" or a path starting with a single "/" (not "//" or "/\", which a browser
// reads as another host), with no control character or backslash a browser would drop or
// read as a slash, that net/url reads as having no scheme and no host; and the result is
// itself accepted as it is.
func FuzzSafeNext(f *testing.F) {
	for _, tc := range hostileNext {
		f.Add(tc.next)
	}
	for _, next := range goodNext {
		f.Add(next)
	}
	f.Fuzz(func(t *testing.T, target string) {
		got := web.SafeNext(target)
		if got != "/" && (!strings.HasPrefix(got, "/") || got[1] == '/' || got[1] == '\\') {
			t.Fatalf("SafeNext(%q) = %q: not a single-slash path", target, got)
		}
		if i := strings.IndexFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }); i >= 0 {
			t.Fatalf("SafeNext(%q) = %q: %q at %d", target, got, got[i], i)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q: %v", target, got, err)
		}
		if u.Scheme != "" || u.Host != "" {
			t.Fatalf("SafeNext(%q) = %q: scheme %q, host %q", target, got, u.Scheme, u.Host)
		}
		if again := web.SafeNext(got); again != got {
			t.Fatalf("SafeNext(%q) = %q, but SafeNext(%q) = %q", target, got, got, again)
		}
	})
}
