// Package webtest starts the real kitloan server on a SQLite file in a test's temp dir and
// drives it as a browser (a cookie jar, real forms and their CSRF tokens) or as an API
// client (a bearer token). Tests across packages share it; nothing here is mocked.
package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/web"
)

// Password is the password of every user a test creates.
const Password = "correct-horse-battery"

// Env is a running server over its own database.
type Env struct {
	T      testing.TB
	DB     *db.DB
	Server *web.Server
	HTTP   *httptest.Server
}

// New starts a server on a fresh database.
func New(t testing.TB) *Env {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "kitloan.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	srv.Accounts.HashCost = bcrypt.MinCost
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		d.Close()
	})
	if err := srv.Settings.Set(context.Background(), map[string]string{"base_url": hs.URL}); err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, DB: d, Server: srv, HTTP: hs}
}

// User creates a user with the role and returns its email; the password is Password.
func (e *Env) User(role, email, name string) accounts.User {
	e.T.Helper()
	u, err := e.Server.Accounts.CreateUser(context.Background(), accounts.UserInput{Email: email, Name: name, Role: role, Password: Password})
	if err != nil {
		e.T.Fatal(err)
	}
	return u
}

// Token creates an API token for the user.
func (e *Env) Token(u accounts.User) string {
	e.T.Helper()
	secret, _, err := e.Server.Accounts.CreateToken(context.Background(), u.ID, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	return secret
}

// Response is what came back, with the body read.
type Response struct {
	Status int
	Header http.Header
	Body   string
	URL    string
}

// JSON decodes the body into a generic map, failing the test if it is not JSON.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("response is not JSON (%v): %.300s", err, r.Body)
	}
	return m
}

// API sends a JSON request with a bearer token (none when token is ""). A body that is a
// string or []byte is sent as it is; anything else is marshalled. The request and its
// answer are checked against the API's contract (contract.go).
func (e *Env) API(token, method, path string, body any) Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(e.T, &http.Client{Transport: Transport(e.T)}, req)
}

func do(t testing.TB, c *http.Client, req *http.Request) Response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: string(b), URL: res.Request.URL.String()}
}

// Browser is a person at a browser: cookies kept, redirects followed, and the CSRF token
// of the last page read, ready for the next form.
type Browser struct {
	t      testing.TB
	env    *Env
	client *http.Client
	CSRF   string
}

// Browser returns a new browser with no session.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: e.T, env: e, client: &http.Client{Jar: jar, Transport: Transport(e.T)}}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *Browser) keep(r Response) Response {
	if m := csrfInput.FindStringSubmatch(r.Body); m != nil {
		b.CSRF = m[1]
	}
	return r
}

// Get loads a page.
func (b *Browser) Get(path string) Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.HTTP.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.keep(do(b.t, b.client, req))
}

// Post submits a form with the CSRF token of the last page (unless the form has one).
func (b *Browser) Post(path string, form url.Values) Response {
	b.t.Helper()
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.CSRF)
	}
	return b.PostRaw(path, form)
}

// PostRaw submits a form exactly as given.
func (b *Browser) PostRaw(path string, form url.Values) Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.env.HTTP.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.keep(do(b.t, b.client, req))
}

// Login signs in through the real form and fails the test if it does not work.
func (b *Browser) Login(email, password string) {
	b.t.Helper()
	b.Get("/login")
	r := b.Post("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusOK || strings.Contains(r.URL, "/login") {
		b.t.Fatalf("sign-in as %s failed: %d at %s: %.500s", email, r.Status, r.URL, r.Body)
	}
}

// Cookies returns the browser's cookies for u.
func (b *Browser) Cookies(u *url.URL) []*http.Cookie { return b.client.Jar.Cookies(u) }

// SetCookie puts a cookie in the browser, as a thief with a copied cookie would.
func (b *Browser) SetCookie(u *url.URL, c *http.Cookie) {
	b.client.Jar.SetCookies(u, []*http.Cookie{c})
}
