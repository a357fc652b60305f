package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/demo"
)

func runUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs, dbPath := newFlags("user add", getenv)
	name := fs.String("name", "", "the user's full name")
	role := fs.String("role", "", "admin, store, therapist or viewer")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: kitloan user add EMAIL --name NAME --role admin|store|therapist|viewer")
	}
	pw := getenv("KITLOAN_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password: set KITLOAN_PASSWORD or give it on standard input")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	u, err := accounts.NewStore(d).CreateUser(ctx, accounts.UserInput{Email: pos[0], Name: *name, Role: *role, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s <%s> as %s\n", u.Name, u.Email, u.Role)
	return nil
}

func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("token create", getenv)
	label := fs.String("name", "", "a label to tell the token apart")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: kitloan token create EMAIL [--name LABEL]")
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	acc := accounts.NewStore(d)
	u, err := acc.UserByEmail(ctx, pos[0])
	if err != nil {
		return err
	}
	secret, _, err := acc.CreateToken(ctx, u.ID, *label)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API token for %s (shown once; send it as Authorization: Bearer TOKEN):\n%s\n", u.Email, secret)
	return nil
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("backup", getenv)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("usage: kitloan backup PATH [--db PATH]")
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s\n", *dbPath, pos[0])
	return nil
}

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("demo", getenv)
	items := fs.Int("items", 300, "how many items to generate")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *items < 1 || *items > 2_000_000 {
		return fmt.Errorf("demo: --items must be between 1 and 2000000")
	}
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	loaded, err := demo.Load(ctx, d, demo.Size{Items: *items})
	if err != nil {
		return err
	}
	if !loaded {
		return fmt.Errorf("demo: %s already holds data; demo data goes only into an empty database", *dbPath)
	}
	fmt.Fprintf(stdout, "Generated %d items in %s into %s\n", *items, time.Since(start).Round(time.Millisecond), *dbPath)
	return nil
}
