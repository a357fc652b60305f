package main

// Data-safety tests of issue 8: backups taken while the server writes are consistent,
// a backup restores by the procedure in README.md, and a client that sends its headers
// slowly is cut off. The crash test (crash_test.go, build tag crash) shares the helpers.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// openReadOnly opens a database file for checking, without changing it.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return c
}

// checkConsistent checks what must hold of any kitloan database, whenever it was taken:
// SQLite's own integrity and foreign-key checks, and the loan invariants the stores keep.
func checkConsistent(t *testing.T, c *sql.DB, what string) {
	t.Helper()
	rows, err := c.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("%s: integrity_check: %v", what, err)
	}
	var results []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		results = append(results, s)
	}
	rows.Close()
	if len(results) != 1 || results[0] != "ok" {
		t.Errorf("%s: integrity_check says %q", what, results)
	}
	rows, err = c.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("%s: foreign_key_check: %v", what, err)
	}
	var fk int
	for rows.Next() {
		fk++
	}
	rows.Close()
	if fk != 0 {
		t.Errorf("%s: foreign_key_check found %d rows", what, fk)
	}
	for _, inv := range []struct{ name, query string }{
		{"items on two open loans",
			`SELECT count(*) FROM (SELECT item_id FROM loan_items WHERE returned_at IS NULL GROUP BY item_id HAVING count(*) > 1)`},
		{"items whose on_loan status disagrees with their open loan lines (on_loan exactly when one line is open)",
			`SELECT count(*) FROM items i WHERE (i.status = 'on_loan') <> ((SELECT count(*) FROM loan_items li WHERE li.item_id = i.id AND li.returned_at IS NULL) = 1)`},
		{"open loan lines on closed loans",
			`SELECT count(*) FROM loan_items li JOIN loans l ON l.id = li.loan_id WHERE li.returned_at IS NULL AND l.closed_at IS NOT NULL`},
	} {
		var n int
		if err := c.QueryRow(inv.query).Scan(&n); err != nil {
			t.Fatalf("%s: %s: %v", what, inv.name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d %s", what, n, inv.name)
		}
	}
}

// lender issues and returns loans through the JSON API, as store staff scanning labels
// would: random available tags to random children, and returns of the loans it issued.
type lender struct {
	base, token string
	client      *http.Client

	mu       sync.Mutex
	pool     []string // tags believed available, each handed out once
	children []int64
}

func newLender(base, token string, tags []string, children []int64) *lender {
	return &lender{base: base, token: token, pool: tags, children: children,
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// take removes up to n random tags from the pool.
func (l *lender) take(rng *rand.Rand, n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for range n {
		if len(l.pool) == 0 {
			break
		}
		i := rng.IntN(len(l.pool))
		out = append(out, l.pool[i])
		l.pool[i] = l.pool[len(l.pool)-1]
		l.pool = l.pool[:len(l.pool)-1]
	}
	return out
}

// post sends a JSON body; err is a transport failure (no answer received).
func (l *lender) post(path string, body any) (int, []byte, error) {
	js, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, l.base+path, bytes.NewReader(js))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.token)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

// issue lends tags to a random child. The answer's status is 0 when none came back.
func (l *lender) issue(rng *rand.Rand, tags []string) (loanID int64, status int, body []byte, err error) {
	child := l.children[rng.IntN(len(l.children))]
	status, body, err = l.post("/api/v1/loans", map[string]any{"child_id": child, "tags": tags, "location": "home", "recipient": "Test Carer"})
	if err != nil || status != http.StatusCreated {
		return 0, status, body, err
	}
	var loan struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body, &loan); err != nil || loan.ID == 0 {
		return 0, status, body, fmt.Errorf("201 without a loan id: %s", body)
	}
	return loan.ID, status, body, nil
}

// giveBack returns one tag of a loan in good condition.
func (l *lender) giveBack(loanID int64, tag string) (int, []byte, error) {
	return l.post(fmt.Sprintf("/api/v1/loans/%d/return", loanID), map[string]any{"items": []map[string]string{{"tag": tag, "condition": "good"}}})
}

// ledger records every acknowledged operation: issues (loan and tag) and returns.
type ledger struct {
	mu       sync.Mutex
	issued   map[int64][]string // loan id → tags, from 201 answers
	returned map[int64][]string // loan id → tags, from 200 answers
	unknown  int                // operations whose answer never came (the server died)
	acked    atomic.Int64
}

func newLedger() *ledger {
	return &ledger{issued: map[int64][]string{}, returned: map[int64][]string{}}
}

func (g *ledger) issue(loan int64, tags []string) {
	g.mu.Lock()
	g.issued[loan] = append(g.issued[loan], tags...)
	g.mu.Unlock()
	g.acked.Add(1)
}

func (g *ledger) giveBack(loan int64, tag string) {
	g.mu.Lock()
	g.returned[loan] = append(g.returned[loan], tag)
	g.mu.Unlock()
	g.acked.Add(1)
}

// check finds every acknowledged issue and return in the database.
func (g *ledger) check(t *testing.T, c *sql.DB, what string) (issues, returns int) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	for loan, tags := range g.issued {
		for _, tag := range tags {
			var n int
			if err := c.QueryRow(`SELECT count(*) FROM loan_items li JOIN items i ON i.id = li.item_id JOIN loans l ON l.id = li.loan_id
				WHERE li.loan_id = ? AND i.tag = ?`, loan, tag).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s: acknowledged issue of %s on loan %d is missing", what, tag, loan)
			}
			issues++
		}
	}
	for loan, tags := range g.returned {
		for _, tag := range tags {
			var returnedAt sql.NullString
			var status string
			err := c.QueryRow(`SELECT li.returned_at, i.status FROM loan_items li JOIN items i ON i.id = li.item_id
				WHERE li.loan_id = ? AND i.tag = ?`, loan, tag).Scan(&returnedAt, &status)
			if err != nil {
				t.Errorf("%s: acknowledged return of %s from loan %d: %v", what, tag, loan, err)
				continue
			}
			if !returnedAt.Valid || status == "on_loan" {
				t.Errorf("%s: acknowledged return of %s from loan %d is lost: returned_at %v, status %s", what, tag, loan, returnedAt, status)
			}
			returns++
		}
	}
	return issues, returns
}

// availableTagsAndChildren reads what a demo database has to lend, and to whom.
func availableTagsAndChildren(t *testing.T, path string) ([]string, []int64) {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tags []string
	rows, err := c.Query(`SELECT tag FROM items WHERE status = 'available' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		tags = append(tags, s)
	}
	rows.Close()
	var children []int64
	rows, err = c.Query(`SELECT id FROM children WHERE discharged_on IS NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		children = append(children, id)
	}
	rows.Close()
	if len(tags) < 50 || len(children) < 5 {
		t.Fatalf("the demo database has %d available items and %d children", len(tags), len(children))
	}
	return tags, children
}

// storeToken adds a store user through the CLI and returns an API token for them.
func storeToken(t *testing.T, path string) string {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "safety@store.test", "--name", "Safety Test", "--role", "store", "--db", path},
		env(map[string]string{"KITLOAN_PASSWORD": "a-long-enough-password"}), nil, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "safety@store.test", "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// TestBackupWhileWritingIsConsistent takes backups with `kitloan backup` while eight
// clients issue and return loans through the API, and checks each copy: it opens, SQLite
// finds nothing wrong with it, and it holds a consistent state of the loans.
func TestBackupWhileWritingIsConsistent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "live", "kitloan.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--items", "600", "--db", path}, env(nil), nil, &out); err != nil {
		t.Fatal(err)
	}
	token := storeToken(t, path)
	tags, children := availableTagsAndChildren(t, path)
	addr, stop := startServe(t, []string{"--db", path}, nil)
	l := newLender("http://"+addr, token, tags, children)
	g := newLedger()

	var writers sync.WaitGroup
	done := make(chan struct{})
	for w := range 8 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			var open []struct {
				loan int64
				tag  string
			}
			for {
				select {
				case <-done:
					return
				default:
				}
				if len(open) > 0 && rng.IntN(2) == 0 {
					i := rng.IntN(len(open))
					o := open[i]
					open = append(open[:i], open[i+1:]...)
					status, body, err := l.giveBack(o.loan, o.tag)
					if err != nil || status != http.StatusOK {
						t.Errorf("return %s from loan %d: %v %d %s", o.tag, o.loan, err, status, body)
						return
					}
					g.giveBack(o.loan, o.tag)
					continue
				}
				tag := l.take(rng, 1)
				if len(tag) == 0 {
					time.Sleep(time.Millisecond)
					continue
				}
				id, status, body, err := l.issue(rng, tag)
				switch {
				case err != nil:
					t.Errorf("issue %s: %v", tag, err)
					return
				case status == http.StatusCreated:
					g.issue(id, tag)
					open = append(open, struct {
						loan int64
						tag  string
					}{id, tag[0]})
				case status != http.StatusConflict: // an item due a service may be refused
					t.Errorf("issue %s: %d %s", tag, status, body)
					return
				}
			}
		}()
	}
	// Three backups, each while writes go on: after 30, 150 and 300 acknowledged operations.
	var backups []string
	for i, after := range []int64{30, 150, 300} {
		deadline := time.Now().Add(60 * time.Second)
		for g.acked.Load() < after && time.Now().Before(deadline) && !t.Failed() {
			time.Sleep(2 * time.Millisecond)
		}
		backup := filepath.Join(dir, "backups", fmt.Sprintf("kitloan-%d.db", i))
		before := g.acked.Load()
		start := time.Now()
		if err := run(context.Background(), []string{"backup", backup, "--db", path}, env(nil), nil, &out); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		t.Logf("backup %d took %s while %d operations were acknowledged", i, time.Since(start).Round(time.Millisecond), g.acked.Load()-before)
		backups = append(backups, backup)
	}
	close(done)
	writers.Wait()
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if g.acked.Load() < 300 {
		t.Fatalf("only %d operations were acknowledged", g.acked.Load())
	}
	for _, b := range backups {
		if _, err := os.Stat(b + "-wal"); err == nil {
			t.Errorf("%s has a -wal file beside it: the copy is not self-contained", b)
		}
		c := openReadOnly(t, b)
		checkConsistent(t, c, filepath.Base(b))
		var loans int
		c.QueryRow(`SELECT count(*) FROM loans`).Scan(&loans)
		t.Logf("%s: %d loans", filepath.Base(b), loans)
	}
	// Everything acknowledged is in the live database.
	live := openReadOnly(t, path)
	checkConsistent(t, live, "the live database")
	g.check(t, live, "the live database")
	live.Close()

	// Restore the middle backup by the procedure of README.md ("Backups and restore").
	restoreAndRead(t, backups[1], path, token)
}

// restoreAndRead follows README.md's restore procedure with the server stopped: copy
// the backup over the database file, delete the -wal and -shm files, start the server.
// It does so on the live path and on a new path, and reads an item through the API each time.
func restoreAndRead(t *testing.T, backup, livePath, token string) {
	t.Helper()
	b := openReadOnly(t, backup)
	var tag, status string
	var loans int
	if err := b.QueryRow(`SELECT tag, status FROM items WHERE status = 'on_loan' ORDER BY id DESC LIMIT 1`).Scan(&tag, &status); err != nil {
		t.Fatal(err)
	}
	b.QueryRow(`SELECT count(*) FROM loans`).Scan(&loans)
	b.Close()
	for _, target := range []string{livePath, filepath.Join(t.TempDir(), "restored", "kitloan.db")} {
		if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(backup)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, 0o640); err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if err := os.Remove(target + suffix); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		// The restored database holds the backup's users and tokens: the token still works.
		addr, stop := startServe(t, []string{"--db", target}, nil)
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/items/"+tag, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var item struct {
			Tag    string `json:"tag"`
			Status string `json:"status"`
			LoanID *int64 `json:"loan_id"`
		}
		json.NewDecoder(res.Body).Decode(&item)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || item.Tag != tag || item.Status != status || item.LoanID == nil {
			t.Errorf("restored to %s: GET /api/v1/items/%s: %d %+v, want %s on a loan", target, tag, res.StatusCode, item, status)
		}
		if _, err := stop(); err != nil {
			t.Fatal(err)
		}
		c := openReadOnly(t, target)
		var n int
		c.QueryRow(`SELECT count(*) FROM loans`).Scan(&n)
		if n != loans {
			t.Errorf("restored to %s: %d loans, the backup has %d", target, n, loans)
		}
		checkConsistent(t, c, "restored "+target)
		c.Close()
	}
}

// TestSlowHeadersAreCutOff: a client that trickles its request headers (slowloris) is
// disconnected by the server's ReadHeaderTimeout (5 s in serve.go) instead of holding a
// connection open for as long as it likes.
func TestSlowHeadersAreCutOff(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k.db")
	addr, stop := startServe(t, []string{"--db", path}, map[string]string{"KITLOAN_ADMIN_PASSWORD": "first-admin-password"})
	defer stop()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		// The server sends nothing, or a 408, and closes the connection.
		io.Copy(io.Discard, conn)
		closed <- time.Since(start)
	}()
	header := "GET /healthz HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: slow-client\r\nX-Padding: " + strings.Repeat("a", 200) + "\r\n"
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for i := 0; ; i++ {
		select {
		case d := <-closed:
			if d < 4*time.Second || d > 8*time.Second {
				t.Fatalf("the connection was closed after %s, want about 5 s (ReadHeaderTimeout)", d)
			}
			// A well-behaved client is still served.
			res, err := http.Get("http://" + addr + "/healthz")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("healthz after the slow client: %v %v", err, res)
			}
			res.Body.Close()
			return
		case <-ticker.C:
			if time.Since(start) > 15*time.Second {
				t.Fatal("a client sending one header byte every 100 ms was not cut off after 15 s")
			}
			// One byte at a time; never the blank line that ends the headers.
			conn.Write([]byte{header[i%len(header)]})
		}
	}
}
