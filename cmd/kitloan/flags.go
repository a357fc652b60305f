package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"kitloan/internal/db"
)

// newFlags makes a flag set that reports errors instead of exiting, with the --db flag
// every database command shares.
func newFlags(name string, getenv func(string) string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("db", envOr(getenv, "KITLOAN_DB", "data/kitloan.db"), "database file")
	return fs, path
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parse accepts flags before, between and after positional arguments
// ("user add EMAIL --name N" as well as "user add --name N EMAIL").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openDB opens the database, creating it with every migration when it does not exist.
func openDB(ctx context.Context, path string) (*db.DB, error) {
	return db.Open(ctx, path)
}
