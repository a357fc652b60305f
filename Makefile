# kitloan: `make run` starts the demo, `make test` runs every test.
export CGO_ENABLED := 1
GO ?= go
DB ?= data/kitloan.db
ADDR ?= 127.0.0.1:8080
# The demo admin's password; set KITLOAN_ADMIN_PASSWORD yourself for a real service.
KITLOAN_ADMIN_PASSWORD ?= demo-admin-2026
export KITLOAN_ADMIN_PASSWORD

.PHONY: run build test lint clean bench

build:
	$(GO) build -o bin/kitloan ./cmd/kitloan

run: build
	./bin/kitloan serve --demo --db $(DB) --addr $(ADDR)

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin

# The load harness of docs/BENCHMARKS.md: 100,000 items, 32 clients, loopback only.
bench:
	./scripts/bench.sh
