// Package db opens kitloan's SQLite database, applies the embedded migrations and runs
// transactions. Writes go through one connection that begins IMMEDIATE transactions, so
// two writers never interleave and a check-then-update (is the item still available?) is
// safe; reads use a separate pool of query-only connections that WAL lets run beside it.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	// The SQLite driver, registered as "sqlite3".
	_ "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DateLayout is how dates are stored and sent: ISO 8601, no time.
const DateLayout = "2006-01-02"

// DB is the database: a single writer beside a pool of readers.
type DB struct {
	Path  string
	Write *sql.DB
	Read  *sql.DB
	// Now is the clock used for every timestamp the database writes; tests may set it.
	Now func() time.Time

	writes    chan writeJob // InTx's transactions, for writeLoop
	closed    chan struct{}
	closeOnce sync.Once
}

var tuneMalloc sync.Once

// statementsCached is how many recently used statements each connection keeps compiled.
// SQLite spends much of a small query's time compiling it, and the scan page, the API
// lookup and the issue and return transactions run the same few queries thousands of
// times a second; the driver keeps them, bounded, so that a query built with a varying
// number of placeholders cannot grow the cache without end.
const statementsCached = 128

// dsn sets WAL, foreign keys, a busy timeout and the statement cache in the DSN so every
// pooled connection has them.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_stmt_cache_size", strconv.Itoa(statementsCached))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("_query_only", "true")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if need be) the database at path and applies every migration.
// The file and its WAL are private to the service's user (see makeDatabasePrivate).
func Open(ctx context.Context, path string) (*DB, error) {
	tuneMalloc.Do(keepFreedHeap)
	if err := makeDatabasePrivate(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	readers := 2 * runtime.NumCPU()
	if readers < 4 {
		readers = 4
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	d := &DB{Path: path, Write: w, Read: r, Now: time.Now, writes: make(chan writeJob), closed: make(chan struct{})}
	go d.writeLoop()
	return d, nil
}

// StablePlans reports whether SQLite was built with its query planner stability
// guarantee (CGO_CFLAGS=-DSQLITE_ENABLE_QPSG, as the Makefile builds it). Without it, a
// query with a LIMIT ? or a column = ? in a join is compiled again on every run.
func (d *DB) StablePlans(ctx context.Context) (bool, error) {
	var n int
	err := d.Read.QueryRowContext(ctx, `SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_QPSG'`).Scan(&n)
	return n > 0, err
}

func migrate(ctx context.Context, w *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, w, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Close closes both pools.
func (d *DB) Close() error {
	d.closeOnce.Do(func() { close(d.closed) })
	return errors.Join(d.Read.Close(), d.Write.Close())
}

// Tx is a write transaction with the moment it started, so that a change and its event
// carry the same time.
type Tx struct {
	*sql.Tx
	Ctx context.Context
	Now time.Time
}

// Today is the transaction's date in the stored layout.
func (tx *Tx) Today() string { return tx.Now.Format(DateLayout) }

// Stamp is the transaction's time in the stored layout (RFC 3339, UTC).
func (tx *Tx) Stamp() string { return tx.Now.UTC().Format(time.RFC3339) }

// InTx runs fn in one write transaction, committing when fn returns nil and rolling back
// otherwise. Public store methods call it once: they own their transaction.
//
// Transactions run one after another on the writer goroutine (writeLoop), not on the
// caller's: handed from goroutine to goroutine, the one write connection sat idle while
// its next holder waited its turn for a CPU behind dozens of page renders, and under load
// writes waited 60 ms at the 90th percentile for a connection busy a sixth of the time
// (0.8 ms now), and issue and return answered at the 99th in 140–210 ms (60–90 ms now).
// fn must not end its goroutine (a test's t.Fatal inside it would stop the writer).
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	job := writeJob{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	select {
	case d.writes <- job:
	case <-ctx.Done():
		return fmt.Errorf("begin: %w", ctx.Err())
	case <-d.closed:
		return errors.New("begin: the database is closed")
	}
	r := <-job.done
	if r.panicked != nil {
		panic(r.panicked) // in the caller, as if fn had run here
	}
	return r.err
}

// writeJob is one InTx call waiting for the writer goroutine.
type writeJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan writeResult
}

type writeResult struct {
	err      error
	panicked any
}

// writeLoop runs the write transactions in the order they come until the database closes.
func (d *DB) writeLoop() {
	for {
		select {
		case job := <-d.writes:
			job.done <- d.runTx(job)
		case <-d.closed:
			return
		}
	}
}

// runTx runs one job's transaction, catching a panic in fn to re-raise in the caller.
func (d *DB) runTx(job writeJob) (r writeResult) {
	sqlTx, err := d.Write.BeginTx(job.ctx, nil)
	if err != nil {
		return writeResult{err: fmt.Errorf("begin: %w", err)}
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			r = writeResult{panicked: p}
		}
	}()
	tx := &Tx{Tx: sqlTx, Ctx: job.ctx, Now: d.Now()}
	if err := job.fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return writeResult{err: err}
	}
	if err := sqlTx.Commit(); err != nil {
		return writeResult{err: fmt.Errorf("commit: %w", err)}
	}
	return writeResult{}
}

// Actor is who is making a change, for the history.
type Actor struct {
	UserID int64
	Name   string
}

type actorKey struct{}

// WithActor returns a context that records changes as made by a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or "system" when there is none (the CLI, demo data).
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Name: "system"}
}

// Ping reports whether the database answers a read.
func (d *DB) Ping(ctx context.Context) error { return d.Read.PingContext(ctx) }

// NextCounter increments and returns the named counter inside tx.
func NextCounter(tx *Tx, name string) (int64, error) {
	var v int64
	err := tx.QueryRow(`INSERT INTO counters (name, value) VALUES (?, 1)
		ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	return v, err
}

// IsEmpty reports whether the database holds no products, items or children: the only kind of
// database that demo data may be loaded into. Accounts do not count, so that the first
// admin, made at first start, does not stop the demo.
func (d *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := d.QueryRow(ctx, `SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM items) + (SELECT count(*) FROM children)`).Scan(&n)
	return n == 0, err
}

// Backup writes a consistent copy of the live database to path with VACUUM INTO, which
// reads one snapshot while writers carry on. The file must not exist yet; it is created
// private (mode 0600) before SQLite fills it, since SQLite would make it readable by all.
func (d *DB) Backup(ctx context.Context, path string) error {
	if err := MkdirPrivate(filepath.Dir(path)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := CreatePrivate(path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists; choose a new file name", path)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := d.vacuumInto(ctx, path); err != nil {
		os.Remove(path) // empty or half written: not a backup
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// vacuumInto writes the copy into the empty file at path (VACUUM INTO takes an empty file
// as a new one).
func (d *DB) vacuumInto(ctx context.Context, path string) error {
	// Its own connection: the readers are query-only, and the writer must stay free.
	conn, err := sql.Open("sqlite3", dsn(d.Path, false))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// Querier is what both a write transaction and the read pool offer, so that one helper
// can read inside a change or on its own.
type Querier interface {
	QueryRow(query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type reader struct {
	ctx context.Context
	d   *DB
}

func (r reader) QueryRow(q string, args ...any) *sql.Row { return r.d.QueryRow(r.ctx, q, args...) }

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.d.Query(ctx, q, args...)
}

// Reader returns the read pool, bound to ctx, as a Querier.
func (d *DB) Reader(ctx context.Context) Querier { return reader{ctx, d} }

// QueryRow runs a read query on the read pool. Each connection keeps its recent
// statements prepared (the driver's statement cache, set in dsn).
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.Read.QueryRowContext(ctx, q, args...)
}

// Query runs a read query on the read pool.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.Read.QueryContext(ctx, q, args...)
}

// CountUpTo counts the rows that "SELECT 1 " + from selects, stopping once it passes upTo:
// counting a long list then costs no more than reading upTo+1 of its rows. The caller
// shows a count above upTo as "more than upTo".
func (d *DB) CountUpTo(ctx context.Context, from string, args []any, upTo int) (int, error) {
	var n int
	err := d.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 `+from+` LIMIT ?)`, append(args, upTo+1)...).Scan(&n)
	return n, err
}

// PageSize bounds a list's page size: 50 by default, 500 at most.
func PageSize(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// LikePattern makes a LIKE pattern matching s anywhere, for use with ESCAPE '\'.
func LikePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
