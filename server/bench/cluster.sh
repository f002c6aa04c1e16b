#!/usr/bin/env bash
# The shared SMTP and POP3 matrix (../shared/bench, its README) on PostgreSQL: one release
# courrier reached directly, beside Debian's HAProxy in front of two instances (TCP mode,
# PROXY v2, health on /healthz) — each target its own database on one PostgreSQL cluster
# (the matrix fills each target's mailboxes once). Everything on loopback.
#
#   cargo build --release -p server
#   server/bench/cluster.sh start          # PostgreSQL, 3 courrier, HAProxy; writes the targets
#   server/bench/cluster.sh run [REPS] [SCALE]
#   server/bench/cluster.sh stop
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/target/release/courrier"
STATE="${COURRIER_CLUSTER_STATE:-/var/tmp/courrier-cluster}"
BENCH="$ROOT/../shared/bench"
PASSWORD="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$ROOT/server/bench/project.json")"
NICE="${NICE:-0}"

stop() {
  for p in "$STATE"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  sleep 1
  [ -d "$STATE/pg" ] && "$ROOT/.ci/postgres" stop "$STATE/pg" || true
}

# serve NAME DB_URL SMTP POP3 HTTP [CONFIG]
serve() {
  local name=$1 url=$2 smtp=$3 pop3=$4 http=$5 config=${6:-}
  local args=(--data "$STATE/$name" --database-url "$url")
  [ -n "$config" ] && args+=(--config "$config")
  mkdir -p "$STATE/$name"
  nice -n "$NICE" "$BIN" "${args[@]}" serve --http "127.0.0.1:$http" --smtp "127.0.0.1:$smtp" \
    --pop3 "127.0.0.1:$pop3" --pop3s 127.0.0.1:0 --submission off --submissions off \
    >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  for _ in $(seq 100); do grep -q "http: listening" "$STATE/$name.log" && return 0; sleep 0.2; done
  echo "courrier $name did not start: $(tail -3 "$STATE/$name.log")" >&2
  exit 1
}

# users URL: bench.test with user0..user19 and the bench password.
users() {
  "$BIN" --database-url "$1" domain add bench.test >/dev/null
  for i in $(seq 0 19); do
    "$BIN" --database-url "$1" user add bench.test --last "user$i" >/dev/null
    echo "$PASSWORD" | "$BIN" --database-url "$1" user passwd "user$i" >/dev/null
  done
}

# target NAME URL SMTP POP3 PIDS...
target() {
  local name=$1 url=$2 smtp=$3 pop3=$4
  shift 4
  python3 - "$STATE/$name.json" "$name" "$url" "$smtp" "$pop3" "$PASSWORD" "$*" <<'EOF'
import json, sys
out, name, url, smtp, pop3, password, pids = sys.argv[1:]
psql = f"psql '{url}' -Atq -c"
json.dump({
    "name": name, "smtp_host": "127.0.0.1", "smtp_port": int(smtp),
    "pop3_host": "127.0.0.1", "pop3_port": int(pop3), "domain": "bench.test", "users": 20,
    "password": password, "user_fmt": "user{i}@{domain}",
    "reset_cmd": f"{psql} 'DELETE FROM messages; UPDATE accounts SET used_bytes = 0, message_count = 0;'",
    "count_cmd": f"{psql} 'SELECT count(*) FROM messages;'",
    # The database's processes count as the server's: PostgreSQL is part of it here.
    "server_pids_cmd": "cat " + " ".join(pids.split()),
}, open(out, "w"), indent=1)
EOF
}

case "${1:-}" in
  start)
    stop
    rm -rf "$STATE" && mkdir -p "$STATE"
    base="$("$ROOT/.ci/postgres" start "$STATE/pg")"
    head -1 "$STATE/pg/data/postmaster.pid" >"$STATE/postgres.pid"
    prefix="${base%/*}"
    for db in single cluster; do psql "$base" -qc "CREATE DATABASE $db" ; done
    users "$prefix/single"
    users "$prefix/cluster"
    # The balancer connects from 127.0.0.2 (trusted: PROXY required from it only).
    printf '[proxy]\ntrusted = ["127.0.0.2/32"]\n' >"$STATE/proxy.toml"
    serve single "$prefix/single" 24525 24110 24080
    serve a "$prefix/cluster" 25525 25110 25080 "$STATE/proxy.toml"
    serve b "$prefix/cluster" 26525 26110 26080 "$STATE/proxy.toml"
    cat >"$STATE/haproxy.cfg" <<EOF
global
    maxconn 1024
defaults
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
frontend smtp
    mode tcp
    bind 127.0.0.1:27525
    default_backend smtp
frontend pop3
    mode tcp
    bind 127.0.0.1:27110
    default_backend pop3
backend smtp
    mode tcp
    balance roundrobin
    source 127.0.0.2
    option httpchk
    http-check send meth GET uri /healthz
    server a 127.0.0.1:25525 send-proxy-v2 check port 25080 inter 2s
    server b 127.0.0.1:26525 send-proxy-v2 check port 26080 inter 2s
backend pop3
    mode tcp
    balance roundrobin
    source 127.0.0.2
    option httpchk
    http-check send meth GET uri /healthz
    server a 127.0.0.1:25110 send-proxy-v2 check port 25080 inter 2s
    server b 127.0.0.1:26110 send-proxy-v2 check port 26080 inter 2s
EOF
    haproxy -c -q -f "$STATE/haproxy.cfg"
    nice -n "$NICE" haproxy -db -f "$STATE/haproxy.cfg" >"$STATE/haproxy.log" 2>&1 &
    echo $! >"$STATE/haproxy.pid"
    sleep 2
    target single "$prefix/single" 24525 24110 "$STATE/single.pid" "$STATE/postgres.pid"
    target haproxy-2 "$prefix/cluster" 27525 27110 "$STATE/a.pid" "$STATE/b.pid" "$STATE/haproxy.pid" "$STATE/postgres.pid"
    echo "single: SMTP 24525 POP3 24110; HAProxy → 2 instances: SMTP 27525 POP3 27110 (state in $STATE)"
    ;;
  run)
    cd "$BENCH"
    python3 run_matrix.py bench --nice "$NICE" --retries 0 --target "$STATE/single.json" \
      --target "$STATE/haproxy-2.json" --reps "${2:-3}" --scale "${3:-1}" --out "$STATE/results"
    cat "$STATE/results/summary.md"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start | run [REPS] [SCALE] | stop" >&2; exit 2 ;;
esac
