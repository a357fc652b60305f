package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kitloan/internal/db"
	"kitloan/internal/testtools"
)

// TestAPIExampleScript runs docs/api-example.sh, the API's example client, as a reader of
// the docs would: with bash, curl and jq, against `kitloan serve` on a fresh database,
// with a token from `kitloan token create`. The script checks every answer; here it must
// finish, and the database must hold what it did: a loan issued and returned.
func TestAPIExampleScript(t *testing.T) {
	bash := testtools.Require(t, "bash")
	testtools.Require(t, "curl")
	testtools.Require(t, "jq")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	vars := map[string]string{"KITLOAN_DB": path, "KITLOAN_PASSWORD": "a-long-enough-password"}
	var out bytes.Buffer
	for _, args := range [][]string{
		{"user", "add", "store@example.test", "--name", "Sam Store", "--role", "store"},
		{"user", "add", "ot@example.test", "--name", "Olu Therapist", "--role", "therapist"},
		{"token", "create", "store@example.test", "--name", "example script"},
	} {
		out.Reset()
		if err := run(ctx, args, env(vars), strings.NewReader(""), &out); err != nil {
			t.Fatalf("kitloan %s: %v", strings.Join(args, " "), err)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]

	addr, stop := startServe(t, []string{"--db", path}, nil)
	script := exec.Command(bash, filepath.Join("..", "..", "docs", "api-example.sh"))
	script.Env = append(os.Environ(), "KITLOAN_URL=http://"+addr, "KITLOAN_TOKEN="+token, "KITLOAN_THERAPIST_EMAIL=ot@example.test")
	said, err := script.CombinedOutput()
	if log, err := stop(); err != nil {
		t.Errorf("serve: %v\n%s", err, log)
	}
	if err != nil {
		t.Fatalf("docs/api-example.sh failed: %v\n%s", err, said)
	}
	t.Logf("docs/api-example.sh:\n%s", said)
	for _, want := range []string{"Added product", "Added item KL-000001", "Issued loan L-000001", "loan L-000001 is closed"} {
		if !bytes.Contains(said, []byte(want)) {
			t.Errorf("the script did not say %q", want)
		}
	}

	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var loans, closed, returned int
	var status string
	err = d.Read.QueryRow(`SELECT (SELECT count(*) FROM loans), (SELECT count(*) FROM loans WHERE closed_at IS NOT NULL),
		(SELECT count(*) FROM loan_items WHERE returned_at IS NOT NULL), (SELECT status FROM items WHERE tag = 'KL-000001')`).
		Scan(&loans, &closed, &returned, &status)
	if err != nil {
		t.Fatal(err)
	}
	if loans != 1 || closed != 1 || returned != 1 || status != "returned" {
		t.Fatalf("after the script: %d loans, %d closed, %d items returned, item %s; want one loan issued and returned", loans, closed, returned, status)
	}
}
