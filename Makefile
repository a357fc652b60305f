# kitloan: `make run` starts the demo, `make test` runs every test.
export CGO_ENABLED := 1
# SQLite's query planner stability guarantee. Without it, SQLite marks a statement whose
# plan could depend on a bound value (a LIMIT ?, or a column = ? in a join) to be
# recompiled whenever its parameters are cleared, and the driver clears them after every
# run: such a query was compiled afresh every time (a loan read took 70 µs, 20 µs with
# this). The build works without it, only slower; kitloan serve warns when it is missing.
export CGO_CFLAGS := -O2 -g -DSQLITE_ENABLE_QPSG
GO ?= go
DB ?= data/kitloan.db
ADDR ?= 127.0.0.1:8080
# The demo admin's password; set KITLOAN_ADMIN_PASSWORD yourself for a real service.
KITLOAN_ADMIN_PASSWORD ?= demo-admin-2026
export KITLOAN_ADMIN_PASSWORD

.PHONY: run build test lint clean bench bench-import fuzz

build:
	$(GO) build -o bin/kitloan ./cmd/kitloan

run: build
	./bin/kitloan serve --demo --db $(DB) --addr $(ADDR)

# Every test; then the crash test (build tag crash): it builds the binary, kills the server
# with SIGKILL mid-stream and checks that nothing acknowledged was lost.
test:
	$(GO) vet ./...
	$(GO) vet -tags crash ./cmd/kitloan/
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -race -tags crash -run Crash -count=1 -timeout 10m ./cmd/kitloan/

# Each fuzz target for FUZZTIME (CI runs them for 10s each); seeds are in testdata/fuzz.
FUZZTIME ?= 10s
FUZZ_TARGETS = FuzzNormalizeTag:./inventory FuzzCSVImport:./inventory FuzzNHSNumber:./internal/nhs FuzzDates:./loans \
	FuzzLoanJSON:./web FuzzChildJSON:./web FuzzCSVCell:./internal/csvfile FuzzSafeNext:./web
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run XXX -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t#*:}; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin

# The load harness of docs/BENCHMARKS.md: 100,000 items, 32 clients, loopback only.
bench:
	./scripts/bench.sh

# Issue and return latency while a 200,000-row import runs (docs/BENCHMARKS.md).
bench-import:
	./scripts/bench.sh import
