#!/usr/bin/env bash
# Starts a release `courrier` for the shared load generator (../shared/bench, see its README):
# SMTP on 127.0.0.1:22525, domain bench.test with users user0..user19, SQLite with the
# shipped durability settings, in /var/tmp/courrier-bench. `stop` stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/target/release/courrier"
DATA="${COURRIER_BENCH_DATA:-/var/tmp/courrier-bench}"
if [ "${1:-}" = stop ]; then
  [ -f "$DATA/server.pid" ] && kill "$(cat "$DATA/server.pid")" 2>/dev/null || true
  exit 0
fi
[ -x "$BIN" ] || { echo "build first: trunk build --release && cargo build --release -p server" >&2; exit 1; }
"$0" stop
rm -rf "$DATA" && mkdir -p "$DATA"
"$BIN" --data "$DATA" domain add bench.test >/dev/null
for i in $(seq 0 19); do "$BIN" --data "$DATA" user add bench.test --last "user$i" >/dev/null; done
nice -n "${NICE:-0}" "$BIN" --data "$DATA" serve --http 127.0.0.1:0 --smtp 127.0.0.1:22525 \
  >"$DATA/serve.log" 2>&1 &
echo $! >"$DATA/server.pid"
for _ in $(seq 50); do grep -q "smtp: listening" "$DATA/serve.log" && break; sleep 0.1; done
echo "courrier: SMTP_PORT=22525 data=$DATA pid=$(cat "$DATA/server.pid")"
