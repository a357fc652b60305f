package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersReadNoTablesAndOneClock holds the web layer to two rules: it reads records
// through the domain stores, never through the database itself (s.DB.Events and the
// like), and it takes the time from s.now(), the database's clock, never time.Now(). The
// health check may ping the database; server.go defines s.now(); the request log, the
// sign-in throttle and the scan limit measure real seconds passing.
func TestHandlersReadNoTablesAndOneClock(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	wallClock := map[string]bool{"middleware.go": true, "throttle.go": true, "ratelimit.go": true}
	fset := token.NewFileSet()
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && sel.Sel.Name == "Now" && !wallClock[file] {
				t.Errorf("%s: time.Now(): a handler takes the time from s.now()", fset.Position(sel.Pos()))
			}
			if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "DB" && sel.Sel.Name != "Ping" && (file != "server.go" || sel.Sel.Name != "Now") {
				t.Errorf("%s: DB.%s: a handler reads through the store that owns the record, and the time from s.now()", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked < 20 {
		t.Fatalf("checked %d files: run from the web folder", checked)
	}
}
