package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/settings"
	"kitloan/privacy"
)

// anonymiseActor is who the history says anonymised the records the command anonymised.
const anonymiseActor = "kitloan anonymise"

// runAnonymise anonymises every child discharged and past the retention period (the
// settings' retention_years_after_birth, 25 by default), in one transaction, as the
// admin page does, then compacts the database file. With --dry-run it lists them, with
// what would change, and changes nothing. Children past retention who still hold
// equipment or have open requests are listed as held back and left alone.
func runAnonymise(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const usage = "usage: kitloan anonymise [--dry-run] [--db PATH]"
	fs, dbPath := newFlags("anonymise", getenv)
	dryRun := fs.Bool("dry-run", false, "list the children due and what would change; change nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return errors.New(usage)
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	svc, err := settings.NewStore(d).Get(ctx)
	if err != nil {
		return err
	}
	years := svc.RetentionYears()
	ctx = db.WithActor(ctx, db.Actor{Name: anonymiseActor})
	admin := accounts.User{Name: anonymiseActor, Role: accounts.Admin}
	store := privacy.NewStore(d)
	due, held, err := store.RetentionDue(ctx, admin, years)
	if err != nil {
		return err
	}
	for _, c := range held {
		fmt.Fprintf(stdout, "held back: %s (child %d): %s\n", c.Reference, c.ChildID, c.Blocked())
	}
	if len(due) == 0 {
		fmt.Fprintf(stdout, "No child's record is due to be anonymised (kept until the %s birthday after discharge).\n", privacy.Ordinal(years))
		if *dryRun {
			return nil
		}
		// Records anonymised from the admin page are compacted here too.
		return compact(ctx, d, stdout)
	}
	ids := make([]int64, len(due))
	for i, c := range due {
		ids[i] = c.ChildID
		if *dryRun {
			// A dry run is the review before the real run, so it names whom it would anonymise.
			fmt.Fprintf(stdout, "due: %s %s, born %s, discharged %s, kept until %s\n", c.Reference, c.Name, c.DateOfBirth, c.DischargedOn, c.KeptUntil)
		}
	}
	res, err := store.AnonymiseChildren(ctx, admin, ids, years, *dryRun)
	if err != nil {
		if e := errs.As(err); e.Code != errs.Internal {
			return fmt.Errorf("anonymise: %s", oneLine(e.Message))
		}
		return fmt.Errorf("anonymise: %w", err)
	}
	verb := "anonymised"
	if *dryRun {
		verb = "would anonymise"
	}
	for _, c := range res.Children {
		fmt.Fprintf(stdout, "%s child %d as %s: %d loans and %d requests kept, %d carers removed, %d history events scrubbed\n",
			verb, c.ChildID, c.Reference, c.Loans, c.Requests, c.Carers, c.EventsScrubbed)
	}
	if *dryRun {
		fmt.Fprintf(stdout, "Dry run: %d children's records would be anonymised (and %d other notes cleared of their names); nothing was changed.\n", len(res.Children), res.Swept)
		return nil
	}
	fmt.Fprintf(stdout, "Anonymised %d children's records in %s (and cleared their names from %d other notes).\n", len(res.Children), *dbPath, res.Swept)
	return compact(ctx, d, stdout)
}

// compact rewrites the database file and empties its write-ahead log. Removed details
// may linger in the file's free space, in pages freed or rewritten before an
// anonymisation; a rewritten file holds none of them. Writers wait meanwhile, as for
// any change; readers carry on.
func compact(ctx context.Context, d *db.DB, stdout io.Writer) error {
	if _, err := d.Write.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("anonymise: compacting the database: %w", err)
	}
	if _, err := d.Write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("anonymise: emptying the write-ahead log: %w", err)
	}
	fmt.Fprintln(stdout, "The database file was compacted: removed details are not left in its free space.")
	return nil
}
