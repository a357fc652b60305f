package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kitloan/internal/webtest"
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

// TestForwardedForIsTrustedOnlyFromTheProxy: the public scan limit and the sign-in
// throttle count requests by client address. A client cannot make itself many clients by
// sending X-Forwarded-For with each request; only a proxy on the same machine (127.0.0.1,
// ::1: where README.md puts the TLS proxy) may say whom it forwards for.
func TestForwardedForIsTrustedOnlyFromTheProxy(t *testing.T) {
	w := newWorld(t, 1)
	outsider := clientFrom(t, w.env.HTTP.URL, "127.0.0.2")
	scan := func(c *http.Client, forwardedFor string) int {
		req, _ := http.NewRequest(http.MethodGet, w.env.HTTP.URL+"/t/"+w.tags[0], nil)
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
	limited := 0
	for i := range 40 {
		if scan(outsider, fmt.Sprintf("198.51.100.%d", i+1)) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 15 {
		t.Errorf("%d of 40 quick scans with a made-up X-Forwarded-For each were limited, want at least 15", limited)
	}

	// Failed sign-ins from one address, each claiming another, for different accounts.
	loginPage := func(c *http.Client) (csrf string, cookies []*http.Cookie) {
		res, err := c.Get(w.env.HTTP.URL + "/login")
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
		return strings.SplitN(m[1], `"`, 2)[0], res.Cookies()
	}
	csrf, cookies := loginPage(outsider)
	signIn := func(email, password, forwardedFor string) int {
		form := url.Values{"email": {email}, "password": {password}, "csrf_token": {csrf}}
		req, _ := http.NewRequest(http.MethodPost, w.env.HTTP.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := outsider.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 5 {
		// Real accounts, so that each failure costs one quick hash (unknown emails cost a full one).
		w.env.User("viewer", fmt.Sprintf("guess%d@test", i), "Guess")
	}
	for i := range 5 {
		if st := signIn(fmt.Sprintf("guess%d@test", i), "wrong-password", fmt.Sprintf("203.0.113.%d", i+1)); st != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i+1, st)
		}
	}
	if st := signIn("store@test", webtest.Password, "203.0.113.99"); st != http.StatusTooManyRequests {
		t.Errorf("after 5 failed sign-ins from one address, each claiming another: %d, want 429", st)
	}

	// Through the proxy on 127.0.0.1, each family behind it has its own allowance.
	for range 40 {
		scan(http.DefaultClient, "192.0.2.10")
	}
	if st := scan(http.DefaultClient, "192.0.2.10"); st != http.StatusTooManyRequests {
		t.Errorf("a client behind the proxy scanning fast: %d, want 429", st)
	}
	if st := scan(http.DefaultClient, "192.0.2.11"); st != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", st)
	}
}
