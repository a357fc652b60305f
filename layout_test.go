package kitloan_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The module's floors: internal/ is the ground and imports nothing above it; the domain
// (accounts, inventory, labels, loans, papers, privacy, reports) stands on it; web, demo
// and cmd are the top. These tests read the import lines of every Go file, test files and
// files behind build tags included, so that a file that breaks a floor fails here.

const module = "kitloan/"

// imports maps each folder holding Go files ("loans", "web/webtest") to its files, and
// each file to the folders of this module it imports.
func imports(t *testing.T) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if out[dir] == nil {
			out[dir] = map[string][]string{}
		}
		var deps []string
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if rel, ok := strings.CutPrefix(p, module); ok {
				deps = append(deps, rel)
			}
		}
		out[dir][filepath.ToSlash(path)] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out["loans"]) == 0 || len(out["internal/db"]) == 0 {
		t.Fatalf("found no Go files in loans or internal/db: run from the module's root (found %d folders)", len(out))
	}
	return out
}

// top is the top-level folder a package folder is in.
func top(dir string) string {
	first, _, _ := strings.Cut(dir, "/")
	return first
}

func TestInternalImportsOnlyTheGround(t *testing.T) {
	for dir, files := range imports(t) {
		if top(dir) != "internal" {
			continue
		}
		for file, deps := range files {
			for _, d := range deps {
				if top(d) != "internal" {
					t.Errorf("%s imports %s%s: nothing under internal/ may import a package above it", file, module, d)
				}
			}
		}
	}
}

// TestTopLevelFoldersImportOnlyDownward fails when a top-level folder imports another
// that, through any of its packages, imports the first back: a cycle between floors.
func TestTopLevelFoldersImportOnlyDownward(t *testing.T) {
	edges := map[string]map[string]string{} // folder -> folder it imports -> one file that does
	for dir, files := range imports(t) {
		for file, deps := range files {
			for _, d := range deps {
				from, to := top(dir), top(d)
				if from == to {
					continue
				}
				if edges[from] == nil {
					edges[from] = map[string]string{}
				}
				if old, ok := edges[from][to]; !ok || file < old {
					edges[from][to] = file
				}
			}
		}
	}
	// path returns a chain of folders from a to b, or nil when b cannot be reached.
	path := func(a, b string) []string {
		prev := map[string]string{a: ""}
		queue := []string{a}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, m := range slices.Sorted(maps.Keys(edges[n])) {
				if _, seen := prev[m]; seen {
					continue
				}
				prev[m] = n
				if m == b {
					chain := []string{b}
					for x := n; x != ""; x = prev[x] {
						chain = append([]string{x}, chain...)
					}
					return chain
				}
				queue = append(queue, m)
			}
		}
		return nil
	}
	for _, from := range slices.Sorted(maps.Keys(edges)) {
		for _, to := range slices.Sorted(maps.Keys(edges[from])) {
			if back := path(to, from); back != nil {
				t.Errorf("%s/ imports %s/ (%s), which imports it back: %s", from, to, edges[from][to], strings.Join(back, " → "))
			}
		}
	}
}

// TestLoansStaysSmall holds loans, the core loop, under 3,000 lines of code (tests apart):
// printing, the read log and anonymisation live in papers and privacy.
func TestLoansStaysSmall(t *testing.T) {
	lines := 0
	for file := range imports(t)["loans"] {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines += bytes.Count(b, []byte("\n"))
	}
	if lines >= 3000 {
		t.Errorf("loans holds %d lines of code, want under 3,000: move what is not the core loop to its own package", lines)
	}
}
