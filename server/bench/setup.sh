#!/usr/bin/env bash
# Starts a release `courrier` for the shared load generator (../shared/bench, see its README):
# SMTP on 127.0.0.1:22525, POP3 on 127.0.0.1:21110, domain bench.test with users user0..user19
# (password in project.json: the peers' "benchpass" is too short for courrier's policy),
# SQLite with the shipped durability settings, in /var/tmp/courrier-bench. `stop` stops it.
# SMTP_PORT, POP3_PORT, COURRIER_BENCH_DATA and COURRIER_BENCH_CONFIG (a configuration file)
# start another instance beside it (server/bench/filter.sh does); COURRIER_BENCH_BIN another binary
# (an A/B of two builds).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${COURRIER_BENCH_BIN:-$ROOT/target/release/courrier}"
DATA="${COURRIER_BENCH_DATA:-/var/tmp/courrier-bench}"
if [ "${1:-}" = stop ]; then
  [ -f "$DATA/server.pid" ] && kill "$(cat "$DATA/server.pid")" 2>/dev/null || true
  exit 0
fi
[ -x "$BIN" ] || { echo "build first: trunk build --release && cargo build --release -p server" >&2; exit 1; }
"$0" stop
rm -rf "$DATA" && mkdir -p "$DATA"
"$BIN" --data "$DATA" domain add bench.test >/dev/null
PASSWORD="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$ROOT/server/bench/project.json")"
for i in $(seq 0 19); do
  "$BIN" --data "$DATA" user add bench.test --last "user$i" >/dev/null
  echo "$PASSWORD" | "$BIN" --data "$DATA" user passwd "user$i" >/dev/null
done
SMTP_PORT="${SMTP_PORT:-22525}"
POP3_PORT="${POP3_PORT:-21110}"
CONFIG=()
[ -n "${COURRIER_BENCH_CONFIG:-}" ] && CONFIG=(--config "$COURRIER_BENCH_CONFIG")
nice -n "${NICE:-0}" "$BIN" --data "$DATA" "${CONFIG[@]}" serve --http 127.0.0.1:0 \
  --smtp "127.0.0.1:$SMTP_PORT" --pop3 "127.0.0.1:$POP3_PORT" --pop3s 127.0.0.1:0 \
  --submission off --submissions off \
  >"$DATA/serve.log" 2>&1 &
echo $! >"$DATA/server.pid"
for _ in $(seq 50); do grep -q "smtp: listening" "$DATA/serve.log" && break; sleep 0.1; done
echo "courrier: SMTP_PORT=$SMTP_PORT POP3_PORT=$POP3_PORT data=$DATA pid=$(cat "$DATA/server.pid")"
