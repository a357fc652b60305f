package loans_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/inventory"
	"kitloan/loans"
)

// The import writes in batches (import_write.go): these tests watch it between batches
// through ObserveImports, and time nothing.

// lending is a store with a chair to import units of and one unit to lend to a child.
type lending struct {
	d     *db.DB
	inv   *inventory.Store
	loans *loans.Store
	chair inventory.Product
	child int64
	admin accounts.User
}

func newLending(t *testing.T) lending {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	inv := inventory.NewStore(d)
	acc := accounts.NewStore(d)
	acc.HashCost = 4
	ot, err := acc.CreateUser(ctx, accounts.UserInput{Email: "ot@test", Name: "Olu Therapist", Role: accounts.Therapist, Password: "a-long-enough-password"})
	if err != nil {
		t.Fatal(err)
	}
	ls := loans.NewStore(d)
	child, err := ls.CreateChild(ctx, ot, loans.ChildInput{GivenName: "Ada", FamilyName: "Lovelace", DateOfBirth: "2018-12-10"})
	if err != nil {
		t.Fatal(err)
	}
	chair, err := inv.CreateProduct(ctx, inventory.ProductInput{Name: "Chair", Category: "Seating", Kind: "returnable", ServiceIntervalDays: 365})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.CreateItems(ctx, inventory.ItemInput{ProductID: chair.ID, Tag: "KL-LEND"}); err != nil {
		t.Fatal(err)
	}
	return lending{d: d, inv: inv, loans: ls, chair: chair, child: child.ID, admin: accounts.User{Role: accounts.Admin, Name: "Store"}}
}

// unitsFile is an items file of n units of product, tagged IMP-000001… and serialled
// SN-000001… after prefix.
func unitsFile(prefix string, product int64, n int) string {
	var b strings.Builder
	b.WriteString("tag,product,serial,condition,location,acquired_on\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%sIMP-%06d,%d,%sSN-%06d,good,Store,2025-01-0%d\n", prefix, i, product, prefix, i, 1+i%9)
	}
	return b.String()
}

// importing runs an import in its own goroutine; done closes when it has returned.
type importing struct {
	rep  inventory.ImportReport
	err  error
	done chan struct{}
}

func startImport(s *inventory.Store, file string, dryRun bool) *importing {
	im := &importing{done: make(chan struct{})}
	go func() {
		defer close(im.done)
		im.rep, im.err = s.Import(context.Background(), inventory.ImportItems, strings.NewReader(file), dryRun)
	}()
	return im
}

// reach waits for the import to signal ch, failing if it returns first.
func (im *importing) reach(t *testing.T, ch chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-im.done:
		t.Fatalf("the import returned before the step the test waits for: %v %+v", im.err, im.rep.Problems)
	}
}

func (im *importing) running() bool {
	select {
	case <-im.done:
		return false
	default:
		return true
	}
}

// once signals ch the first time stage is reached.
func once(stage string) (func(string, int), chan struct{}) {
	ch := make(chan struct{})
	var o sync.Once
	return func(s string, _ int) {
		if s == stage {
			o.Do(func() { close(ch) })
		}
	}, ch
}

func (l lending) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := l.d.Read.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// nothingStaged checks that an import left nothing behind in the stage.
func (l lending) nothingStaged(t *testing.T) {
	t.Helper()
	if n := l.count(t, `SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_items) + (SELECT count(*) FROM import_products)`); n != 0 {
		t.Errorf("%d rows left in the import tables", n)
	}
}

func TestIssueAndReturnGoOnWhileAnImportWrites(t *testing.T) {
	const rows = 20_000
	ctx := context.Background()
	l := newLending(t)
	observe, firstBatch := once("staged")
	l.inv.ObserveImports(observe)
	im := startImport(l.inv, unitsFile("", l.chair.ID, rows), false)
	im.reach(t, firstBatch)
	loan, err := l.loans.IssueLoan(ctx, l.admin, loans.LoanInput{ChildID: l.child, Tags: []string{"KL-LEND"}, Location: "home", Recipient: "Ada's mother"})
	if err != nil {
		t.Fatal(err)
	}
	if !im.running() {
		t.Fatal("the issue waited until the import had finished: the import held the writer")
	}
	if _, err := l.loans.ReturnItems(ctx, l.admin, loan.ID, []loans.ReturnLine{{Tag: "KL-LEND", Condition: "good"}}); err != nil {
		t.Fatal(err)
	}
	if !im.running() {
		t.Fatal("the return waited until the import had finished: the import held the writer")
	}
	<-im.done
	if im.err != nil || im.rep.Imported != rows {
		t.Fatalf("import: %v %+v", im.err, im.rep)
	}
	// Every unit, with its service date from its product and its history.
	if n := l.count(t, `SELECT count(*) FROM items WHERE tag LIKE 'IMP-%' AND next_service_due = date(acquired_on, '+365 days')`); n != rows {
		t.Errorf("%d units imported, want %d", n, rows)
	}
	if n := l.count(t, `SELECT count(*) FROM events e JOIN items i ON e.entity = 'item' AND e.entity_id = i.id AND e.action = 'created' WHERE i.tag LIKE 'IMP-%'`); n != rows {
		t.Errorf("%d history events for the imported units, want %d", n, rows)
	}
	l.nothingStaged(t)
}

func TestDryRunHoldsNoWriteTransaction(t *testing.T) {
	const rows = 20_000
	l := newLending(t)
	observe, checking := once("checked")
	l.inv.ObserveImports(observe)
	im := startImport(l.inv, unitsFile("", l.chair.ID, rows), true)
	im.reach(t, checking)
	if _, err := l.loans.IssueLoan(context.Background(), l.admin, loans.LoanInput{ChildID: l.child, Tags: []string{"KL-LEND"}, Location: "home", Recipient: "Ada's mother"}); err != nil {
		t.Fatal(err)
	}
	if !im.running() {
		t.Fatal("the issue waited until the dry run had finished: the dry run held the writer")
	}
	<-im.done
	if im.err != nil || im.rep.Imported != 0 || im.rep.Rows != rows {
		t.Fatalf("dry run: %v %+v", im.err, im.rep)
	}
	if n := l.count(t, `SELECT count(*) FROM items`); n != 1 {
		t.Errorf("%d items after a dry run, want the 1 there before", n)
	}
	l.nothingStaged(t)
}

func TestATagTakenSinceTheCheckImportsNothing(t *testing.T) {
	const rows = 1_600 // four batches; the last row's tag is taken once the first is staged
	ctx := context.Background()
	l := newLending(t)
	var stages []string
	var clash error
	l.inv.ObserveImports(func(stage string, _ int) {
		if stage == "staged" && len(stages) == 0 {
			_, clash = l.inv.CreateItems(ctx, inventory.ItemInput{ProductID: l.chair.ID, Tag: fmt.Sprintf("IMP-%06d", rows)})
		}
		if stage != "checked" {
			stages = append(stages, stage)
		}
	})
	before := l.count(t, `SELECT count(*) FROM events`)
	rep, err := l.inv.Import(ctx, inventory.ImportItems, strings.NewReader(unitsFile("", l.chair.ID, rows)), false)
	if clash != nil {
		t.Fatal(clash)
	}
	if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "nothing was imported") || rep.Imported != 0 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	if got, want := fmt.Sprint(rep.Problems), fmt.Sprintf("[line %d, tag: is already on another item]", rows+1); got != want {
		t.Errorf("problems:\n%swant\n%s", got, want)
	}
	if strings.Join(stages, ",") != "staged,staged,staged" {
		t.Errorf("the import went through %v; want three batches staged and the fourth refused", stages)
	}
	// The unit made meanwhile is there with its event; nothing of the import is.
	if n := l.count(t, `SELECT count(*) FROM items`); n != 2 {
		t.Errorf("%d items, want the 2 made outside the import", n)
	}
	if n := l.count(t, `SELECT count(*) FROM events`); n != before+1 {
		t.Errorf("%d events written, want the 1 of the unit made meanwhile", n-before)
	}
	l.nothingStaged(t)
	// Fixed, the file imports; the tag counter stays usable.
	rep, err = l.inv.Import(ctx, inventory.ImportItems, strings.NewReader(strings.Replace(unitsFile("", l.chair.ID, rows), fmt.Sprintf("IMP-%06d,", rows), ",", 1)), false)
	if err != nil || rep.Imported != rows {
		t.Fatalf("the file without the taken tag: %v %+v", err, rep)
	}
	l.nothingStaged(t)
}

// A process stopped while moving an import's rows in leaves an import that the next
// finishes (here a second store, as a restarted server has); one stopped while staging
// leaves rows no one sees, removed once it has been quiet for a minute.
func TestImportsLeftBehindAreFinishedOrRemoved(t *testing.T) {
	const rows = 1_600
	ctx := context.Background()
	l := newLending(t)
	hold := func(stage string) (chan struct{}, chan struct{}) {
		reached, release := make(chan struct{}), make(chan struct{})
		var o sync.Once
		l.inv.ObserveImports(func(s string, _ int) {
			if s == stage {
				o.Do(func() {
					close(reached)
					<-release
				})
			}
		})
		return reached, release
	}

	reached, release := hold("moved")
	im := startImport(l.inv, unitsFile("", l.chair.ID, rows), false)
	im.reach(t, reached)
	if n := l.count(t, `SELECT count(*) FROM items WHERE tag LIKE 'IMP-%'`); n == 0 || n == rows {
		t.Fatalf("%d units in after the first batch moved", n)
	}
	restarted := inventory.NewStore(l.d)
	moved, removed, err := restarted.FinishImports(ctx)
	if err != nil || moved != 1 || removed != 0 {
		t.Fatalf("finishing a moving import: moved %d, removed %d, %v", moved, removed, err)
	}
	if n := l.count(t, `SELECT count(*) FROM items WHERE tag LIKE 'IMP-%'`); n != rows {
		t.Errorf("%d units after finishing, want %d", n, rows)
	}
	l.nothingStaged(t)
	close(release) // the first mover finds nothing left to move
	<-im.done
	if im.err != nil || im.rep.Imported != rows {
		t.Fatalf("the import that was held: %v %+v", im.err, im.rep)
	}
	if n := l.count(t, `SELECT count(*) FROM events WHERE entity = 'item' AND action = 'created'`); n != rows+1 {
		t.Errorf("%d item-created events, want %d: each unit once", n, rows+1)
	}

	file := unitsFile("TWO-", l.chair.ID, rows)
	reached, release = hold("staged")
	im = startImport(l.inv, file, false)
	im.reach(t, reached)
	if moved, removed, err := restarted.FinishImports(ctx); err != nil || moved+removed != 0 {
		t.Fatalf("an import staging a moment ago was touched: moved %d, removed %d, %v", moved, removed, err)
	}
	now := time.Now()
	l.d.Now = func() time.Time { return now.Add(2 * time.Minute) }
	if moved, removed, err := restarted.FinishImports(ctx); err != nil || moved != 0 || removed != 1 {
		t.Fatalf("removing a quiet staging import: moved %d, removed %d, %v", moved, removed, err)
	}
	l.nothingStaged(t)
	close(release)
	<-im.done
	if errs.CodeOf(im.err) != errs.Conflict || !strings.Contains(im.err.Error(), "nothing was imported") || im.rep.Imported != 0 {
		t.Fatalf("the import removed under it: %v %+v", im.err, im.rep)
	}
	if n := l.count(t, `SELECT count(*) FROM items WHERE tag LIKE 'TWO-IMP-%'`); n != 0 {
		t.Errorf("%d units of a removed import", n)
	}
	l.nothingStaged(t)
}
