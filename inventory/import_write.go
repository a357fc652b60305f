package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// The second phase of an import: its checked rows written in short write transactions,
// first staged (import_products, import_items: migration 00009), then moved in. Between
// two batches the writer is free, so an issue or a return waits for one batch at most.
//
// All or nothing: staging checks each row again in its batch's transaction (a tag taken
// since the check is caught there, and the unique indexes are the last guard); a problem
// removes what was staged and nothing was imported. A staged tag, serial or product id
// counts as taken for every other write (create_tx.go), so once every row is staged
// nothing can make one bad: the import is marked moving and is certain to finish. Moving
// takes the rows in line order, each batch writing its items (or products) with their
// history and deleting them from the stage, so two processes moving the same import never
// move a row twice. A process stopped while staging leaves rows no one sees, removed
// later; one stopped while moving leaves an import that FinishImports completes.

// importBatch is how many rows one write transaction of an import stages or moves. At 500
// a batch held the writer 12 ms at the median and 36 ms at the 99th percentile (at most
// 52 ms) while 200,000 items imported on the shared 2-core machine; 250 was no better
// there, and made the import slower (docs/BENCHMARKS.md).
const importBatch = 500

// importStale is how long an import may go without writing before it is taken for one a
// stopped process left behind.
const importStale = time.Minute

// ObserveImports makes s tell observe of each batch its imports check, stage and move
// ("checked", "staged", "moved", with the rows done so far), from the importing goroutine
// and outside any transaction. Tests watch an import between its batches with it (the
// tests of issuing during an import are in loans, above inventory); set it before any
// import starts.
func (s *Store) ObserveImports(observe func(stage string, rows int)) { s.observer = observe }

// What an import tells its observer (tests) after each batch, with the rows done so far.
const (
	stageChecked = "checked"
	stageStaged  = "staged"
	stageMoved   = "moved"
)

func (s *Store) observe(stage string, rows int) {
	if s.observer != nil {
		s.observer(stage, rows)
	}
}

// errClash rolls back a batch with rows that a change since the check made bad.
var errClash = errors.New("rows made bad by a change since the check")

// errImportGone is an import whose row was removed while it ran: another process took it
// for stopped (it had not written for importStale).
var errImportGone = &errs.Error{Code: errs.Conflict, Message: "The import was stopped before it had written its rows, and nothing was imported: import the file again."}

// writeImport reads the file's rows again and stages them in batches, then moves them in.
// It returns the problems of rows that a change since the check made bad, and then
// nothing is imported. fileTags are the tags the file gives.
func (s *Store) writeImport(ctx context.Context, t *csvTable, fileTags map[string]bool) ([]RowProblem, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		a := db.ActorFrom(ctx)
		var actorID any
		if a.UserID != 0 {
			actorID = a.UserID
		}
		return tx.QueryRow(`INSERT INTO imports (kind, state, actor_id, actor, started_at, touched_at) VALUES (?, 'staging', ?, ?, ?, ?) RETURNING id`,
			t.kind, actorID, a.Name, tx.Stamp(), tx.Stamp()).Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	s.live.Store(id, true)
	defer s.live.Delete(id)
	var problems []RowProblem
	batch := make([]csvRow, 0, importBatch)
	staged := 0
	stage := func() error {
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			if err := touchImport(tx, id, false); err != nil {
				return err
			}
			var err error
			if problems, err = stageRows(tx, id, t.kind, batch, fileTags); err == nil && len(problems) > 0 {
				err = errClash
			}
			return err
		})
		if err == nil {
			staged += len(batch)
			batch = batch[:0]
			s.observe(stageStaged, staged)
		}
		return err
	}
	_, _, _, err = t.eachRow(func(row csvRow) error {
		if batch = append(batch, row); len(batch) < importBatch {
			return nil
		}
		return stage()
	})
	if err == nil && len(batch) > 0 {
		err = stage()
	}
	if err == nil {
		err = s.db.InTx(ctx, func(tx *db.Tx) error { return touchImport(tx, id, true) })
	}
	if err != nil {
		// Once begun, removing or finishing the import must not stop when the caller goes.
		if rerr := s.removeImport(context.WithoutCancel(ctx), id); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		if errors.Is(err, errClash) {
			return problems, nil
		}
		return nil, err
	}
	return nil, s.moveImport(context.WithoutCancel(ctx), id)
}

// touchImport records that a staging import is still writing, or, with moving, that
// every row is staged and good, so that the import will be finished.
func touchImport(tx *db.Tx, id int64, moving bool) error {
	q := `UPDATE imports SET touched_at = ? WHERE id = ? AND state = 'staging'`
	if moving {
		q = `UPDATE imports SET touched_at = ?, state = 'moving' WHERE id = ? AND state = 'staging'`
	}
	res, err := tx.Exec(q, tx.Stamp(), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(errImportGone, err)
	}
	return nil
}

// stageRows checks a batch of rows again, inside its write transaction, and stages them,
// giving a tag to each unit without one. It stages none when a row has a problem, and
// returns the problems.
func stageRows(tx *db.Tx, importID int64, kind string, rows []csvRow, fileTags map[string]bool) ([]RowProblem, error) {
	k := newChecker(tx.Ctx, tx, tx.Now)
	var problems []RowProblem
	for _, row := range rows {
		var bad []RowProblem
		var err error
		if kind == ImportProducts {
			var p plannedProduct
			if p, bad, err = k.product(row); err == nil && len(bad)+len(problems) == 0 {
				err = stageProduct(tx, importID, p)
			}
		} else {
			var it plannedItem
			if it, bad, err = k.item(row); err == nil && len(bad)+len(problems) == 0 {
				err = stageItem(tx, importID, it, fileTags)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", row.line, err)
		}
		problems = append(problems, bad...)
	}
	return problems, nil
}

func stageProduct(tx *db.Tx, importID int64, p plannedProduct) error {
	var id any
	if p.id != 0 {
		id = p.id
	}
	in := p.in
	_, err := tx.Exec(`INSERT INTO import_products (import_id, line, id, name, category_id, kind, manufacturer, model, size,
		service_interval_days, needs_decontamination, reorder_level, stock, unit_cost_pence, min_age_years, max_age_years, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		importID, p.row.line, id, in.Name, p.catID, in.Kind, in.Manufacturer, in.Model, in.Size, in.ServiceIntervalDays,
		in.NeedsDecontamination == nil || *in.NeedsDecontamination, in.ReorderLevel, in.Stock, in.UnitCostPence,
		in.MinAgeYears, in.MaxAgeYears, in.Notes)
	return err
}

func stageItem(tx *db.Tx, importID int64, it plannedItem, fileTags map[string]bool) error {
	tag := it.in.Tag
	if tag == "" {
		var err error
		if tag, err = nextTag(tx, fileTags); err != nil {
			return err
		}
	}
	acquired, due := serviceDates(tx, it.in.AcquiredOn, it.product.ServiceIntervalDays)
	_, err := tx.Exec(`INSERT INTO import_items (import_id, line, tag, product_id, serial, condition, location, acquired_on, next_service_due, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		importID, it.row.line, tag, it.product.ID, it.in.Serial, it.in.Condition, it.in.Location, acquired, due, it.in.Notes)
	return err
}

// moveImport moves a staged import's rows in, a batch a transaction, and removes the
// import when none is left. The history names whoever started the import.
func (s *Store) moveImport(ctx context.Context, id int64) error {
	var kind, actor string
	var actorID sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT kind, actor_id, actor FROM imports WHERE id = ?`, id).Scan(&kind, &actorID, &actor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // another process finished it
	}
	if err != nil {
		return err
	}
	ctx = db.WithActor(ctx, db.Actor{UserID: actorID.Int64, Name: actor})
	for moved := 0; ; {
		var n int
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			var err error
			if kind == ImportProducts {
				n, err = moveProducts(tx, id)
			} else {
				n, err = moveItems(tx, id)
			}
			if err != nil {
				return err
			}
			if n < importBatch {
				_, err = tx.Exec(`DELETE FROM imports WHERE id = ?`, id)
			} else {
				_, err = tx.Exec(`UPDATE imports SET touched_at = ? WHERE id = ?`, tx.Stamp(), id)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("import %d: move its rows in: %w", id, err)
		}
		moved += n
		s.observe(stageMoved, moved)
		if n < importBatch {
			return nil
		}
	}
}

// moveProducts moves the next batch of an import's staged products in and returns how
// many it moved.
func moveProducts(tx *db.Tx, importID int64) (int, error) {
	rows, err := tx.Query(`SELECT line, coalesce(id, 0), name, category_id, kind, manufacturer, model, size, service_interval_days,
		needs_decontamination, reorder_level, stock, unit_cost_pence, min_age_years, max_age_years, notes
		FROM import_products WHERE import_id = ? ORDER BY line LIMIT ?`, importID, importBatch)
	if err != nil {
		return 0, err
	}
	var batch []plannedProduct
	for rows.Next() {
		var p plannedProduct
		var decon bool
		if err := rows.Scan(&p.row.line, &p.id, &p.in.Name, &p.catID, &p.in.Kind, &p.in.Manufacturer, &p.in.Model, &p.in.Size,
			&p.in.ServiceIntervalDays, &decon, &p.in.ReorderLevel, &p.in.Stock, &p.in.UnitCostPence, &p.in.MinAgeYears,
			&p.in.MaxAgeYears, &p.in.Notes); err != nil {
			rows.Close()
			return 0, err
		}
		p.in.NeedsDecontamination = &decon
		batch = append(batch, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return 0, err
	}
	for _, p := range batch {
		if _, err := insertProduct(tx, p.in, p.catID, p.id); err != nil {
			return 0, fmt.Errorf("line %d: %w", p.row.line, err)
		}
	}
	_, err = tx.Exec(`DELETE FROM import_products WHERE import_id = ? AND line <= ?`, importID, batch[len(batch)-1].row.line)
	return len(batch), err
}

// moveItems moves the next batch of an import's staged items in and returns how many it
// moved.
func moveItems(tx *db.Tx, importID int64) (int, error) {
	rows, err := tx.Query(`SELECT s.line, s.tag, p.name, p.size, s.product_id, s.serial, s.condition, s.location, s.acquired_on,
		s.next_service_due, s.notes FROM import_items s JOIN products p ON p.id = s.product_id
		WHERE s.import_id = ? ORDER BY s.line LIMIT ?`, importID, importBatch)
	if err != nil {
		return 0, err
	}
	var batch []newUnit
	var lines []int
	for rows.Next() {
		var u newUnit
		var p Product
		var line int
		var due sql.NullString
		if err := rows.Scan(&line, &u.tag, &p.Name, &p.Size, &u.productID, &u.serial, &u.condition, &u.location, &u.acquiredOn,
			&due, &u.notes); err != nil {
			rows.Close()
			return 0, err
		}
		u.title = p.Title()
		if due.Valid {
			u.due = due.String
		}
		batch, lines = append(batch, u), append(lines, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return 0, err
	}
	for i, u := range batch {
		if err := insertUnit(tx, u); err != nil {
			return 0, fmt.Errorf("line %d: %w", lines[i], err)
		}
	}
	_, err = tx.Exec(`DELETE FROM import_items WHERE import_id = ? AND line <= ?`, importID, lines[len(lines)-1])
	return len(batch), err
}

// removeImport deletes a staging import's rows, a batch a transaction, and then the
// import. An import already moving is left to finish.
func (s *Store) removeImport(ctx context.Context, id int64) error {
	for {
		var removed int64
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			var state string
			err := tx.QueryRow(`SELECT state FROM imports WHERE id = ?`, id).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // removed already
			}
			if err != nil {
				return err
			}
			if state != "staging" {
				return fmt.Errorf("import %d is %s: it cannot be removed", id, state)
			}
			for _, table := range []string{"import_products", "import_items"} {
				res, err := tx.Exec(`DELETE FROM `+table+` WHERE import_id = ? AND line IN
					(SELECT line FROM `+table+` WHERE import_id = ? ORDER BY line LIMIT ?)`, id, id, importBatch)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				removed += n
			}
			if removed == 0 {
				_, err = tx.Exec(`DELETE FROM imports WHERE id = ?`, id)
			}
			return err
		})
		if err != nil || removed == 0 {
			return err
		}
	}
}

// FinishImports deals with the imports a stopped process left behind (a server killed in
// the middle of one), and says how many it moved in and how many it removed. One that had
// staged every row is moved in: its rows were all good, and some may be in already. One
// still staging is removed once it has not written for importStale; until then it may be
// another process's import, still running. Imports this store is running are left alone.
func (s *Store) FinishImports(ctx context.Context) (moved, removed int, err error) {
	type left struct {
		id             int64
		state, touched string
	}
	rows, err := s.db.Query(ctx, `SELECT id, state, touched_at FROM imports ORDER BY id`)
	if err != nil {
		return 0, 0, err
	}
	var all []left
	for rows.Next() {
		var l left
		if err := rows.Scan(&l.id, &l.state, &l.touched); err != nil {
			rows.Close()
			return 0, 0, err
		}
		all = append(all, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	stale := s.db.Now().Add(-importStale).UTC().Format(time.RFC3339)
	for _, l := range all {
		if _, running := s.live.Load(l.id); running {
			continue
		}
		switch {
		case l.state == "moving":
			if err := s.moveImport(context.WithoutCancel(ctx), l.id); err != nil {
				return moved, removed, err
			}
			moved++
		case l.touched < stale:
			if err := s.removeImport(context.WithoutCancel(ctx), l.id); err != nil {
				return moved, removed, err
			}
			removed++
		}
	}
	return moved, removed, nil
}
