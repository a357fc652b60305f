#!/usr/bin/env bash
# make bench: a 100,000-item database, the real server on loopback, a mixed workload from
# 32 clients, and a bare Gin handler measured the same way as the ceiling.
# make bench-import (scripts/bench.sh import): instead, issues and returns paced alone and
# then while the server imports ROWS new items (200,000 by default).
# Everything stays on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${ITEMS:-100000}
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
dir=bench
mkdir -p "$dir" bin
make --no-print-directory build  # the Makefile sets the SQLite build flags
go build -o bin/kitload ./cmd/kitload
seed="$dir/seed-$ITEMS.db"
if [ ! -f "$seed" ]; then
  echo "Generating $ITEMS items into $seed (once; later runs reuse it)"
  /usr/bin/time -f "generated in %e s, peak %M KB" ./bin/kitloan demo --items "$ITEMS" --db "$seed"
fi
work="$dir/run.db"
rm -f "$work" "$work-wal" "$work-shm"
./bin/kitloan backup "$work" --db "$seed" >/dev/null
KITLOAN_PASSWORD=bench-load-password ./bin/kitloan user add load@bench.test --name "Load Test" --role store --db "$work" >/dev/null
token=$(./bin/kitloan token create load@bench.test --db "$work" | tail -n 1)
# PROFILE=1 writes the server's CPU profile to bench/cpu.prof (go tool pprof bin/kitloan bench/cpu.prof).
profile=()
if [ -n "${PROFILE:-}" ]; then profile=(--cpuprofile "$dir/cpu.prof"); fi
KITLOAN_ADMIN_PASSWORD=bench-admin-password ./bin/kitloan serve --addr 127.0.0.1:18080 --db "$work" "${profile[@]}" >"$dir/server.log" 2>&1 &
server=$!
./bin/kitload ceiling --addr 127.0.0.1:18099 &
ceiling=$!
trap 'kill $server $ceiling 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:18080/healthz >/dev/null && curl -fs -o /dev/null http://127.0.0.1:18099/api/v1/items/x && break
  sleep 0.1
done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB memory, $(go version)"
if [ "${1:-}" = import ]; then
  ./bin/kitload import --url http://127.0.0.1:18080 --token "$token" --items "$ITEMS" --children $((ITEMS / 10)) --rows "${ROWS:-200000}" --pid "$server"
  exit
fi
./bin/kitload run --url http://127.0.0.1:18080 --ceiling http://127.0.0.1:18099 --token "$token" \
  --clients "$CLIENTS" --duration "$DURATION" --rounds "$ROUNDS" --items "$ITEMS" --children $((ITEMS / 10)) --pid "$server"
