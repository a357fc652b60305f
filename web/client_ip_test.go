package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/web"
	"kitloan/web/webtest"
)

// clientFrom returns an HTTP client whose connections come from the local address ip
// (127.0.0.2: loopback, but not the proxy address kitloan trusts).
func clientFrom(t *testing.T, base, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	if c, err := d.Dial("tcp", strings.TrimPrefix(base, "http://")); err != nil {
		// Linux routes all of 127.0.0.0/8 to loopback: failing here is a broken machine.
		t.Fatalf("cannot connect from %s on this machine: %v", ip, err)
	} else {
		c.Close()
	}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// scanFrom opens the public scan page at path through client c, saying it forwards for
// forwardedFor unless that is empty, and returns the status.
func scanFrom(t *testing.T, c *http.Client, url, forwardedFor string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// signInForm is the sign-in page as one client loaded it: the CSRF token and its cookie.
type signInForm struct {
	base    string
	client  *http.Client
	csrf    string
	cookies []*http.Cookie
}

func loadSignInForm(t *testing.T, c *http.Client, base string) signInForm {
	t.Helper()
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := strings.SplitN(string(body), `name="csrf_token" value="`, 2)
	if len(m) != 2 {
		t.Fatal("no CSRF field on the sign-in page")
	}
	return signInForm{base: base, client: c, csrf: strings.SplitN(m[1], `"`, 2)[0], cookies: res.Cookies()}
}

// submit posts the form with X-Forwarded-For set to forwardedFor and returns the status.
func (f signInForm) submit(t *testing.T, email, password, forwardedFor string) int {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {f.csrf}}
	req, _ := http.NewRequest(http.MethodPost, f.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", forwardedFor)
	for _, c := range f.cookies {
		req.AddCookie(c)
	}
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestForwardedForIsTrustedOnlyFromTheProxy: the public scan limit and the sign-in
// throttle count requests by client address. A client cannot make itself many clients by
// sending X-Forwarded-For with each request; only a proxy on the same machine (127.0.0.1,
// ::1: where README.md puts the TLS proxy) may say whom it forwards for.
func TestForwardedForIsTrustedOnlyFromTheProxy(t *testing.T) {
	w := newWorld(t, 1)
	outsider := clientFrom(t, w.env.HTTP.URL, "127.0.0.2")
	scanURL := w.env.HTTP.URL + "/t/" + w.tags[0]
	limited := 0
	for i := range 40 {
		if scanFrom(t, outsider, scanURL, fmt.Sprintf("198.51.100.%d", i+1)) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 15 {
		t.Errorf("%d of 40 quick scans with a made-up X-Forwarded-For each were limited, want at least 15", limited)
	}

	// Failed sign-ins from one address, each claiming another, for different accounts.
	form := loadSignInForm(t, outsider, w.env.HTTP.URL)
	for i := range 5 {
		// Real accounts, so that each failure costs one quick hash (unknown emails cost a full one).
		w.env.User("viewer", fmt.Sprintf("guess%d@test", i), "Guess")
	}
	for i := range 5 {
		if st := form.submit(t, fmt.Sprintf("guess%d@test", i), "wrong-password", fmt.Sprintf("203.0.113.%d", i+1)); st != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, st)
		}
	}
	if st := form.submit(t, "store@test", webtest.Password, "203.0.113.99"); st != http.StatusTooManyRequests {
		t.Errorf("after 5 failed sign-ins from one address, each claiming another: %d, want 429", st)
	}

	// Through the proxy on 127.0.0.1, each family behind it has its own allowance.
	for range 40 {
		scanFrom(t, http.DefaultClient, scanURL, "192.0.2.10")
	}
	if st := scanFrom(t, http.DefaultClient, scanURL, "192.0.2.10"); st != http.StatusTooManyRequests {
		t.Errorf("a client behind the proxy scanning fast: %d, want 429", st)
	}
	if st := scanFrom(t, http.DefaultClient, scanURL, "192.0.2.11"); st != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", st)
	}
}

// TestForwardedForIsTrustedFromConfiguredProxies: with the proxy on another machine
// (kitloan serve --trusted-proxies), one person's wrong passwords lock out only them, not
// everyone behind the proxy; an address not on the list still cannot claim to be others,
// and the list replaces the default, so 127.0.0.1 is no longer believed.
func TestForwardedForIsTrustedFromConfiguredProxies(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "kitloan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	srv, err := web.New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Accounts.HashCost = bcrypt.MinCost
	// 127.0.0.2 stands for the proxy on another host; the range is there to show ranges parse.
	if err := srv.TrustProxies(" 127.0.0.2, 10.20.0.0/16 "); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	// Real accounts, so that each failure costs one quick hash (unknown emails cost a full one).
	for _, email := range []string{"alex@test", "bo@test", "guess0@test", "guess1@test", "guess2@test", "guess3@test", "guess4@test"} {
		if _, err := srv.Accounts.CreateUser(context.Background(), accounts.UserInput{Email: email, Name: "Staff", Role: accounts.Staff, Password: webtest.Password}); err != nil {
			t.Fatal(err)
		}
	}

	// Alex, behind the proxy, fails five sign-ins, each for another account, so that only
	// the count for Alex's forwarded address can block the sixth.
	proxy := loadSignInForm(t, clientFrom(t, hs.URL, "127.0.0.2"), hs.URL)
	for i := range 5 {
		if st := proxy.submit(t, fmt.Sprintf("guess%d@test", i), "wrong-password", "192.0.2.10"); st != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, st)
		}
	}
	if st := proxy.submit(t, "alex@test", webtest.Password, "192.0.2.10"); st != http.StatusTooManyRequests {
		t.Errorf("Alex after 5 failed sign-ins through the trusted proxy: %d, want 429", st)
	}
	if st := proxy.submit(t, "bo@test", webtest.Password, "192.0.2.11"); st != http.StatusSeeOther {
		t.Errorf("Bo, behind the same proxy: %d, want 303 (signed in)", st)
	}

	// Not on the list: 127.0.0.3, and 127.0.0.1 now the list is not the default. A made-up
	// X-Forwarded-For on each scan still counts as one client.
	for _, ip := range []string{"127.0.0.3", "127.0.0.1"} {
		c := clientFrom(t, hs.URL, ip)
		limited := 0
		for i := range 40 {
			if scanFrom(t, c, hs.URL+"/t/NOSUCHTAG", fmt.Sprintf("198.51.100.%d", i+1)) == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited < 15 {
			t.Errorf("from %s: %d of 40 quick scans with a made-up X-Forwarded-For each were limited, want at least 15", ip, limited)
		}
	}
}

// TestTrustProxiesRefusesABadEntry: a typo in the list is an error naming it, not a proxy
// silently left out.
func TestTrustProxiesRefusesABadEntry(t *testing.T) {
	srv := webtest.New(t).Server
	for _, bad := range []string{"10.0.0.1,proxy.example", "10.0.0.0/33", "127.0.0.1;::1"} {
		err := srv.TrustProxies(bad)
		if err == nil || errs.CodeOf(err) != errs.Invalid {
			t.Errorf("TrustProxies(%q) = %v, want an invalid error", bad, err)
			continue
		}
		entry := bad[strings.LastIndex(bad, ",")+1:]
		if !strings.Contains(err.Error(), entry) {
			t.Errorf("TrustProxies(%q): %q does not name %q", bad, err, entry)
		}
	}
}
