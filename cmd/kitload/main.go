// Command kitload drives a mixed workload against a kitloan server on this machine and
// reports throughput and latency per kind of request, beside a bare Gin handler measured
// the same way as the ceiling. It only talks to loopback addresses and stops by itself
// after a fixed time and a fixed number of requests.
//
//	kitload ceiling --addr 127.0.0.1:18099            # the bare Gin server, in its own process
//	kitload run --url http://127.0.0.1:18080 --token T --ceiling http://127.0.0.1:18099 \
//	        --clients 32 --duration 20s --pid 1234
//	kitload import --url http://127.0.0.1:18080 --token T --rows 200000   # issue and return during an import
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
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kitload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kitload ceiling|run|import [flags]")
	}
	switch args[0] {
	case "ceiling":
		return runCeiling(ctx, args[1:])
	case "run":
		return runLoad(ctx, args[1:], stdout)
	case "import":
		return runImportLoad(ctx, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q: use ceiling, run or import", args[0])
}
