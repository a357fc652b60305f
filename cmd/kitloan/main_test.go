package main

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kitloan/internal/db"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUserAddAndTokenCreate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new", "k.db")
	var out bytes.Buffer
	// The database does not exist yet: the command creates it with every migration.
	err := run(ctx, []string{"user", "add", "Sam@Store.test", "--name", "Sam Store", "--role", "store"},
		env(map[string]string{"KITLOAN_DB": path, "KITLOAN_PASSWORD": "a-long-enough-password"}), strings.NewReader(""), &out)
	if err != nil {
		t.Fatal(err)
	}
	// The password may come from standard input instead.
	err = run(ctx, []string{"user", "add", "--db", path, "ot@store.test", "--name", "Olu", "--role", "therapist"},
		env(nil), strings.NewReader("another-long-password\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"user", "add", "x@store.test", "--name", "X", "--role", "wizard"},
		{"user", "add", "sam@store.test", "--name", "Again", "--role", "store"},
		{"user", "add", "--name", "No Email", "--role", "store"},
		{"token", "create", "nobody@store.test"},
		{"frobnicate"},
	} {
		if err := run(ctx, bad, env(map[string]string{"KITLOAN_DB": path, "KITLOAN_PASSWORD": "a-long-enough-password"}), strings.NewReader(""), &out); err == nil {
			t.Errorf("%v should fail", bad)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "sam@store.test", "--name", "scanner", "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "klt_") || len(token) < 40 {
		t.Fatalf("last line %q is not a token", token)
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var users, tokens int
	d.Read.QueryRow(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM api_tokens)`).Scan(&users, &tokens)
	if users != 2 || tokens != 1 {
		t.Fatalf("%d users, %d tokens", users, tokens)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	for range 1200 {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

// startServe runs `kitloan serve` until the returned stop function is called.
func startServe(t *testing.T, args []string, vars map[string]string) (addr string, stop func() (string, error)) {
	t.Helper()
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), env(vars), nil, &syncWriter{w: &out})
	}()
	waitHealthy(t, addr)
	return addr, func() (string, error) {
		cancel()
		err := <-done
		return out.String(), err
	}
}

func TestServeFirstStartDemoAndGracefulStop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	addr, stop := startServe(t, []string{"--db", path, "--demo"}, map[string]string{"KITLOAN_ADMIN_PASSWORD": "first-admin-password"})
	// The first admin can sign in with the password from the environment.
	res, err := http.Get("http://" + addr + "/login")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login page: %v %v", err, res)
	}
	res.Body.Close()
	out, err := stop()
	if err != nil {
		t.Fatalf("serve returned %v\n%s", err, out)
	}
	if !strings.Contains(out, `"msg":"demo data loaded"`) || !strings.Contains(out, `"msg":"shutting down"`) {
		t.Fatalf("log: %s", out)
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var users, products, items, statuses int
	d.Read.QueryRow(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM products), (SELECT count(*) FROM items), (SELECT count(DISTINCT status) FROM items)`).Scan(&users, &products, &items, &statuses)
	var admin string
	d.Read.QueryRow(`SELECT role FROM users WHERE email = 'admin@localhost'`).Scan(&admin)
	d.Close()
	if users != 5 || products < 40 || items != 300 || statuses < 3 || admin != "admin" {
		t.Fatalf("demo: %d users, %d products, %d items in %d statuses, admin role %q", users, products, items, statuses, admin)
	}
	// A second start with --demo leaves a database that holds data alone, and prints no new admin password.
	_, stop = startServe(t, []string{"--db", path, "--demo"}, nil)
	out, err = stop()
	if err != nil || !strings.Contains(out, "demo data not loaded") || strings.Contains(out, "Created admin@localhost") {
		t.Fatalf("second start: %v\n%s", err, out)
	}
}

func TestServePrintsARandomAdminPasswordOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	_, stop := startServe(t, []string{"--db", path}, nil)
	out, err := stop()
	if err != nil || !strings.Contains(out, "Created admin@localhost with password ") {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestServeRefusesABadTrustedProxy: a typo in the proxy list, from the flag or the
// environment, stops serve before it listens or creates the first admin, with a message
// naming the entry.
func TestServeRefusesABadTrustedProxy(t *testing.T) {
	for _, c := range []struct {
		args  []string
		vars  map[string]string
		entry string
	}{
		{[]string{"--trusted-proxies", "10.0.0.5,proxy.example"}, nil, "proxy.example"},
		{nil, map[string]string{"KITLOAN_TRUSTED_PROXIES": "10.0.0.0/33"}, "10.0.0.0/33"},
	} {
		path := filepath.Join(t.TempDir(), "k.db")
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"serve", "--addr", freeAddr(t), "--db", path}, c.args...), env(c.vars), nil, &out)
		if err == nil || !strings.Contains(err.Error(), c.entry) {
			t.Errorf("%v %v: serve returned %v, want an error naming %q", c.args, c.vars, err, c.entry)
		}
		if strings.Contains(out.String(), "Created admin@localhost") {
			t.Errorf("%v %v: an admin was created before refusing: %s", c.args, c.vars, out.String())
		}
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	addr, stop := startServe(t, []string{"--db", path, "--demo"}, map[string]string{"KITLOAN_ADMIN_PASSWORD": "first-admin-password"})
	_ = addr
	var out bytes.Buffer
	backup := filepath.Join(dir, "backups", "copy.db")
	if err := run(context.Background(), []string{"backup", backup, "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"backup", backup, "--db", path}, env(nil), nil, &out); err == nil {
		t.Fatal("a backup over an existing file should be refused")
	}
	c, err := sql.Open("sqlite3", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var check string
	var items int
	c.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	c.QueryRow(`SELECT count(*) FROM items`).Scan(&items)
	if check != "ok" || items != 300 {
		t.Fatalf("backup: integrity %q, %d items", check, items)
	}
}

// syncWriter lets the server log from its goroutines while the test reads at the end.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestDemoGeneratesAConsistentDataset(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "--items", "2000", "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"demo", "--items", "10", "--db", path}, env(nil), nil, &out); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Fatalf("a second demo into the same database: %v", err)
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	q := func(query string) int {
		var n int
		if err := d.Read.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := q(`SELECT count(*) FROM items`); n != 2000 {
		t.Fatalf("%d items", n)
	}
	if n := q(`SELECT count(*) FROM children`); n != 200 {
		t.Errorf("%d children, want one for every ten items", n)
	}
	if n := q(`SELECT count(*) FROM events`); n < 16000 || n > 24000 {
		t.Errorf("%d events, want about ten an item", n)
	}
	// The invariants the stores keep: an item is on loan exactly when it has one open loan line.
	if n := q(`SELECT count(*) FROM items i WHERE (i.status = 'on_loan') <> ((SELECT count(*) FROM loan_items li WHERE li.item_id = i.id AND li.returned_at IS NULL) = 1)`); n != 0 {
		t.Errorf("%d items whose status disagrees with their open loans", n)
	}
	if n := q(`SELECT count(DISTINCT status) FROM items`); n < 5 {
		t.Errorf("only %d statuses", n)
	}
	if n := q(`SELECT count(*) FROM requests WHERE status IN ('submitted', 'approved')`); n == 0 {
		t.Error("no open requests for the queue")
	}
	var check string
	d.Read.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	if fk := q(`SELECT count(*) FROM pragma_foreign_key_check`); check != "ok" || fk != 0 {
		t.Errorf("integrity %q, %d foreign key problems", check, fk)
	}
}
