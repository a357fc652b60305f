package kitloan_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// History is written by one function, db.RecordEventAt (db.RecordEvent calls it), and every
// event is named by the constants of internal/db/events.go, so that one list says every
// event there is. These tests read every Go file to hold both.

// eventArgs are, for each function that writes an event, the positions of its entity and
// action arguments.
var eventArgs = map[string][2]int{"RecordEvent": {1, 3}, "RecordEventAt": {3, 5}}

func TestEventsAreNamedByTheirConstants(t *testing.T) {
	fset := token.NewFileSet()
	calls := 0
	for _, files := range imports(t) {
		for file := range files {
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				pos, ok := eventArgs[name]
				if !ok || len(call.Args) <= pos[1] {
					return true
				}
				calls++
				for i, what := range map[int]string{pos[0]: "entity", pos[1]: "action"} {
					ast.Inspect(call.Args[i], func(a ast.Node) bool {
						if lit, ok := a.(*ast.BasicLit); ok {
							t.Errorf("%s: %s names its %s with the literal %s: use a db.Entity or db.Action constant",
								fset.Position(lit.Pos()), name, what, lit.Value)
						}
						return true
					})
				}
				return true
			})
		}
	}
	if calls < 30 {
		t.Fatalf("found only %d calls that write events: has RecordEvent been renamed?", calls)
	}
}

// insertEvents matches SQL that adds rows to the events table, however it is spaced.
var insertEvents = regexp.MustCompile(`(?i)\b(insert|replace)(\s+or\s+\w+)?\s+into\s+["'\x60\[]?events\b`)

func TestOnlyTheGroundInsertsEvents(t *testing.T) {
	writers := 0
	for dir, files := range imports(t) {
		for file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !insertEvents.Match(b) {
				continue
			}
			if dir == "internal/db" {
				writers++
				continue
			}
			t.Errorf("%s inserts into events itself: write history with db.RecordEvent or db.RecordEventAt", file)
		}
	}
	if writers != 1 {
		t.Errorf("found %d files in internal/db that insert into events, want the one that holds RecordEventAt", writers)
	}
}
