// Command kitloan runs the children's equipment store: the web server and the
// administrative commands listed in the README. main only wires things together; run does the work
// so tests can call it with their own arguments, environment and output.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kitloan:", err)
		os.Exit(1)
	}
}

const usage = `kitloan: the children's equipment store.

Commands:
  serve [--addr 127.0.0.1:8080] [--db data/kitloan.db] [--base-url URL] [--demo]
        [--trusted-proxies 127.0.0.1,::1] [--cpuprofile FILE]
  user add EMAIL --name NAME --role admin|store|therapist|viewer   (password from KITLOAN_PASSWORD or stdin)
  token create EMAIL [--name LABEL]
  backup PATH [--db PATH]
  demo --items N [--db PATH]   (fills an empty database with a generated dataset)
  export FILE.zip [--db PATH]   (the whole service: a zip of CSVs with a manifest)
  import products|items FILE.csv [--dry-run] [--encoding utf-8|windows-1252] [--db PATH]
        (lists every bad row; imports nothing while any is bad)
  anonymise [--dry-run] [--db PATH]   (anonymises children discharged and past the retention period)

Every command that uses the database takes --db PATH and reads KITLOAN_DB.`

// run runs one command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no command given\n%s", usage)
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout)
	case "user":
		if len(rest) == 0 || rest[0] != "add" {
			return fmt.Errorf("usage: kitloan user add EMAIL --name NAME --role ROLE")
		}
		return runUserAdd(ctx, rest[1:], getenv, stdin, stdout)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return fmt.Errorf("usage: kitloan token create EMAIL [--name LABEL]")
		}
		return runTokenCreate(ctx, rest[1:], getenv, stdout)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout)
	case "export":
		return runExport(ctx, rest, getenv, stdout)
	case "import":
		return runImport(ctx, rest, getenv, stdout)
	case "anonymise":
		return runAnonymise(ctx, rest, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}
